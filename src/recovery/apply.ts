/**
 * The REST sequences that change a workflow. Each step is recorded, so a failure midway reports
 * exactly what was already done instead of leaving the caller guessing.
 */
import { z } from 'zod'
import { mapConcurrent } from '../concurrency.ts'
import { ToolError, toToolError } from '../errors.ts'
import type { TorcClient } from '../torc/client.ts'
import {
  type Job,
  JobSchema,
  ResourceRequirementsSchema,
  WorkflowSchema,
  WorkflowStatusSchema,
} from '../torc/schemas.ts'
import type { RecoveryPlan } from './plan.ts'

const Anything = z.unknown()
const ComputeNode = z.object({ id: z.number().int() }).loose()

export interface Applied {
  orphans_failed: number[]
  requirements_updated: { id: number; memory: string; runtime: string }[]
  jobs_reset: number[]
  new_run_id: number
  jobs_by_status_after: Record<string, number>
}

/** Runs steps in order; on failure says which ones completed. */
export class StepLog {
  readonly done: string[] = []
  async step<T>(label: string, run: () => Promise<T>): Promise<T> {
    try {
      const value = await run()
      this.done.push(label)
      return value
    } catch (err) {
      const error = toToolError(err)
      const before = this.done.length ? `Already done: ${this.done.join('; ')}. ` : 'Nothing was changed. '
      throw new ToolError(error.code, `${label} failed: ${error.message}. ${before}Preview again before retrying.`, {
        cause: err,
      })
    }
  }
}

/** A compute node to record an edge-made result on: the job's own, else any of the workflow's, else a new one. */
async function resultNode(torc: TorcClient, job: Job): Promise<number> {
  if (job.compute_node_id != null) return job.compute_node_id
  const existing = await torc.list('/compute_nodes', ComputeNode, { workflow_id: job.workflow_id }, { limit: 1 })
  if (existing.items[0]) return existing.items[0].id
  const created = await torc.send('POST', '/compute_nodes', ComputeNode, {
    body: {
      workflow_id: job.workflow_id,
      hostname: 'torc-edge',
      pid: 0,
      start_time: new Date().toISOString(),
      is_active: false,
      num_cpus: 0,
      memory_gb: 0,
      num_gpus: 0,
      num_nodes: 0,
      compute_node_type: 'local',
    },
  })
  return created.id
}

/**
 * Finishes a job through Torc's own completion endpoint, as a job runner would, so Torc updates its
 * current result and cancels or unblocks dependents itself.
 */
export async function recordCompletion(
  torc: TorcClient,
  job: Job,
  runId: number,
  status: 'failed' | 'canceled' | 'pending_failed',
  result: { return_code: number; exec_time_minutes: number } & Record<string, unknown>
): Promise<void> {
  await torc.send('POST', `/jobs/${job.id}/complete_job/${status}/${runId}`, Anything, {
    body: {
      job_id: job.id,
      workflow_id: job.workflow_id,
      run_id: runId,
      attempt_id: job.attempt_id ?? 1,
      compute_node_id: await resultNode(torc, job),
      completion_time: new Date().toISOString(),
      ...result,
      status,
    },
  })
}

/**
 * Resets exactly these jobs (their downstream jobs follow when Torc reinitializes) and starts a new
 * run: manage_status_change → uninitialized per job, reset_status (bumps run_id), then
 * initialize_jobs for the uninitialized ones (and, Torc's doing, every terminated job: callers
 * include those in the jobs they reset). The filesystem checks `torc workflows reinit` makes
 * (changed or missing files) cannot run at the edge and are skipped.
 */
export async function resetAndReinitialize(
  torc: TorcClient,
  log: StepLog,
  workflowId: number,
  runId: number,
  jobIds: readonly number[]
): Promise<{ newRunId: number; counts: Record<string, number> }> {
  await log.step(`reset ${jobIds.length} job(s) to uninitialized`, () =>
    mapConcurrent(jobIds, 8, (job) =>
      torc.send('PUT', `/jobs/${job}/manage_status_change/uninitialized/${runId}`, JobSchema)
    )
  )
  await log.step('started a new run (reset_status)', () =>
    torc.send('POST', `/workflows/${workflowId}/reset_status`, Anything)
  )
  await log.step('initialized the reset jobs', () =>
    torc.send('POST', `/workflows/${workflowId}/initialize_jobs`, Anything, {
      query: { only_uninitialized: true, clear_ephemeral_user_data: false },
    })
  )
  const [workflow, status] = await Promise.all([
    torc.get(`/workflows/${workflowId}`, WorkflowSchema),
    torc.get(`/workflows/${workflowId}/status`, WorkflowStatusSchema),
  ])
  return { newRunId: workflow.run_id ?? runId + 1, counts: { ...status.jobs_by_status } }
}

export async function applyRecovery(
  torc: TorcClient,
  workflowId: number,
  runId: number,
  plan: RecoveryPlan,
  state: {
    jobs: ReadonlyMap<number, Job>
    requirements: ReadonlyMap<number, z.output<typeof ResourceRequirementsSchema>>
  }
): Promise<Applied> {
  const log = new StepLog()
  const orphans = plan.orphaned_running_jobs.map((o) => state.jobs.get(o.job_id)!).filter(Boolean)
  for (const job of orphans) {
    await log.step(`failed orphaned job ${job.id} with -128`, () =>
      recordCompletion(torc, job, runId, 'failed', { return_code: -128, exec_time_minutes: 0 })
    )
  }
  const updated: Applied['requirements_updated'] = []
  for (const adj of plan.adjustments) {
    const rr = state.requirements.get(adj.resource_requirements_id)!
    const body = { ...rr, memory: adj.memory?.new ?? rr.memory, runtime: adj.runtime?.new ?? rr.runtime }
    const saved = await log.step(`updated requirement ${rr.id} ("${rr.name}")`, () =>
      torc.send('PUT', `/resource_requirements/${rr.id}`, ResourceRequirementsSchema, { body })
    )
    updated.push({ id: saved.id, memory: saved.memory, runtime: saved.runtime })
  }
  const { newRunId, counts } = await resetAndReinitialize(torc, log, workflowId, runId, plan.jobs_to_retry)
  return {
    orphans_failed: orphans.map((o) => o.id),
    requirements_updated: updated,
    jobs_reset: [...plan.jobs_to_retry],
    new_run_id: newRunId,
    jobs_by_status_after: counts,
  }
}
