import { z } from 'zod'
import { ToolError } from '../errors.ts'
import { planId, requireMatchingPlan } from '../plan-id.ts'
import { recordCompletion, StepLog } from '../recovery/apply.ts'
import { loadExecution, rerunCommand, rerunMode } from '../recovery/rerun.ts'
import { loadJobsAndRequirements } from '../recovery/state.ts'
import { defineTool } from '../registry.ts'
import type { TorcClient } from '../torc/client.ts'
import {
  type Job,
  JobSchema,
  type ResourceRequirements,
  ResourceRequirementsSchema,
  ResultSchema,
  WorkflowSchema,
} from '../torc/schemas.ts'
import { dryRun, memoryField, planIdField, runtimeField, workflowId } from './fields.ts'

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

/** retry: pending_failed → running (non-complete, so nothing cascades) → retry_job, which bumps the attempt. */
async function retry(torc: TorcClient, job: Job, runId: number): Promise<number> {
  await torc.send('PUT', `/jobs/${job.id}/manage_status_change/running/${runId}`, JobSchema)
  try {
    const attempt = job.attempt_id ?? 1
    const retried = await torc.send('POST', `/jobs/${job.id}/retry/${runId}`, JobSchema, {
      query: { max_retries: attempt + 1 },
    })
    return retried.attempt_id ?? attempt + 1
  } catch (err) {
    await torc
      .send('PUT', `/jobs/${job.id}/manage_status_change/pending_failed/${runId}`, JobSchema)
      .catch(() => undefined)
    throw err
  }
}

/**
 * fail: Torc stores one result per (job, run, attempt) and the pending_failed result holds that slot,
 * so it is replaced by the same result with status failed. If recording fails, the original is put back.
 */
async function fail(torc: TorcClient, job: Job, runId: number): Promise<void> {
  const current = (
    await torc.list('/results', ResultSchema, { workflow_id: job.workflow_id, job_id: job.id }, { limit: 1 })
  ).items[0]
  if (!current) throw new ToolError('conflict', `job ${job.id} has no result to mark failed`)
  const { id: resultId, job_name: _name, status: _status, ...data } = current
  await torc.send('PUT', `/jobs/${job.id}/manage_status_change/running/${runId}`, JobSchema)
  await torc.send('DELETE', `/results/${resultId}`, z.unknown())
  try {
    await recordCompletion(torc, job, runId, 'failed', data)
  } catch (err) {
    await recordCompletion(torc, job, runId, 'pending_failed', data).catch(() => undefined)
    throw err
  }
}

async function applyResources(torc: TorcClient, job: Job, rr: ResourceRequirements, p: Planned): Promise<void> {
  const body = { ...rr, memory: p.memory?.new ?? rr.memory, runtime: p.runtime?.new ?? rr.runtime }
  if (p.requirement === 'in_place') {
    await torc.send('PUT', `/resource_requirements/${rr.id}`, ResourceRequirementsSchema, { body })
    return
  }
  const copy = await torc.send('POST', '/resource_requirements', ResourceRequirementsSchema, {
    body: { ...body, id: undefined, name: `${rr.name}_job${job.id}` },
  })
  await torc.send('PUT', `/jobs/${job.id}`, JobSchema, { body: { ...job, resource_requirements_id: copy.id } })
}

export const classifyAndResolveFailures = defineTool({
  name: 'classify_and_resolve_failures',
  title: 'Classify and resolve failures',
  description:
    'Resolve jobs in pending_failed (failed, awaiting a decision): retry each with optional new memory/runtime ' +
    '(next attempt) or mark it failed (its dependents are canceled). Use after list_pending_failed_jobs. ' +
    'Preview first (dry_run=true), then apply with the plan_id.',
  input: z.object({
    workflow_id: workflowId,
    classifications: z.array(classification).min(1).max(1000).describe('One decision per pending_failed job.'),
    dry_run: dryRun,
    plan_id: planIdField,
  }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    dry_run: z.boolean().describe('True for a preview: nothing was changed.'),
    plan_id: z.string().describe('Pass back with dry_run=false to apply exactly this plan.'),
    can_apply: z.boolean().describe('True when at least one decision can be applied.'),
    jobs: z
      .array(
        z.object({
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
            .describe(
              'own_copy when the requirement is shared (others keep theirs), in_place when only this job uses it.'
            ),
        })
      )
      .describe('Each decision and its effect.'),
    applied: z
      .object({
        retried: z
          .array(
            z.object({
              job_id: z.number().int().describe('Job id.'),
              attempt_id: z.number().int().describe('Its new attempt.'),
            })
          )
          .describe('Jobs now ready, with their new attempt.'),
        failed: z.array(z.number().int()).describe('Jobs now failed.'),
      })
      .nullable()
      .describe('What was changed (null for a preview).'),
    next_steps: z.string().describe('What to do next.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async handler(input, { torc }) {
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
    for (const j of jobs.values())
      if (j.resource_requirements_id != null)
        users.set(j.resource_requirements_id, (users.get(j.resource_requirements_id) ?? 0) + 1)
    const planned: Planned[] = input.classifications.map((c) => {
      const job = jobs.get(c.job_id)
      const base = {
        job_id: c.job_id,
        name: job?.name ?? '',
        status: job?.status ?? 'unknown',
        attempt_id: job?.attempt_id ?? null,
      }
      if (!job)
        return {
          ...base,
          action: 'skip',
          reason: `not a job of workflow ${id}`,
          memory: null,
          runtime: null,
          requirement: null,
        }
      if (job.status !== 'pending_failed') {
        return {
          ...base,
          action: 'skip',
          reason: `status ${job.status}: only pending_failed jobs are classified`,
          memory: null,
          runtime: null,
          requirement: null,
        }
      }
      const rr = job.resource_requirements_id == null ? undefined : requirements.get(job.resource_requirements_id)
      const memory = c.memory && rr ? { old: rr.memory, new: c.memory } : null
      const runtime = c.runtime && rr ? { old: rr.runtime, new: c.runtime } : null
      const changes = memory || runtime
      return {
        ...base,
        action: c.action,
        reason: c.reason ?? (c.action === 'retry' ? 'retry' : 'mark failed'),
        memory,
        runtime,
        requirement: changes ? ((users.get(rr!.id) ?? 0) > 1 ? 'own_copy' : 'in_place') : null,
      }
    })
    const runId = workflow.run_id ?? 0
    const plan_id = await planId('cf', { workflow_id: id, run_id: runId, planned })
    const actionable = planned.filter((p) => p.action !== 'skip')
    let applied: { retried: { job_id: number; attempt_id: number }[]; failed: number[] } | null = null
    if (!input.dry_run) {
      requireMatchingPlan(input, plan_id, `workflow ${id}`)
      if (!actionable.length) throw new ToolError('conflict', 'no pending_failed job to classify (see jobs[].reason)')
      applied = { retried: [], failed: [] }
      const log = new StepLog()
      for (const p of actionable) {
        const job = jobs.get(p.job_id)!
        if (p.requirement) {
          const rr = requirements.get(job.resource_requirements_id!)!
          await log.step(`changed resources of job ${job.id}`, () => applyResources(torc, job, rr, p))
        }
        if (p.action === 'retry') {
          const attempt = await log.step(`retried job ${job.id}`, () => retry(torc, job, runId))
          applied.retried.push({ job_id: job.id, attempt_id: attempt })
        } else {
          await log.step(`marked job ${job.id} failed`, () => fail(torc, job, runId))
          applied.failed.push(job.id)
        }
      }
    }
    return {
      workflow_id: id,
      dry_run: input.dry_run,
      plan_id,
      can_apply: actionable.length > 0,
      jobs: planned,
      applied,
      next_steps: input.dry_run
        ? `Show the user these decisions and ask before applying. If they agree, call classify_and_resolve_failures(workflow_id=${id}, classifications=<the same>, dry_run=false, plan_id="${plan_id}").`
        : `Retried ${applied!.retried.length} job(s) (ready for their next attempt; they run when a job runner is active: ` +
          `on the cluster, \`${rerunCommand(rerunMode(execution), id)}\`) and marked ${applied!.failed.length} failed.`,
    }
  },
  summarize: (out) =>
    `${out.dry_run ? '[preview] ' : ''}${out.jobs.filter((j) => j.action === 'retry').length} retry, ${out.jobs.filter((j) => j.action === 'fail').length} fail`,
})

export const classifyTools = [classifyAndResolveFailures]
