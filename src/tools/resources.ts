import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { ToolError } from '../errors.ts'
import { diagnose } from '../recovery/diagnose.ts'
import { loadJobsAndRequirements, loadResults } from '../recovery/state.ts'
import { giveJobOwnRequirement, setRequirement } from '../recovery/torc-changes.ts'
import { defineTool } from '../registry.ts'
import { exitCodesOf } from '../torc/exit-codes.ts'
import { JobSchema, type ResourceRequirements, ResourceRequirementsSchema, WorkflowSchema } from '../torc/schemas.ts'
import { fitItems, jobId, limit, memoryField, readOnly, runtimeField, workflowId } from './fields.ts'
import { utilizationSchema } from './resources.schemas.ts'

/** Recovery guidance, as the Rust tool gives it, counting jobs (it counted violation rows). */
function guidance(workflow: number, jobsOver: number, failed: number): string {
  const lines = [`${jobsOver} job(s) exceeded resource limits (memory, CPU or runtime).`]
  if (failed > 0 && jobsOver > failed) {
    lines.push(`Only ${failed} have failed so far, but ${jobsOver - failed} more will likely fail without fixes.`)
  }
  lines.push(
    'Use recover_workflow to fix these automatically: call it with dry_run=true, show the user the ' +
      'proposed memory/runtime changes, ask before applying, then call it with dry_run=false and the plan_id.',
    `Example: recover_workflow(workflow_id=${workflow}, dry_run=true)`
  )
  return lines.join('\n')
}

const LIST_BUDGET = 40_000

export const checkResourceUtilization = defineTool({
  name: 'check_resource_utilization',
  title: 'Check resource utilization',
  description:
    'Find jobs that used more memory, CPU or runtime than they requested, and diagnose failed jobs (OOM, ' +
    'timeout, lost node). Use it for "did any jobs exceed their memory?" or before recovering. Returns ' +
    "torc 1.0.0's report, each failure's cause and evidence, and guidance.",
  input: z.object({
    workflow_id: workflowId,
    include_failed: z.boolean().default(true).describe('Include failed and terminated jobs (default true).'),
    limit: limit(100, 1000).describe(
      'Rows of violations, and failed jobs, to list at most (default 100); counts cover all.'
    ),
  }),
  output: utilizationSchema,
  annotations: readOnly,
  async handler({ workflow_id, include_failed, limit }, { torc }) {
    const [workflow, results, { jobs, requirements }] = await Promise.all([
      torc.get(`/workflows/${workflow_id}`, WorkflowSchema),
      loadResults(torc, workflow_id, include_failed),
      loadJobsAndRequirements(torc, workflow_id),
    ])
    const d = diagnose(workflow_id, results, jobs, requirements, exitCodesOf(workflow))
    const limitFailures = d.resource_violations.filter(
      (f) => f.cause === 'oom' || f.cause === 'timeout' || f.cause === 'oom_and_timeout'
    )
    const over = new Set([...d.violations.map((v) => v.job_id), ...limitFailures.map((f) => f.job_id)]).size
    // Each list gets a share of the answer budget: with the rest, under GPT Actions' 100,000 characters.
    const violations = fitItems(d.violations.slice(0, limit), LIST_BUDGET)
    const failed = fitItems(d.resource_violations.slice(0, limit), LIST_BUDGET)
    return {
      ...d,
      violations,
      violations_truncated: violations.length < d.violations.length,
      resource_violations: failed,
      resource_violations_truncated: failed.length < d.resource_violations.length,
      guidance: over > 0 ? guidance(workflow_id, over, limitFailures.length) : null,
    }
  },
  summarize: (out) =>
    `${out.jobs_over_count} jobs over their limits (${out.over_utilization_count} rows), ${out.resource_violations_count} failed jobs diagnosed`,
})

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
        ? `Job ${plan.job_id} now has its own requirement (id ${applied.resource_requirements_id}); the other jobs keep "${rr.name}".`
        : plan.action === 'change_shared'
          ? `Changed "${rr.name}" for job ${plan.job_id} and every other job using it.`
          : `Changed "${rr.name}" (used only by job ${plan.job_id}).`
    return `${what} Failed jobs rerun with it after recover_workflow or restart_failed_jobs (preview them first).`
  },
  summarize: (out) =>
    out.status === 'applied'
      ? `job ${out.job_id}: ${JSON.stringify((out.applied as { current: unknown }).current)}`
      : `${out.status}: job ${out.job_id} ${JSON.stringify(out.previous)} -> ${JSON.stringify(out.proposed)} (${out.action})`,
})

export const resourceTools = [checkResourceUtilization, updateJobResources]
