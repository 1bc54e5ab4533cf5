import { describe, expect, it } from 'vitest'
import { callBoth, rest } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner, torcApi } from '../helpers/worker-torc.ts'
import { counts, previewThenApply } from './control-helpers.ts'

/**
 * The control tools against the real torc-server, each previewed and then applied with its confirm
 * call: cancel_workflow, cancel_jobs, restart_failed_jobs (with and without job_ids) and
 * classify_and_resolve_failures, and what each refuses or leaves alone.
 */

/** Torc cancels and unblocks dependents in a background task: wait for it to settle. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000
  for (;;) {
    const value = await read()
    if (ok(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('cancel_workflow', () => {
  it('previews, then cancels the running jobs and says how to cancel Slurm allocations', async () => {
    const wf = await createWorkflow({
      name: 'to-cancel',
      jobs: [{ name: 'a' }, { name: 'b' }, { name: 'c', depends_on: ['a'] }],
    })
    await drive(wf, () => undefined)
    const { preview, applied } = await previewThenApply('cancel_workflow', { workflow_id: wf.id })
    expect(preview).toMatchObject({
      jobs_to_cancel: 2,
      already_canceled: false,
      slurm_command: null,
    })
    expect(await counts(wf.id)).toMatchObject({ canceled: 2 })
    expect(applied.applied.jobs_by_status_after).toMatchObject({ canceled: 2, running: 0 })
    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status.is_canceled).toBe(true)
  })
})

describe('cancel_jobs', () => {
  it('cancels a job before it runs, Torc cancels its dependents, and running jobs are left with a reason', async () => {
    const wf = await createWorkflow({
      name: 'cancel-some',
      jobs: [{ name: 'a' }, { name: 'a2', depends_on: ['a'] }, { name: 'busy' }],
    })
    await drive(wf, (job) => (job === 'busy' ? undefined : undefined), { start: true })
    // a and busy are running now; make a ready again so it has not started.
    await torcApi('PUT', `/jobs/${wf.jobIds.get('a')}/manage_status_change/ready/${wf.runId}`)
    const ids = [wf.jobIds.get('a')!, wf.jobIds.get('busy')!]
    const { preview, applied } = await previewThenApply('cancel_jobs', { job_ids: ids })
    expect(preview.jobs.map((j: { action: string }) => j.action)).toEqual(['cancel', 'skip'])
    expect(preview.jobs[1].reason).toContain('cancel_workflow')
    expect(applied.applied.jobs_canceled).toEqual([wf.jobIds.get('a')])
    const after = await eventually(
      () => counts(wf.id),
      (c) => c.canceled === 2
    )
    expect(after).toMatchObject({ canceled: 2, running: 1, blocked: 0 })
  })

  it('refuses jobs from two workflows, naming the field', async () => {
    const one = await createWorkflow({ name: 'w-one', jobs: [{ name: 'x' }] })
    const two = await createWorkflow({ name: 'w-two', jobs: [{ name: 'y' }] })
    const res = await rest('cancel_jobs', { job_ids: [one.jobIds.get('x'), two.jobIds.get('y')] })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain('job_ids')
  })
})

describe('restart_failed_jobs', () => {
  it('resets only the chosen failed jobs with their resources and starts a new run', async () => {
    const wf = await createWorkflow({
      name: 'restart',
      jobs: [{ name: 'f1' }, { name: 'f2' }, { name: 'ok' }, { name: 'after', depends_on: ['f1'] }],
    })
    await drive(wf, (job) =>
      job.startsWith('f')
        ? { status: 'failed', return_code: 2, exec_time_minutes: 0.1 }
        : { status: 'completed', return_code: 0, exec_time_minutes: 0.1 }
    )
    await stopRunner(wf)
    await eventually(
      () => counts(wf.id),
      (c) => c.canceled === 1
    )
    const { preview, applied } = await previewThenApply('restart_failed_jobs', {
      workflow_id: wf.id,
      job_ids: [wf.jobIds.get('f1')],
    })
    expect(preview.jobs_to_reset).toEqual([wf.jobIds.get('f1')])
    expect(applied.applied.new_run_id).toBe(2)
    expect(applied.applied.jobs_by_status_after).toMatchObject({ ready: 1, blocked: 1, failed: 1, completed: 1 })
  })

  it('is blocked while jobs are still running', async () => {
    const wf = await createWorkflow({ name: 'restart-busy', jobs: [{ name: 'f' }, { name: 'r' }] })
    await drive(wf, (job) => (job === 'f' ? { status: 'failed', return_code: 1, exec_time_minutes: 0.1 } : undefined))
    const preview = await callBoth('restart_failed_jobs', { workflow_id: wf.id })
    expect(preview.can_apply).toBe(false)
    const apply = await rest('restart_failed_jobs', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id })
    expect(apply.status).toBe(409)
    expect(await counts(wf.id)).toMatchObject({ failed: 1, running: 1 })
  })
})

describe('classify_and_resolve_failures', () => {
  it('retries with the next attempt and more memory (own copy of a shared requirement), fails the other and cancels its dependents', async () => {
    const wf = await createWorkflow({
      name: 'classify',
      resources: { shared: { num_cpus: 1, memory: '4g', runtime: 'PT1H' } },
      jobs: [
        { name: 'flaky', resources: 'shared' },
        { name: 'broken', resources: 'shared' },
        { name: 'downstream', depends_on: ['broken'] },
        { name: 'fine', resources: 'shared' },
      ],
    })
    await drive(wf, (job) =>
      job === 'fine'
        ? { status: 'completed', return_code: 0, exec_time_minutes: 1 }
        : {
            status: 'pending_failed',
            return_code: job === 'flaky' ? 137 : 3,
            exec_time_minutes: 0.5,
            peak_memory_bytes: 5 * 1024 ** 3,
          }
    )
    const input = {
      workflow_id: wf.id,
      classifications: [
        { job_id: wf.jobIds.get('flaky'), action: 'retry', memory: '8g', reason: 'killed at 5 GB' },
        { job_id: wf.jobIds.get('broken'), action: 'fail', reason: 'bad input' },
        { job_id: wf.jobIds.get('fine'), action: 'retry' },
      ],
    }
    const { preview, applied } = await previewThenApply('classify_and_resolve_failures', input)
    expect(preview.jobs.map((j: { action: string }) => j.action)).toEqual(['retry', 'fail', 'skip'])
    expect(preview.jobs[0]).toMatchObject({ memory: { old: '4g', new: '8g' }, requirement: 'own_copy', attempt_id: 1 })
    expect(applied.applied).toEqual({
      retried: [{ job_id: wf.jobIds.get('flaky'), attempt_id: 2 }],
      failed: [wf.jobIds.get('broken')],
    })

    const flaky = await callBoth('get_job_details', { job_id: wf.jobIds.get('flaky') })
    expect(flaky).toMatchObject({ status: 'ready', attempt_id: 2, resource_requirements: { memory: '8g' } })
    const fine = await callBoth('get_job_details', { job_id: wf.jobIds.get('fine') })
    expect(fine.resource_requirements.memory).toBe('4g')
    const broken = await callBoth('get_job_details', { job_id: wf.jobIds.get('broken') })
    expect(broken).toMatchObject({
      status: 'failed',
      latest_result: { status: 'failed', return_code: 3, exec_time_minutes: 0.5 },
    })
    await eventually(
      () => counts(wf.id),
      (c) => c.canceled === 1
    )
    expect(await counts(wf.id)).toMatchObject({ canceled: 1, ready: 1, failed: 1, pending_failed: 0 })
  })

  it('rejects memory on a fail decision before touching anything', async () => {
    const res = await rest('classify_and_resolve_failures', {
      workflow_id: 1,
      classifications: [{ job_id: 1, action: 'fail', memory: '8g' }],
    })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain('retry only')
  })
})

describe('restart_failed_jobs without job_ids', () => {
  async function mixed(name: string) {
    const wf = await createWorkflow({
      name,
      jobs: [{ name: 'f1' }, { name: 'f2' }, { name: 'gone' }, { name: 'cut' }, { name: 'ok' }],
    })
    await drive(wf, (job) =>
      job === 'ok'
        ? { status: 'completed', return_code: 0, exec_time_minutes: 0.1 }
        : job === 'gone'
          ? { status: 'canceled', return_code: -15, exec_time_minutes: 0 }
          : job === 'cut'
            ? { status: 'terminated', return_code: 152, exec_time_minutes: 1 }
            : { status: 'failed', return_code: 2, exec_time_minutes: 0.1 }
    )
    await stopRunner(wf)
    return wf
  }
  const ids = (wf: { jobIds: Map<string, number> }, ...names: string[]) => names.map((n) => wf.jobIds.get(n))

  it('restarts every failed, canceled and terminated job by default', async () => {
    const wf = await mixed('restart-all')
    const { preview, applied } = await previewThenApply('restart_failed_jobs', { workflow_id: wf.id })
    expect(preview.jobs_to_reset).toEqual(ids(wf, 'f1', 'f2', 'gone', 'cut'))
    expect(preview.jobs.map((j: { action: string }) => j.action)).toEqual(['reset', 'reset', 'reset', 'reset'])
    expect(applied.applied).toMatchObject({
      new_run_id: 2,
      jobs_by_status_after: { ready: 4, completed: 1, failed: 0, canceled: 0, terminated: 0 },
    })
  })

  it('honours the statuses filter, through MCP', async () => {
    const wf = await mixed('restart-statuses')
    const input = { workflow_id: wf.id, statuses: ['failed'] }
    const { preview, applied } = await previewThenApply('restart_failed_jobs', input, 'mcp')
    // Torc's initialize_jobs readies every terminated job in the new run, so the plan includes "cut".
    expect(preview.jobs_to_reset).toEqual(ids(wf, 'f1', 'f2', 'cut'))
    expect(preview.jobs.map((j: { name: string }) => j.name)).toEqual(['f1', 'f2', 'cut'])
    expect(preview.jobs[2].reason).toContain('readies every terminated job')
    // The confirm call carries the filter: applying it restarts what was previewed, not every status.
    expect(preview.confirm).toEqual({
      tool: 'restart_failed_jobs',
      arguments: { workflow_id: wf.id, statuses: ['failed'], dry_run: false, plan_id: preview.plan_id },
    })
    expect(applied.applied.jobs_by_status_after).toMatchObject({ ready: 3, canceled: 1, terminated: 0, completed: 1 })
    const named = await callBoth('restart_failed_jobs', {
      workflow_id: wf.id,
      job_ids: ids(wf, 'gone', 'ok'),
      statuses: ['terminated'],
    })
    expect(named.jobs.map((j: { name: string; action: string }) => `${j.name}:${j.action}`)).toEqual([
      'gone:skip',
      'ok:skip',
    ])
    expect(named.can_apply).toBe(false)
  })
})
