import { z } from 'zod'
import { ToolError } from '../errors.ts'
import { defineTool } from '../registry.ts'
import { diagnose } from '../resources/diagnose.ts'
import { loadJobsAndRequirements, loadResults } from '../resources/state.ts'
import { JobSchema, ResourceRequirementsSchema, type ResourceRequirements } from '../torc/schemas.ts'
import { jobId, memoryField, readOnly, runtimeField, workflowId } from './fields.ts'
import { diagnosisSchema } from './resources.schemas.ts'

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

export const checkResourceUtilization = defineTool({
  name: 'check_resource_utilization',
  title: 'Check resource utilization',
  description:
    'Find jobs that used more memory, CPU or runtime than they requested, and diagnose failed jobs (OOM, ' +
    'timeout, lost node). Use this for "did any jobs exceed their memory limits?" or before recovering. ' +
    'Returns violation rows, failed jobs with their likely cause, and recovery guidance.',
  input: z.object({
    workflow_id: workflowId,
    include_failed: z.boolean().default(true).describe('Include failed and terminated jobs (default true).'),
  }),
  output: diagnosisSchema.extend({
    guidance: z.string().nullable().describe('What to do next when anything exceeded its limits.'),
  }),
  annotations: readOnly,
  async handler({ workflow_id, include_failed }, { torc }) {
    const [results, { jobs, requirements }] = await Promise.all([
      loadResults(torc, workflow_id, include_failed),
      loadJobsAndRequirements(torc, workflow_id),
    ])
    const d = diagnose(workflow_id, results, jobs, requirements)
    const failedOver = d.resource_violations.filter((f) => f.memory_violation || f.likely_timeout).length
    const over = new Set([...d.violations.map((v) => v.job_id), ...d.resource_violations.filter((f) => f.memory_violation || f.likely_timeout).map((f) => f.job_id)]).size
    return { ...d, guidance: over > 0 ? guidance(workflow_id, over, failedOver) : null }
  },
  summarize: (out) =>
    `${out.jobs_over_count} jobs over their limits (${out.over_utilization_count} rows), ${out.resource_violations_count} failed jobs diagnosed`,
})

export const updateJobResources = defineTool({
  name: 'update_job_resources',
  title: 'Update job resources',
  description:
    'Change the CPUs, memory or runtime a job requests. Use it when a job needs more (or less) than it asked ' +
    'for. If other jobs share the requirement, say scope "job" (only this job gets a copy) or "shared" (all ' +
    'change); without a scope nothing is changed and the sharing jobs are listed.',
  input: z.object({
    job_id: jobId,
    num_cpus: z.number().int().min(1).max(100_000).optional().describe('New CPU count.'),
    memory: memoryField.optional().describe('New memory, e.g. "10g" or "512m" (whole number; k, m, g or t).'),
    runtime: runtimeField.optional().describe('New runtime limit as ISO 8601, e.g. "PT30M" or "PT2H".'),
    scope: z
      .enum(['job', 'shared'])
      .optional()
      .describe('When the requirement is shared: "job" gives this job its own copy, "shared" changes it for all.'),
  }),
  output: z.object({
    job_id: z.number().int().describe('The job.'),
    workflow_id: z.number().int().describe('Its workflow.'),
    updated: z.boolean().describe('False when nothing was changed (see shared_with_job_ids).'),
    resource_requirements_id: z.number().int().describe('The requirement the job uses now.'),
    previous: z.object({ num_cpus: z.number().int(), memory: z.string(), runtime: z.string() }).describe('Values before.'),
    current: z.object({ num_cpus: z.number().int(), memory: z.string(), runtime: z.string() }).describe('Values now.'),
    shared_with_job_ids: z.array(z.number().int()).describe('Other jobs using the same requirement (first 100).'),
    shared_with_count: z.number().int().describe('How many other jobs use it.'),
    message: z.string().describe('What happened and what to do next.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
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
    const values = (r: ResourceRequirements) => ({ num_cpus: r.num_cpus, memory: r.memory, runtime: r.runtime })
    const next = {
      ...rr,
      num_cpus: input.num_cpus ?? rr.num_cpus,
      memory: input.memory ?? rr.memory,
      runtime: input.runtime ?? rr.runtime,
    }
    const base = {
      job_id: job.id,
      workflow_id: job.workflow_id,
      previous: values(rr),
      shared_with_job_ids: others.slice(0, 100),
      shared_with_count: others.length,
    }
    if (others.length > 0 && !input.scope) {
      return {
        ...base,
        updated: false,
        resource_requirements_id: rr.id,
        current: values(rr),
        message:
          `Requirement "${rr.name}" (id ${rr.id}) is shared with ${others.length} other job(s); nothing was changed. ` +
          'Call again with scope "job" to give only this job the new values, or scope "shared" to change all of them.',
      }
    }
    if (others.length > 0 && input.scope === 'job') {
      const copy = await torc.send('POST', '/resource_requirements', ResourceRequirementsSchema, {
        body: { ...next, id: undefined, name: `${rr.name}_job${job.id}` },
      })
      await torc.send('PUT', `/jobs/${job.id}`, JobSchema, { body: { ...job, resource_requirements_id: copy.id } })
      return {
        ...base,
        updated: true,
        resource_requirements_id: copy.id,
        current: values(copy),
        message: `Job ${job.id} now has its own requirement "${copy.name}" (id ${copy.id}); the ${others.length} other job(s) keep "${rr.name}".`,
      }
    }
    const saved = await torc.send('PUT', `/resource_requirements/${rr.id}`, ResourceRequirementsSchema, { body: next })
    return {
      ...base,
      updated: true,
      resource_requirements_id: saved.id,
      current: values(saved),
      message:
        (others.length ? `Changed "${rr.name}" for this job and ${others.length} other job(s). ` : `Changed "${rr.name}". `) +
        'Failed jobs rerun with it after recover_workflow or restart_failed_jobs (preview with dry_run=true first).',
    }
  },
  summarize: (out) => (out.updated ? `job ${out.job_id}: ${JSON.stringify(out.current)}` : out.message),
})

export const resourceTools = [checkResourceUtilization, updateJobResources]
