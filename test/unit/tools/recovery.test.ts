/**
 * recover_workflow (src/tools/recovery.ts) on a scripted Torc: the change contract, the plan for
 * jobs killed out of memory, what blocks a recovery (jobs still running, pending_failed jobs,
 * allocations), orphaned running jobs failed with -128, and a Slurm workflow without the agent.
 */
import { describe, expect, it } from 'vitest'
import { recoverWorkflow } from '../../../src/tools/recovery.ts'
import { torcError } from '../../helpers/scripted-torc.ts'
import { changeContract, session } from './change-contract.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { GiB, TorcModel } from './torc-model.ts'

quietToolLogs()

/** Three jobs on "work" (10g): two killed out of memory (137, peaks 10.5 GiB and 11 GiB), one completed. */
function world() {
  const m = new TorcModel()
  const work = m.requirement('work', { memory: '10g' })
  const oom = [m.job('oom_1', work, 'failed'), m.job('oom_2', work, 'failed')]
  for (const [i, j] of oom.entries()) m.result(j, { return_code: 137, peak_memory_bytes: (10.5 + i / 2) * GiB })
  const fine = m.job('fine', work, 'completed')
  m.result(fine, { peak_memory_bytes: 3 * GiB })
  return Object.assign(m, { work, oom, fine })
}
const state = (m: ReturnType<typeof world>) => ({
  memory: m.work.memory,
  run: m.workflow.run_id,
  jobs: [...m.jobs.values()].map((j) => [j.name, j.status]),
})
const contract = {
  tool: recoverWorkflow,
  world,
  state,
  input: { workflow_id: 1 },
  differing: { memory_multiplier: 3 },
  midway: { method: 'POST', path: '/workflows/1/reset_status' },
  firstRead: { method: 'GET', path: '/workflows/1/status' },
}

describe('recover_workflow: the change contract', () => {
  changeContract(contract)
})

describe('recover_workflow', () => {
  it('plans 1.5x memory for the OOM jobs (shared with the completed one), then resets them into run 2', async () => {
    const m = world()
    const { call } = session(contract, m)
    const preview = data(await call({ workflow_id: 1 }))
    expect(preview).toMatchObject({
      counts: { oom: 2, timeout: 0, node_failure: 0, unknown: 0 },
      jobs_to_retry: m.oom.map((j) => j.id),
      rerun_command: 'torc run 1',
      slurm: null,
      run_id: 1,
    })
    expect(preview.summary).toMatch(/^2 job\(s\) did not succeed: 2 out of memory\. Retry 2 after 1 resource change/)
    expect(preview.adjustments).toEqual([
      expect.objectContaining({
        name: 'work',
        memory: expect.objectContaining({ old: '10g', new: '15g' }),
        shared_with_job_ids: [m.fine.id],
      }),
    ])
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied).toMatchObject({
      requirements_updated: [{ id: m.work.id, memory: '15g', runtime: 'PT30M' }],
      jobs_reset: m.oom.map((j) => j.id),
      new_run_id: 2,
      jobs_by_status_after: { ready: 2, completed: 1, failed: 0 },
      slurm_submitted: null,
    })
    expect(applied.next_steps).toBe('Recovered: 2 job(s) reset for run 2. To run them, on the cluster: `torc run 1`.')
  })

  it('stopped after the new run started: finishing initializes the jobs, and starts no second run', async () => {
    const m = world()
    const { call } = session(contract, m)
    const preview = data(await call({ workflow_id: 1 }))
    m.torc.nth('POST', '/workflows/1/initialize_jobs', 1, torcError(500, 'database is locked'))
    const stopped = failure(await call(preview.confirm.arguments))
    expect(stopped.message).toContain('started a new run (reset_status)')
    expect(m.workflow.run_id).toBe(2)
    const finished = data(await call(data(await call({ workflow_id: 1 })).confirm.arguments))
    expect(finished.applied).toMatchObject({ new_run_id: 2, jobs_by_status_after: { ready: 2 } })
    expect(m.torc.calls().filter((c) => c === 'POST /workflows/1/reset_status')).toHaveLength(1)
  })

  it('a given multiplier is applied as given, with a warning when it lands below the observed peak', async () => {
    const m = world()
    const { call } = session(contract, m)
    const preview = data(await call({ workflow_id: 1, memory_multiplier: 1.05 }))
    expect(preview.adjustments[0].memory).toMatchObject({ old: '10g', new: '11g' })
    expect(preview.warnings).toEqual([expect.stringMatching(/below/)])
  })

  it('blocks while jobs still run, jobs await classification or allocations are out, each saying what to do', async () => {
    const m = world()
    m.job('busy', m.work, 'running', { compute_node_id: 3 })
    m.computeNodes.push({ id: 3, is_active: true })
    m.job('undecided', m.work, 'pending_failed')
    m.scheduled.push({ id: 1, scheduler_id: 4242, status: 'active' })
    const { call } = session(contract, m)
    const preview = data(await call({ workflow_id: 1 }))
    expect(preview).toMatchObject({ can_apply: false, confirm: null })
    expect(preview.blockers).toEqual([
      '1 job(s) are still ready, pending or running: wait for them ' +
        'to finish, or cancel the workflow first (cancel_workflow).',
      '1 job(s) are pending_failed, awaiting classification: resolve them with classify_and_resolve_failures first.',
      '1 job runner(s) are still active: wait for them to exit.',
      '1 Slurm allocation(s) are still pending or active: wait for them, or cancel ' +
        'the workflow and its allocations on a login node with `torc cancel 1`.',
    ])
    expect(preview.next_steps).toMatch(/^It cannot be applied now: /)
  })

  it('nothing failed: blocked with "nothing to recover"', async () => {
    const m = new TorcModel()
    const rr = m.requirement('work')
    m.result(m.job('ok', rr))
    const { call } = session(contract, m)
    const preview = data(await call({ workflow_id: 1 }))
    expect(preview.blockers).toEqual([
      'nothing to recover in workflow 1: No failed, terminated or orphaned jobs: nothing to recover.',
    ])
  })

  it('a job still marked running on a vanished compute node is failed with -128 and rerun', async () => {
    const m = world()
    const lost = m.job('lost', m.work, 'running', { compute_node_id: 9 })
    const { call } = session(contract, m)
    const preview = data(await call({ workflow_id: 1 }))
    expect(preview.orphaned_running_jobs).toEqual([{ job_id: lost.id, job_name: 'lost', compute_node_id: 9 }])
    expect(preview.jobs_to_retry).toContain(lost.id)
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied.orphans_failed).toEqual([lost.id])
    const completion = m.torc.sent.find((s) => s.path === `/jobs/${lost.id}/complete_job/failed/1`)
    expect(completion?.body).toMatchObject({ return_code: -128, compute_node_id: 9, status: 'failed' })
    expect(m.jobs.get(lost.id)!.status).toBe('ready')
  })

  it('a Slurm workflow without the agent: the allocations it needs and the command to run on a login node', async () => {
    const m = world()
    m.schedulers.push({ id: 1, name: 'short', account: 'proj', walltime: '04:00:00', nodes: 1 })
    const { call } = session(contract, m)
    const preview = data(await call({ workflow_id: 1 }))
    expect(preview.rerun_command).toBe('torc slurm regenerate 1 --submit')
    expect(preview.slurm).toMatchObject({ needed: true, via_agent: false, command: 'torc slurm regenerate 1 --submit' })
    expect(preview.slurm.requirements).toEqual([expect.objectContaining({ name: 'work', job_count: 2, memory: '15g' })])
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied.slurm_submitted).toBeNull()
    expect(applied.next_steps).toContain('`torc slurm regenerate 1 --submit` (it plans and submits Slurm allocations')
  })
})
