/**
 * Every REST sequence that changes a workflow, in one place. Each converges on its target: it reads
 * what is there first and changes only what differs, so applying a plan again after a failure
 * midway finishes it instead of repeating or compounding it.
 */
import { z } from 'zod'
import { mapConcurrent } from '../concurrency.ts'
import { ToolError } from '../errors.ts'
import type { TorcClient } from '../torc/client.ts'
import { type Job, JobSchema, ResultSchema, WorkflowSchema, WorkflowStatusSchema } from '../torc/schemas.ts'

/** What a change's steps run through (src/changes/steps.ts StepLog). */
export interface Steps {
  step<T>(label: string, run: () => Promise<T>): Promise<T>
}

const Anything = z.unknown()
const ComputeNode = z.object({ id: z.number().int() }).loose()
const NOT_STARTED = new Set(['uninitialized', 'blocked', 'ready'])

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

type Completion = 'failed' | 'canceled' | 'pending_failed'

/**
 * Finishes a job through Torc's own completion endpoint, as a job runner would, so Torc updates its
 * current result and cancels or unblocks dependents itself.
 */
export async function recordCompletion(
  torc: TorcClient,
  job: Job,
  runId: number,
  status: Completion,
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

/** Fails a "running" job whose runner is gone with -128 (node lost), unless it is no longer running. */
export async function failOrphan(torc: TorcClient, steps: Steps, jobId: number, runId: number): Promise<boolean> {
  const job = await torc.get(`/jobs/${jobId}`, JobSchema)
  if (job.status !== 'running') return false
  await steps.step(`failed orphaned job ${jobId} with -128`, () =>
    recordCompletion(torc, job, runId, 'failed', { return_code: -128, exec_time_minutes: 0 })
  )
  return true
}

/** Cancels a job that has not started (recorded with -15); a job already past that is left alone. */
export async function cancelNotStarted(torc: TorcClient, steps: Steps, jobId: number, runId: number): Promise<boolean> {
  const job = await torc.get(`/jobs/${jobId}`, JobSchema)
  if (!NOT_STARTED.has(job.status ?? 'uninitialized')) return false
  await steps.step(`canceled job ${jobId}`, () =>
    recordCompletion(torc, job, runId, 'canceled', { return_code: -15, exec_time_minutes: 0 })
  )
  return true
}

/** Cancels the workflow (Torc cancels its running and pending jobs), unless it is canceled already. */
export async function cancelWorkflowOnce(torc: TorcClient, steps: Steps, workflowId: number): Promise<void> {
  const status = await torc.get(`/workflows/${workflowId}/status`, WorkflowStatusSchema)
  if (status.is_canceled) return
  await steps.step(`canceled workflow ${workflowId}`, () =>
    torc.send('PUT', `/workflows/${workflowId}/cancel`, Anything)
  )
}

/**
 * Resets exactly these jobs (their downstream jobs follow when Torc reinitializes) and starts run
 * baseRun + 1: manage_status_change -> uninitialized per job, reset_status (bumps run_id), then
 * initialize_jobs for the uninitialized ones (and, Torc's doing, every terminated job). Once the
 * workflow is past baseRun the resets are done; initialize_jobs is safe to repeat. The filesystem
 * checks `torc workflows reinit` makes cannot run at the edge and are skipped.
 */
export async function resetAndStartRun(
  torc: TorcClient,
  steps: Steps,
  workflowId: number,
  baseRun: number,
  jobIds: readonly number[]
): Promise<{ newRunId: number; counts: Record<string, number> }> {
  const workflow = await torc.get(`/workflows/${workflowId}`, WorkflowSchema)
  if ((workflow.run_id ?? 0) === baseRun) {
    const wanted = new Set(jobIds)
    const jobs = (await torc.list('/jobs', JobSchema, { workflow_id: workflowId })).items
    const toReset = jobs.filter((j) => wanted.has(j.id) && j.status !== 'uninitialized').map((j) => j.id)
    if (toReset.length) {
      await steps.step(`reset ${toReset.length} job(s) to uninitialized`, () =>
        mapConcurrent(toReset, 8, (job) =>
          torc.send('PUT', `/jobs/${job}/manage_status_change/uninitialized/${baseRun}`, JobSchema)
        )
      )
    }
    await steps.step('started a new run (reset_status)', () =>
      torc.send('POST', `/workflows/${workflowId}/reset_status`, Anything)
    )
  } else if ((workflow.run_id ?? 0) < baseRun) {
    throw new ToolError(
      'conflict',
      `workflow ${workflowId} is at run ${workflow.run_id}, before the plan's run ${baseRun}`
    )
  }
  await steps.step('initialized the reset jobs', () =>
    torc.send('POST', `/workflows/${workflowId}/initialize_jobs`, Anything, {
      query: { only_uninitialized: true, clear_ephemeral_user_data: false },
    })
  )
  const [after, status] = await Promise.all([
    torc.get(`/workflows/${workflowId}`, WorkflowSchema),
    torc.get(`/workflows/${workflowId}/status`, WorkflowStatusSchema),
  ])
  return { newRunId: after.run_id ?? baseRun + 1, counts: { ...status.jobs_by_status } }
}

/** retry: pending_failed -> running (non-complete, so nothing cascades) -> retry_job, which bumps the attempt. */
export async function retryPendingFailed(
  torc: TorcClient,
  steps: Steps,
  jobId: number,
  runId: number,
  attempt: number
) {
  const job = await torc.get(`/jobs/${jobId}`, JobSchema)
  if ((job.attempt_id ?? 1) > attempt) return job.attempt_id ?? attempt + 1
  if (job.status !== 'pending_failed' && job.status !== 'running') {
    throw new ToolError('conflict', `job ${jobId} is ${job.status}, no longer pending_failed`)
  }
  return steps.step(`retried job ${jobId}`, async () => {
    await torc.send('PUT', `/jobs/${jobId}/manage_status_change/running/${runId}`, JobSchema)
    try {
      const retried = await torc.send('POST', `/jobs/${jobId}/retry/${runId}`, JobSchema, {
        query: { max_retries: attempt + 1 },
      })
      return retried.attempt_id ?? attempt + 1
    } catch (err) {
      await torc
        .send('PUT', `/jobs/${jobId}/manage_status_change/pending_failed/${runId}`, JobSchema)
        .catch(() => undefined)
      throw err
    }
  })
}

/**
 * fail: Torc stores one result per (job, run, attempt) and the pending_failed result holds that slot,
 * so it is replaced by the same result with status failed. If recording fails, the original is put back.
 */
export async function failPendingFailed(torc: TorcClient, steps: Steps, jobId: number, runId: number): Promise<void> {
  const job = await torc.get(`/jobs/${jobId}`, JobSchema)
  if (job.status === 'failed') return
  if (job.status !== 'pending_failed' && job.status !== 'running') {
    throw new ToolError('conflict', `job ${jobId} is ${job.status}, no longer pending_failed`)
  }
  const query = { workflow_id: job.workflow_id, job_id: job.id }
  const current = (await torc.list('/results', ResultSchema, query, { limit: 1 })).items[0]
  if (!current) throw new ToolError('conflict', `job ${job.id} has no result to mark failed`)
  const { id: resultId, job_name: _name, status: _status, ...data } = current
  await steps.step(`marked job ${jobId} failed`, async () => {
    await torc.send('PUT', `/jobs/${job.id}/manage_status_change/running/${runId}`, JobSchema)
    await torc.send('DELETE', `/results/${resultId}`, Anything)
    try {
      await recordCompletion(torc, job, runId, 'failed', data)
    } catch (err) {
      await recordCompletion(torc, job, runId, 'pending_failed', data).catch(() => undefined)
      throw err
    }
  })
}
