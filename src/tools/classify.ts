import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { ToolError } from '../errors.ts'
import { giveJobOwnRequirement, setRequirement } from '../recovery/requirement-changes.ts'
import { loadExecution, rerunCommand, rerunMode } from '../recovery/rerun.ts'
import { loadJobsAndRequirements } from '../recovery/state.ts'
import { failPendingFailed, retryPendingFailed } from '../recovery/torc-changes.ts'
import { type ResourceRequirements, WorkflowSchema } from '../torc/schemas.ts'
import { memoryField, runtimeField, workflowId } from './fields.ts'

const change = z
  .object({ old: z.string().describe('Value now.'), new: z.string().describe('Value for the retry.') })
  .nullable()

const classification = z.object({
  job_id: z.number().int().positive().describe('A pending_failed job of the workflow.'),
  action: z
    .enum(['retry', 'fail'])
    .describe('retry: run it again (next attempt); fail: mark it failed (dependents are canceled).'),
  memory: memoryField.optional().describe('For retry: new memory, e.g. "20g".'),
  runtime: runtimeField.optional().describe('For retry: new runtime, e.g. "PT2H".'),
  reason: z.string().max(500).optional().describe('Why, for the record (e.g. "transient node error").'),
})

const plannedSchema = z.object({
  job_id: z.number().int().describe('Job id.'),
  name: z.string().describe('Job name.'),
  status: z.string().describe('Status before.'),
  action: z.enum(['retry', 'fail', 'skip']).describe('What applying does.'),
  reason: z.string().describe('The reason given, or why it is skipped.'),
  attempt_id: z.number().int().nullable().describe('Attempt before; a retry runs the next one.'),
  memory: change.describe('Memory change for a retry.'),
  runtime: change.describe('Runtime change for a retry.'),
  requirement: z
    .enum(['own_copy', 'in_place'])
    .nullable()
    .describe('own_copy when the requirement is shared (others keep theirs), in_place when only this job uses it.'),
})

interface Planned {
  job_id: number
  name: string
  status: string
  action: 'retry' | 'fail' | 'skip'
  reason: string
  attempt_id: number | null
  memory: { old: string; new: string } | null
  runtime: { old: string; new: string } | null
  requirement: 'own_copy' | 'in_place' | null
}

interface ClassifySnapshot {
  workflow_id: number
  run_id: number
  decisions: {
    job_id: number
    action: 'retry' | 'fail'
    attempt: number
    requirement: ResourceRequirements | null
    own_copy: boolean
    memory?: string | undefined
    runtime?: string | undefined
  }[]
}

export const classifyAndResolveFailures = defineChange({
  name: 'classify_and_resolve_failures',
  title: 'Classify and resolve failures',
  description:
    'Resolve jobs in pending_failed (failed, awaiting a decision): retry each with optional new memory/runtime ' +
    '(next attempt) or mark it failed (its dependents are canceled). Use after list_pending_failed_jobs. ' +
    'Previews first; returns each decision and its effect.',
  kind: 'cf',
  input: z.object({
    workflow_id: workflowId,
    classifications: z.array(classification).min(1).max(1000).describe('One decision per pending_failed job.'),
  }),
  preview: {
    workflow_id: z.number().int().describe('Workflow id.'),
    jobs: z.array(plannedSchema).describe('Each decision and its effect.'),
    rerun_command: z.string().describe('What runs the retried jobs on the cluster.'),
  },
  applied: z.object({
    retried: z
      .array(
        z.object({
          job_id: z.number().int().describe('Job id.'),
          attempt_id: z.number().int().describe('Its new attempt.'),
        })
      )
      .describe('Jobs now ready, with their new attempt.'),
    failed: z.array(z.number().int()).describe('Jobs now failed.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  view: 'review',
  scope: ({ workflow_id }) => `workflow:${workflow_id}`,
  async plan(input, { torc }) {
    const id = input.workflow_id
    for (const c of input.classifications) {
      if (c.action === 'fail' && (c.memory || c.runtime)) {
        throw new ToolError(
          'invalid_input',
          `invalid input: classifications: job ${c.job_id}: memory and runtime apply to retry only`
        )
      }
    }
    const [{ jobs, requirements }, workflow, execution] = await Promise.all([
      loadJobsAndRequirements(torc, id),
      torc.get(`/workflows/${id}`, WorkflowSchema),
      loadExecution(torc, id),
    ])
    const users = new Map<number, number>()
    for (const j of jobs.values()) {
      if (j.resource_requirements_id != null) {
        users.set(j.resource_requirements_id, (users.get(j.resource_requirements_id) ?? 0) + 1)
      }
    }
    const snapshot: ClassifySnapshot = { workflow_id: id, run_id: workflow.run_id ?? 0, decisions: [] }
    const planned: Planned[] = input.classifications.map((c) => {
      const job = jobs.get(c.job_id)
      const base = {
        job_id: c.job_id,
        name: job?.name ?? '',
        status: job?.status ?? 'unknown',
        attempt_id: job?.attempt_id ?? null,
      }
      const none = { memory: null, runtime: null, requirement: null }
      if (!job) return { ...base, ...none, action: 'skip', reason: `not a job of workflow ${id}` }
      if (job.status !== 'pending_failed') {
        return {
          ...base,
          ...none,
          action: 'skip',
          reason: `status ${job.status}: only pending_failed jobs are classified`,
        }
      }
      const rr = job.resource_requirements_id == null ? undefined : requirements.get(job.resource_requirements_id)
      const memory = c.memory && rr ? { old: rr.memory, new: c.memory } : null
      const runtime = c.runtime && rr ? { old: rr.runtime, new: c.runtime } : null
      const ownCopy = (memory || runtime) && rr ? (users.get(rr.id) ?? 0) > 1 : false
      snapshot.decisions.push({
        job_id: job.id,
        action: c.action,
        attempt: job.attempt_id ?? 1,
        requirement: (memory || runtime) && rr ? rr : null,
        own_copy: ownCopy,
        memory: memory?.new,
        runtime: runtime?.new,
      })
      return {
        ...base,
        action: c.action,
        reason: c.reason ?? (c.action === 'retry' ? 'retry' : 'mark failed'),
        memory,
        runtime,
        requirement: memory || runtime ? (ownCopy ? 'own_copy' : 'in_place') : null,
      }
    })
    return {
      snapshot,
      basis: {},
      fields: { workflow_id: id, jobs: planned, rerun_command: rerunCommand(rerunMode(execution), id) },
      blockers: snapshot.decisions.length ? [] : ['no pending_failed job to classify (see jobs[].reason)'],
    }
  },
  async apply(plan, { torc }, steps) {
    const applied = { retried: [] as { job_id: number; attempt_id: number }[], failed: [] as number[] }
    for (const d of plan.decisions) {
      if (d.requirement) {
        const target = { memory: d.memory, runtime: d.runtime }
        if (d.own_copy) await giveJobOwnRequirement(torc, steps, d.job_id, d.requirement, target)
        else await setRequirement(torc, steps, d.requirement.id, target)
      }
      if (d.action === 'retry') {
        const attempt = await retryPendingFailed(torc, steps, d.job_id, plan.run_id, d.attempt)
        applied.retried.push({ job_id: d.job_id, attempt_id: attempt })
      } else {
        await failPendingFailed(torc, steps, d.job_id, plan.run_id)
        applied.failed.push(d.job_id)
      }
    }
    return applied
  },
  done: (applied, _plan, fields) =>
    `Retried ${applied.retried.length} job(s) (ready for their next attempt; they run when a job runner is active: ` +
    `on the cluster, \`${String(fields.rerun_command)}\`) and marked ${applied.failed.length} failed.`,
  summarize: (out) => {
    const jobs = out.jobs as Planned[]
    return (
      `${out.status}: ${jobs.filter((j) => j.action === 'retry').length} ` +
      `retry, ${jobs.filter((j) => j.action === 'fail').length} fail`
    )
  },
})

export const classifyTools = [classifyAndResolveFailures]
