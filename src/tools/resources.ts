import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { ToolError } from '../errors.ts'
import { giveJobOwnRequirement, setRequirement } from '../recovery/requirement-changes.ts'
import { JobSchema, type ResourceRequirements, ResourceRequirementsSchema } from '../torc/schemas.ts'
import { jobId, memoryField, runtimeField } from './fields.ts'

const values = z.object({
  num_cpus: z.number().int().describe('CPUs.'),
  memory: z.string().describe('Memory, e.g. "10g".'),
  runtime: z.string().describe('Runtime limit, ISO 8601.'),
})
const valuesOf = (r: ResourceRequirements) => ({ num_cpus: r.num_cpus, memory: r.memory, runtime: r.runtime })
type Action = 'change_in_place' | 'copy_for_job' | 'change_shared' | 'none'

interface ResourceSnapshot {
  job_id: number
  requirement: ResourceRequirements
  action: Action
  target: { num_cpus: number; memory: string; runtime: string }
}

export const updateJobResources = defineChange({
  name: 'update_job_resources',
  title: 'Update job resources',
  description:
    'Change the CPUs, memory or runtime one job requests. By default only this job changes: when its ' +
    'requirement is shared it gets its own copy (scope "shared" changes it for every job using it). Previews ' +
    'first; returns the values before and after and the jobs sharing the requirement.',
  kind: 'ur',
  input: z.object({
    job_id: jobId,
    num_cpus: z.number().int().min(1).max(100_000).optional().describe('New CPU count.'),
    memory: memoryField.optional().describe('New memory, e.g. "10g" or "512m" (whole number; k, m, g or t).'),
    runtime: runtimeField.optional().describe('New runtime limit as ISO 8601, e.g. "PT30M" or "PT2H".'),
    scope: z
      .enum(['job', 'shared'])
      .default('job')
      .describe(
        '"job" (default): only this job (a copy when the requirement is shared); "shared": every job using it.'
      ),
  }),
  preview: {
    job_id: z.number().int().describe('The job.'),
    workflow_id: z.number().int().describe('Its workflow.'),
    action: z
      .enum(['change_in_place', 'copy_for_job', 'change_shared', 'none'])
      .describe(
        'change_in_place (only this job uses it), copy_for_job (shared: this job gets its own copy), ' +
          'change_shared (scope "shared"), none (no difference).'
      ),
    resource_requirements_id: z.number().int().describe('The requirement the job uses now.'),
    requirement_name: z.string().describe("The requirement's name."),
    previous: values.describe('Values before.'),
    proposed: values.describe('Values the change sets.'),
    shared_with_job_ids: z.array(z.number().int()).describe('Other jobs using the same requirement (first 100).'),
    shared_with_count: z.number().int().describe('How many other jobs use it.'),
  },
  applied: z.object({
    resource_requirements_id: z.number().int().describe('The requirement the job uses now.'),
    current: values.describe('Values now.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  view: 'review',
  async scope({ job_id }, { torc }) {
    return `workflow:${(await torc.get(`/jobs/${job_id}`, JobSchema)).workflow_id}`
  },
  async plan(input, { torc }) {
    if (input.num_cpus === undefined && input.memory === undefined && input.runtime === undefined) {
      throw new ToolError('invalid_input', 'invalid input: give at least one of num_cpus, memory, runtime')
    }
    const job = await torc.get(`/jobs/${input.job_id}`, JobSchema)
    if (job.resource_requirements_id == null) {
      throw new ToolError('invalid_input', `job ${job.id} has no resource requirements to update`)
    }
    const rr = await torc.get(`/resource_requirements/${job.resource_requirements_id}`, ResourceRequirementsSchema)
    const sharing = await torc.list('/jobs', JobSchema, { workflow_id: job.workflow_id })
    const others = sharing.items.filter((j) => j.resource_requirements_id === rr.id && j.id !== job.id).map((j) => j.id)
    const target = {
      num_cpus: input.num_cpus ?? rr.num_cpus,
      memory: input.memory ?? rr.memory,
      runtime: input.runtime ?? rr.runtime,
    }
    const same = target.num_cpus === rr.num_cpus && target.memory === rr.memory && target.runtime === rr.runtime
    const action: Action = same
      ? 'none'
      : others.length === 0
        ? 'change_in_place'
        : input.scope === 'shared'
          ? 'change_shared'
          : 'copy_for_job'
    const snapshot: ResourceSnapshot = { job_id: job.id, requirement: rr, action, target }
    return {
      snapshot,
      basis: { others },
      fields: {
        job_id: job.id,
        workflow_id: job.workflow_id,
        action,
        resource_requirements_id: rr.id,
        requirement_name: rr.name,
        previous: valuesOf(rr),
        proposed: target,
        shared_with_job_ids: others.slice(0, 100),
        shared_with_count: others.length,
      },
      blockers: same ? [`job ${job.id} already requests these values ("${rr.name}"): nothing to change`] : [],
    }
  },
  async apply(plan, { torc }, steps) {
    const saved =
      plan.action === 'copy_for_job'
        ? await giveJobOwnRequirement(torc, steps, plan.job_id, plan.requirement, plan.target)
        : await setRequirement(torc, steps, plan.requirement.id, plan.target)
    return { resource_requirements_id: saved.id, current: valuesOf(saved) }
  },
  done(applied, plan) {
    const rr = plan.requirement
    const what =
      plan.action === 'copy_for_job'
        ? `Job ${plan.job_id} now has its own requirement (id ` +
          `${applied.resource_requirements_id}); the other jobs keep "${rr.name}".`
        : plan.action === 'change_shared'
          ? `Changed "${rr.name}" for job ${plan.job_id} and every other job using it.`
          : `Changed "${rr.name}" (used only by job ${plan.job_id}).`
    return `${what} Failed jobs rerun with it after recover_workflow or restart_failed_jobs (preview them first).`
  },
  summarize: (out) =>
    out.status === 'applied'
      ? `job ${out.job_id}: ${JSON.stringify((out.applied as { current: unknown }).current)}`
      : `${out.status}: job ${out.job_id} ${JSON.stringify(out.previous)} ` +
        `-> ${JSON.stringify(out.proposed)} (${out.action})`,
})

export const resourceTools = [updateJobResources]
