/**
 * cancel_workflow, cancel_jobs and restart_failed_jobs (src/tools/control.ts) on a scripted Torc:
 * the change contract for each, and what each does with jobs it cannot touch.
 */
import { describe, expect, it } from 'vitest'
import { cancelJobs, cancelWorkflow, restartFailedJobs } from '../../../src/tools/control.ts'
import { changeContract, session } from './change-contract.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { TorcModel } from './torc-model.ts'

quietToolLogs()

/** Jobs 1001-1006 on one requirement: running, pending, ready, ready, failed, canceled. */
function world() {
  const m = new TorcModel()
  const rr = m.requirement('work')
  const jobs = (['running', 'pending', 'ready', 'ready', 'failed', 'canceled'] as const).map((s, i) =>
    m.job(`j${i + 1}`, rr, s)
  )
  for (const j of jobs.slice(4)) m.result(j)
  return m
}
const state = (m: TorcModel) => ({
  canceled: m.workflow.is_canceled,
  run: m.workflow.run_id,
  jobs: [...m.jobs.values()].map((j) => [j.id, j.status]),
})

describe('cancel_workflow: the change contract', () => {
  changeContract({
    tool: cancelWorkflow,
    world,
    state,
    input: { workflow_id: 1 },
    // After the cancel: the plan's, the apply's and then the answer's status read.
    midway: { method: 'GET', path: '/workflows/1/status', nth: 3 },
    firstRead: { method: 'GET', path: '/workflows/1/status' },
  })
})

describe('cancel_workflow', () => {
  it('counts the running and pending jobs Torc cancels; a canceled workflow is not canceled again', async () => {
    const m = world()
    m.scheduled.push({ id: 1, scheduler_id: 77, status: 'active' })
    const { call } = session({ tool: cancelWorkflow }, m)
    const preview = data(await call({ workflow_id: 1 }))
    expect(preview).toMatchObject({
      already_canceled: false,
      jobs_to_cancel: 2,
      slurm_allocations: 1,
      slurm_command: 'torc cancel 1',
      cancels_allocations: false,
    })
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied).toMatchObject({ jobs_by_status_after: { canceled: 3, ready: 2 }, slurm_canceled: null })
    expect(applied.next_steps).toContain('they keep running until `torc cancel 1` runs on a login node')
    const again = data(await call({ workflow_id: 1 }))
    expect(again.already_canceled).toBe(true)
    data(await call(again.confirm.arguments))
    expect(m.torc.calls().filter((c) => c === 'PUT /workflows/1/cancel')).toHaveLength(1)
  })
})

describe('cancel_jobs: the change contract', () => {
  changeContract({
    tool: cancelJobs,
    world,
    state,
    input: { job_ids: [1004, 1003] },
    differing: { job_ids: [1003] },
    midway: { method: 'POST', path: /^\/jobs\/\d+\/complete_job\/canceled\/1$/, nth: 2 },
    firstRead: { method: 'GET', path: /^\/jobs\/\d+$/ },
  })
})

describe('cancel_jobs', () => {
  it('cancels jobs not started (recorded with -15); skips running and finished ones, saying why', async () => {
    const m = world()
    const { call } = session({ tool: cancelJobs }, m)
    const preview = data(await call({ job_ids: [1001, 1003, 1005, 1003] }))
    expect(preview.jobs).toEqual([
      {
        job_id: 1001,
        name: 'j1',
        status: 'running',
        action: 'skip',
        reason: 'already running on a job runner: only cancel_workflow can stop it from here',
      },
      {
        job_id: 1003,
        name: 'j3',
        status: 'ready',
        action: 'cancel',
        reason: 'canceled before it runs; Torc cancels the jobs that depend on it',
      },
      { job_id: 1005, name: 'j5', status: 'failed', action: 'skip', reason: 'already failed: nothing to cancel' },
    ])
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied.jobs_canceled).toEqual([1003])
    const recorded = m.torc.sent.find((s) => s.path === '/jobs/1003/complete_job/canceled/1')
    expect(recorded?.body).toMatchObject({ return_code: -15, status: 'canceled', run_id: 1 })
    expect(m.jobs.get(1001)!.status).toBe('running')
  })

  it('none cancelable: blocked; jobs of two workflows: invalid_input naming both', async () => {
    const m = world()
    const { call } = session({ tool: cancelJobs }, m)
    expect(data(await call({ job_ids: [1005, 1006] })).blockers).toEqual([
      'none of these jobs can be canceled (see jobs[].reason)',
    ])
    m.job('other', null, 'ready', { id: 5000, workflow_id: 2 })
    expect(failure(await call({ job_ids: [1003, 5000] }))).toMatchObject({
      code: 'invalid_input',
      message: "invalid input: job_ids: the jobs belong to workflows 1, 2; cancel one workflow's jobs at a time",
    })
  })
})

/** A finished workflow to restart: failed, canceled, terminated and completed jobs. */
function finished() {
  const m = new TorcModel()
  const rr = m.requirement('work')
  for (const [i, s] of (['failed', 'canceled', 'terminated', 'completed'] as const).entries())
    m.result(m.job(`f${i}`, rr, s))
  return m
}

describe('restart_failed_jobs: the change contract', () => {
  changeContract({
    tool: restartFailedJobs,
    world: finished,
    state,
    input: { workflow_id: 1 },
    differing: { statuses: ['failed'] },
    midway: { method: 'POST', path: '/workflows/1/reset_status' },
    firstRead: { method: 'GET', path: '/workflows/1/status' },
  })
})

describe('restart_failed_jobs', () => {
  it('restarts the chosen statuses; a terminated job reruns anyway (Torc readies it), and the preview says so', async () => {
    const m = finished()
    const { call } = session({ tool: restartFailedJobs }, m)
    const preview = data(await call({ workflow_id: 1, statuses: ['failed'], job_ids: [1001, 1004, 42] }))
    expect(preview.jobs.map((j: { job_id: number; action: string }) => [j.job_id, j.action])).toEqual([
      [42, 'skip'],
      [1001, 'reset'],
      [1003, 'reset'],
      [1004, 'skip'],
    ])
    expect(preview.jobs[0].reason).toBe('not a job of workflow 1')
    expect(preview.jobs[2].reason).toMatch(/^Torc's initialize_jobs readies every terminated job/)
    expect(preview.jobs[3].reason).toBe('status completed is not one of failed')
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied).toMatchObject({
      new_run_id: 2,
      jobs_by_status_after: { ready: 2, canceled: 1, completed: 1 },
    })
    expect(applied.next_steps).toBe(
      'Reset 2 job(s) for run 2. They run when a job runner is active: on the cluster, `torc run 1`.'
    )
  })

  it('nothing to restart, or jobs still running: blocked, saying why', async () => {
    const { call } = session({ tool: restartFailedJobs }, world())
    const blocked = data(await call({ workflow_id: 1, statuses: ['terminated'] }))
    // Ready, ready and pending: the running job is on no compute node (an orphan, not a live job).
    expect(blocked.blockers).toEqual([
      '3 job(s) are still ready, pending or running: wait for them ' +
        'to finish, or cancel the workflow first (cancel_workflow).',
      'no job to restart',
    ])
  })
})
