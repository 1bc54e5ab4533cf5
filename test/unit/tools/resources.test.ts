/**
 * update_job_resources (src/tools/resources.ts) on a scripted Torc: the change contract, which
 * requirement changes (in place, a copy for the job, the shared one), refusals before anything is
 * sent, and what Torc's failures of a write become.
 */
import { describe, expect, it } from 'vitest'
import { updateJobResources } from '../../../src/tools/resources.ts'
import { torcError } from '../../helpers/scripted-torc.ts'
import { changeContract, session } from './change-contract.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { TorcModel } from './torc-model.ts'

quietToolLogs()

/** Two jobs sharing "big"; a third with its own "solo". */
function world() {
  const m = new TorcModel()
  const big = m.requirement('big', { memory: '10g' })
  const solo = m.requirement('solo', { memory: '4g', num_cpus: 2 })
  const a = m.job('a', big)
  const b = m.job('b', big)
  const c = m.job('c', solo)
  return Object.assign(m, { big, solo, a, b, c })
}
const state = (m: ReturnType<typeof world>) => ({
  requirements: [...m.requirements.values()].map(({ id, name, memory, num_cpus, runtime }) => ({
    id,
    name,
    memory,
    num_cpus,
    runtime,
  })),
  jobs: [...m.jobs.values()].map((j) => [j.id, j.resource_requirements_id]),
})
const contract = {
  tool: updateJobResources,
  world,
  state,
  get input() {
    return { job_id: 1003, memory: '20g' }
  },
  differing: { memory: '30g' },
  midway: { method: 'PUT', path: /^\/jobs\/\d+$/ },
  firstRead: { method: 'GET', path: /^\/jobs\/\d+$/ },
}

describe('update_job_resources: the change contract (a shared requirement: the job gets its own copy)', () => {
  changeContract(contract)
})

describe('update_job_resources', () => {
  it('a shared requirement: previews a copy for this job, and only this job moves to it', async () => {
    const m = world()
    const { call } = session(contract, m)
    const preview = data(await call({ job_id: m.a.id, memory: '20g' }))
    expect(preview).toMatchObject({
      action: 'copy_for_job',
      requirement_name: 'big',
      previous: { memory: '10g', num_cpus: 1, runtime: 'PT30M' },
      proposed: { memory: '20g', num_cpus: 1, runtime: 'PT30M' },
      shared_with_job_ids: [m.b.id],
      shared_with_count: 1,
    })
    const applied = data(await call(preview.confirm.arguments))
    const copy = m.requirements.get(applied.applied.resource_requirements_id)!
    expect(copy).toMatchObject({ name: `big_job${m.a.id}`, memory: '20g' })
    expect(m.jobs.get(m.a.id)!.resource_requirements_id).toBe(copy.id)
    expect(m.jobs.get(m.b.id)!.resource_requirements_id).toBe(m.big.id)
    expect(m.big.memory).toBe('10g')
  })

  it('scope "shared" changes the requirement for every job using it; one not shared changes in place', async () => {
    const m = world()
    const { call } = session(contract, m)
    const shared = data(await call({ job_id: m.a.id, runtime: 'PT2H', scope: 'shared' }))
    expect(shared.action).toBe('change_shared')
    data(await call(shared.confirm.arguments))
    expect(m.big.runtime).toBe('PT2H')
    const solo = data(await call({ job_id: m.c.id, num_cpus: 8 }))
    expect(solo).toMatchObject({ action: 'change_in_place', shared_with_count: 0 })
    const done = data(await call(solo.confirm.arguments))
    expect(done.applied).toEqual({
      resource_requirements_id: m.solo.id,
      current: { num_cpus: 8, memory: '4g', runtime: 'PT30M' },
    })
    expect(m.requirements.size).toBe(2)
  })

  it('the values it already has: blocked with the reason, no confirm; its plan_id is refused with 409', async () => {
    const m = world()
    const { call } = session(contract, m)
    const preview = data(await call({ job_id: m.c.id, memory: '4g' }))
    expect(preview).toMatchObject({ action: 'none', can_apply: false, confirm: null })
    expect(preview.blockers).toEqual([`job ${m.c.id} already requests these values ("solo"): nothing to change`])
    const refused = failure(await call({ job_id: m.c.id, memory: '4g', dry_run: false, plan_id: preview.plan_id }))
    expect(refused.status).toBe(409)
    expect(refused.message).toMatch(/^cannot apply this plan now: job \d+ already requests these values/)
  })

  it('refuses, before any write, a call with nothing to change, a bad memory, a job without requirement', async () => {
    const m = world()
    const bare = m.job('bare', null)
    const { call } = session(contract, m)
    expect(failure(await call({ job_id: m.a.id }))).toMatchObject({
      code: 'invalid_input',
      message: 'invalid input: give at least one of num_cpus, memory, runtime',
    })
    const bad = failure(await call({ job_id: m.a.id, memory: '10 GB' }))
    expect(bad.code).toBe('invalid_input')
    expect(bad.message).toMatch(/^invalid input: memory: memory must be a whole number/)
    expect(failure(await call({ job_id: bare.id, memory: '2g' }))).toMatchObject({
      code: 'invalid_input',
      message: `job ${bare.id} has no resource requirements to update`,
    })
    expect(failure(await call({ job_id: 99_999, memory: '2g' })).code).toBe('not_found')
    expect(m.torc.calls().filter((c) => !c.startsWith('GET'))).toEqual([])
  })

  it('Torc rejecting the first write (422) is invalid_input with its reason; nothing was done, nothing resumes', async () => {
    const m = world()
    const { call } = session(contract, m)
    const preview = data(await call({ job_id: m.c.id, memory: '6g' }))
    m.torc.on('PUT', `/resource_requirements/${m.solo.id}`, torcError(422, 'memory exceeds the node size'), 1)
    const out = failure(await call(preview.confirm.arguments))
    expect(out.code).toBe('invalid_input')
    expect(out.message).toContain('memory exceeds the node size')
    expect(out.message).toContain('Nothing was changed.')
    expect(data(await call({ job_id: m.c.id, memory: '6g' })).resuming).toBe(false)
  })

  it('a write left unanswered (a hang) may have landed: upstream_timeout saying so, and the plan resumes', async () => {
    const m = world()
    const { call } = session(contract, m, { timeoutMs: 50 })
    const preview = data(await call({ job_id: m.c.id, memory: '6g' }))
    m.torc.on('PUT', `/resource_requirements/${m.solo.id}`, { fault: 'hang' }, 1)
    const out = failure(await call(preview.confirm.arguments))
    expect(out.code).toBe('upstream_timeout')
    expect(out.message).toContain('it may have taken effect: Torc did not answer')
    const resumed = data(await call({ job_id: m.c.id, memory: '6g' }))
    expect(resumed).toMatchObject({ resuming: true, plan_id: preview.plan_id })
    data(await call(resumed.confirm.arguments))
    expect(m.solo.memory).toBe('6g')
  })
})
