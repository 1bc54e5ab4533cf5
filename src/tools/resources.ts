import { z } from 'zod'
import { ToolError } from '../errors.ts'
import { planId, requireMatchingPlan } from '../plan-id.ts'
import { diagnose } from '../recovery/diagnose.ts'
import { loadJobsAndRequirements, loadResults } from '../recovery/state.ts'
import { defineTool } from '../registry.ts'
import { exitCodesOf } from '../torc/exit-codes.ts'
import { JobSchema, type ResourceRequirements, ResourceRequirementsSchema, WorkflowSchema } from '../torc/schemas.ts'
import {
  dryRun,
  fitItems,
  jobId,
  limit,
  memoryField,
  planIdField,
  readOnly,
  runtimeField,
  workflowId,
} from './fields.ts'
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

export const updateJobResources = defineTool({
  name: 'update_job_resources',
  title: 'Update job resources',
  description:
    'Change the CPUs, memory or runtime a job requests. If other jobs share its requirement, give scope ' +
    '"job" (a copy for this job) or "shared" (all change); without a scope nothing changes and the sharing ' +
    'jobs are listed. Preview first (dry_run=true), then apply with the plan_id.',
  input: z.object({
    job_id: jobId,
    num_cpus: z.number().int().min(1).max(100_000).optional().describe('New CPU count.'),
    memory: memoryField.optional().describe('New memory, e.g. "10g" or "512m" (whole number; k, m, g or t).'),
    runtime: runtimeField.optional().describe('New runtime limit as ISO 8601, e.g. "PT30M" or "PT2H".'),
    scope: z
      .enum(['job', 'shared'])
      .optional()
      .describe('When the requirement is shared: "job" gives this job its own copy, "shared" changes it for all.'),
    dry_run: dryRun,
    plan_id: planIdField,
  }),
  output: z.object({
    job_id: z.number().int().describe('The job.'),
    workflow_id: z.number().int().describe('Its workflow.'),
    dry_run: z.boolean().describe('True for a preview: nothing was changed.'),
    plan_id: z.string().describe('Pass back with dry_run=false to apply exactly this change.'),
    action: z
      .enum(['change_in_place', 'copy_for_job', 'change_shared', 'none'])
      .describe(
        'change_in_place (only this job uses it), copy_for_job (scope "job"), change_shared (scope "shared"), none (shared without a scope, or no difference).'
      ),
    updated: z.boolean().describe('True only when the change was applied.'),
    resource_requirements_id: z.number().int().describe('The requirement the job uses now.'),
    previous: values.describe('Values before.'),
    proposed: values.describe('Values the change sets.'),
    current: values.describe('Values now (unchanged for a preview).'),
    shared_with_job_ids: z.array(z.number().int()).describe('Other jobs using the same requirement (first 100).'),
    shared_with_count: z.number().int().describe('How many other jobs use it.'),
    message: z.string().describe('What happened and what to do next.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler(input, { torc }) {
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
    const next = {
      ...rr,
      num_cpus: input.num_cpus ?? rr.num_cpus,
      memory: input.memory ?? rr.memory,
      runtime: input.runtime ?? rr.runtime,
    }
    const same = next.num_cpus === rr.num_cpus && next.memory === rr.memory && next.runtime === rr.runtime
    const action: Action =
      same || (others.length > 0 && !input.scope)
        ? 'none'
        : others.length === 0
          ? 'change_in_place'
          : input.scope === 'job'
            ? 'copy_for_job'
            : 'change_shared'
    const plan_id = await planId('ur', { job_id: job.id, rr, others, action, proposed: valuesOf(next) })
    const base = {
      job_id: job.id,
      workflow_id: job.workflow_id,
      dry_run: input.dry_run,
      plan_id,
      action,
      previous: valuesOf(rr),
      proposed: valuesOf(next),
      shared_with_job_ids: others.slice(0, 100),
      shared_with_count: others.length,
    }
    const unchanged = { ...base, updated: false, resource_requirements_id: rr.id, current: valuesOf(rr) }
    if (action === 'none') {
      return {
        ...unchanged,
        message: same
          ? `Job ${job.id} already requests these values ("${rr.name}"); nothing to change.`
          : `Requirement "${rr.name}" (id ${rr.id}) is shared with ${others.length} other job(s); nothing was changed. ` +
            'Call again with scope "job" to give only this job the new values, or scope "shared" to change all of them.',
      }
    }
    const what = {
      change_in_place: `change "${rr.name}" (used only by job ${job.id})`,
      copy_for_job: `give job ${job.id} its own copy of "${rr.name}"; the ${others.length} other job(s) keep the old values`,
      change_shared: `change "${rr.name}" for job ${job.id} and ${others.length} other job(s)`,
    }[action]
    if (input.dry_run) {
      const args = [
        `job_id=${job.id}`,
        ...(['num_cpus', 'memory', 'runtime', 'scope'] as const)
          .filter((k) => input[k] !== undefined)
          .map((k) => `${k}=${JSON.stringify(input[k])}`),
      ]
      return {
        ...unchanged,
        message:
          `Would ${what}: ${JSON.stringify(valuesOf(rr))} → ${JSON.stringify(valuesOf(next))}. Show the user and, if they agree, ` +
          `call update_job_resources(${args.join(', ')}, dry_run=false, plan_id="${plan_id}").`,
      }
    }
    requireMatchingPlan(input, plan_id, `the resources of job ${job.id}`)
    const after =
      'Failed jobs rerun with it after recover_workflow or restart_failed_jobs (preview with dry_run=true first).'
    if (action === 'copy_for_job') {
      const copy = await torc.send('POST', '/resource_requirements', ResourceRequirementsSchema, {
        body: { ...next, id: undefined, name: `${rr.name}_job${job.id}` },
      })
      await torc.send('PUT', `/jobs/${job.id}`, JobSchema, { body: { ...job, resource_requirements_id: copy.id } })
      return {
        ...base,
        updated: true,
        resource_requirements_id: copy.id,
        current: valuesOf(copy),
        message: `Job ${job.id} now has its own requirement "${copy.name}" (id ${copy.id}); the ${others.length} other job(s) keep "${rr.name}". ${after}`,
      }
    }
    const saved = await torc.send('PUT', `/resource_requirements/${rr.id}`, ResourceRequirementsSchema, { body: next })
    return {
      ...base,
      updated: true,
      resource_requirements_id: saved.id,
      current: valuesOf(saved),
      message:
        (others.length
          ? `Changed "${rr.name}" for this job and ${others.length} other job(s). `
          : `Changed "${rr.name}". `) + after,
    }
  },
  summarize: (out) => (out.updated ? `job ${out.job_id}: ${JSON.stringify(out.current)}` : out.message),
})

export const resourceTools = [checkResourceUtilization, updateJobResources]
