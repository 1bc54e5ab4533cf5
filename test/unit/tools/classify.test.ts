/**
 * classify_and_resolve_failures (src/tools/classify.ts) on a scripted Torc: the change contract,
 * each decision's preview, jobs it will not classify, and a retry Torc refuses midway leaving the
 * job pending_failed (never stuck in running).
 */
import { describe, expect, it } from 'vitest'
import { classifyAndResolveFailures } from '../../../src/tools/classify.ts'
import { torcError } from '../../helpers/scripted-torc.ts'
import { changeContract, session } from './change-contract.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { TorcModel } from './torc-model.ts'

quietToolLogs()

/** Jobs 1001 and 1002 pending_failed on the shared "work"; 1003 completed on it. */
function world() {
  const m = new TorcModel()
  const work = m.requirement('work', { memory: '8g', runtime: 'PT1H' })
  for (const [name, status] of [
    ['a', 'pending_failed'],
    ['b', 'pending_failed'],
    ['c', 'completed'],
  ] as const)
    m.result(m.job(name, work, status), { return_code: status === 'completed' ? 0 : 1 })
  return Object.assign(m, { work })
}
const state = (m: TorcModel) => ({
  jobs: [...m.jobs.values()].map((j) => [
    j.id,
    j.status,
    j.attempt_id,
    m.requirements.get(j.resource_requirements_id!),
  ]),
  results: m.results.map((r) => [r.job_id, r.status, r.return_code]).sort(),
})
const decisions = [
  { job_id: 1001, action: 'retry', memory: '16g', reason: 'node was preempted' },
  { job_id: 1002, action: 'fail' },
]
const contract = {
  tool: classifyAndResolveFailures,
  world,
  state,
  input: { workflow_id: 1, classifications: decisions },
  differing: { classifications: [{ ...decisions[0], memory: '32g' }, decisions[1]] },
  midway: { method: 'POST', path: '/jobs/1002/complete_job/failed/1' },
  firstRead: { method: 'GET', path: '/jobs' },
}

describe('classify_and_resolve_failures: the change contract', () => {
  changeContract(contract)
})

describe('classify_and_resolve_failures', () => {
  it('previews each decision: a retry with more memory on a shared requirement gets its own copy', async () => {
    const m = world()
    const { call } = session(contract, m)
    const preview = data(await call(contract.input))
    expect(preview.jobs).toEqual([
      {
        job_id: 1001,
        name: 'a',
        status: 'pending_failed',
        action: 'retry',
        reason: 'node was preempted',
        attempt_id: 1,
        memory: { old: '8g', new: '16g' },
        runtime: null,
        requirement: 'own_copy',
      },
      {
        job_id: 1002,
        name: 'b',
        status: 'pending_failed',
        action: 'fail',
        reason: 'mark failed',
        attempt_id: 1,
        memory: null,
        runtime: null,
        requirement: null,
      },
    ])
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied).toEqual({ retried: [{ job_id: 1001, attempt_id: 2 }], failed: [1002] })
    expect(m.jobs.get(1001)).toMatchObject({ status: 'ready', attempt_id: 2 })
    expect(m.requirements.get(m.jobs.get(1001)!.resource_requirements_id!)).toMatchObject({
      name: 'work_job1001',
      memory: '16g',
    })
    expect(m.work.memory).toBe('8g')
    expect(m.jobs.get(1002)!.status).toBe('failed')
    expect(m.results.filter((r) => r.job_id === 1002).map((r) => r.status)).toEqual(['failed'])
    expect(applied.next_steps).toMatch(/^Retried 1 job\(s\) .*`torc run 1`\) and marked 1 failed\.$/)
  })

  it('skips jobs that are not pending_failed or not in the workflow; with none left it is blocked', async () => {
    const m = world()
    const { call } = session(contract, m)
    const preview = data(
      await call({
        workflow_id: 1,
        classifications: [
          { job_id: 1003, action: 'retry' },
          { job_id: 999, action: 'fail' },
        ],
      })
    )
    expect(preview.jobs.map((j: { action: string; reason: string }) => [j.action, j.reason])).toEqual([
      ['skip', 'status completed: only pending_failed jobs are classified'],
      ['skip', 'not a job of workflow 1'],
    ])
    expect(preview.blockers).toEqual(['no pending_failed job to classify (see jobs[].reason)'])
  })

  it('refuses memory or runtime on a fail decision, before reading Torc', async () => {
    const m = world()
    const { call } = session(contract, m)
    const out = failure(
      await call({ workflow_id: 1, classifications: [{ job_id: 1002, action: 'fail', memory: '9g' }] })
    )
    expect(out).toMatchObject({
      code: 'invalid_input',
      message: 'invalid input: classifications: job 1002: memory and runtime apply to retry only',
    })
    expect(m.torc.sent).toEqual([])
  })

  it('Torc refusing the retry puts the job back to pending_failed; the same plan then finishes it', async () => {
    const m = world()
    const { call } = session(contract, m)
    const input = { workflow_id: 1, classifications: [{ job_id: 1002, action: 'retry' }] }
    const preview = data(await call(input))
    m.torc.on('POST', '/jobs/1002/retry/1', torcError(422, 'max retries exceeded'), 1)
    const out = failure(await call(preview.confirm.arguments))
    expect(out.code).toBe('invalid_input')
    expect(out.message).toContain('retried job 1002 failed: Torc rejected POST /jobs/1002/retry/1 (HTTP 422)')
    expect(m.jobs.get(1002)).toMatchObject({ status: 'pending_failed', attempt_id: 1 })
    const again = data(await call(input))
    expect(again).toMatchObject({ resuming: false, plan_id: preview.plan_id })
    data(await call(again.confirm.arguments))
    expect(m.jobs.get(1002)).toMatchObject({ status: 'ready', attempt_id: 2 })
  })
})
