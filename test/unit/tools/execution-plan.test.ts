/**
 * get_execution_plan (src/tools/execution-plan.ts): from a spec (no Torc at all) and from a
 * workflow in a scripted Torc (its jobs with their dependencies, its actions), a plan too long for
 * one answer, and what bad specs and Torc's failures become.
 */
import { describe, expect, it } from 'vitest'
import { invoke } from '../../../src/registry.ts'
import { getExecutionPlan } from '../../../src/tools/execution-plan.ts'
import { scriptedContext, torcError } from '../../helpers/scripted-torc.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { TorcModel } from './torc-model.ts'

quietToolLogs()

const call = (input: unknown, m = new TorcModel()) => invoke(getExecutionPlan, input, scriptedContext(m.torc), 'rest')
const SPEC = JSON.stringify({
  name: 'diamond',
  jobs: [
    { name: 'prep', command: 'p' },
    { name: 'left', command: 'l', depends_on: ['prep'] },
    { name: 'right', command: 'r', depends_on: ['prep'] },
    { name: 'join', command: 'j', depends_on: ['left', 'right'] },
  ],
})

/** The same diamond, created: jobs 1001-1004 with their dependencies by id. */
function created() {
  const m = new TorcModel()
  const prep = m.job('prep', null, 'ready')
  const left = m.job('left', null, 'blocked', { depends_on_job_ids: [prep.id] })
  const right = m.job('right', null, 'blocked', { depends_on_job_ids: [prep.id] })
  m.job('join', null, 'blocked', { depends_on_job_ids: [left.id, right.id] })
  return m
}
const ready = (out: Record<string, any>) =>
  out.events.map((e: { jobs_becoming_ready: string[] }) => e.jobs_becoming_ready)

describe('get_execution_plan', () => {
  it('from a spec: the events in order, each with the jobs it makes ready; Torc is not asked', async () => {
    const m = new TorcModel()
    const out = data(await call({ spec_or_id: SPEC }, m))
    expect(out).toMatchObject({
      source: 'spec',
      workflow_name: 'diamond',
      total_jobs: 4,
      total_events: 3,
      events_truncated: false,
    })
    expect(out.workflow_id).toBeUndefined()
    expect(ready(out)).toEqual([['prep'], ['left', 'right'], ['join']])
    expect(out.root_events).toEqual([out.events[0].id])
    expect(out.leaf_events).toEqual([out.events[2].id])
    expect(m.torc.sent).toEqual([])
  })

  it('from a workflow id (a number, or digits as text): the same plan from Torc, with relationships asked for', async () => {
    for (const id of [1, ' 1 ']) {
      const m = created()
      const out = data(await call({ spec_or_id: id }, m))
      expect(out).toMatchObject({
        source: 'database',
        workflow_id: 1,
        workflow_name: 'sweep',
        total_jobs: 4,
        total_events: 3,
      })
      expect(ready(out)).toEqual([['prep'], ['left', 'right'], ['join']])
      expect(m.torc.sent.find((s) => s.path === '/jobs')?.query.get('include_relationships')).toBe('true')
    }
  })

  it('a plan too long for one answer keeps its first events and says so; total_events counts them all', async () => {
    const jobs = Array.from({ length: 3000 }, (_, i) => ({
      name: `s${i}`,
      command: 'x',
      ...(i ? { depends_on: [`s${i - 1}`] } : {}),
    }))
    const out = data(await call({ spec_or_id: JSON.stringify({ name: 'chain', jobs }) }))
    expect(out.total_events).toBe(3000)
    expect(out.events_truncated).toBe(true)
    expect(out.events.length).toBeLessThan(3000)
    expect(JSON.stringify(out).length).toBeLessThan(100_000)
  })

  it('a spec that does not parse, or lacks a required field, is invalid_input saying where', async () => {
    const unparsed = failure(await call({ spec_or_id: 'name: x\njobs: [' }))
    expect(unparsed.code).toBe('invalid_input')
    expect(unparsed.message).toMatch(/^invalid spec: /)
    const incomplete = failure(await call({ spec_or_id: JSON.stringify({ name: 'x', jobs: [{ name: 'a' }] }) }))
    expect(incomplete.code).toBe('invalid_input')
    expect(incomplete.message).toMatch(/^invalid spec: .*command/)
  })

  it('a dependency on a job the spec lacks is ignored, as torc 1.0.0 plans it (create_workflow flags it)', async () => {
    const spec = JSON.stringify({ name: 'x', jobs: [{ name: 'a', command: 'a', depends_on: ['ghost'] }] })
    expect(ready(data(await call({ spec_or_id: spec })))).toEqual([['a']])
  })

  it('a workflow Torc does not know is not_found; its jobs failing is upstream_error; bad job data names the field', async () => {
    expect(failure(await call({ spec_or_id: 7 }, created()))).toMatchObject({
      code: 'not_found',
      message: 'workflow 7 not found',
    })
    const m = created()
    m.torc.on('GET', '/workflows/1/actions', torcError(500, 'database is locked'), 1)
    expect(failure(await call({ spec_or_id: 1 }, m)).code).toBe('upstream_error')
    m.jobs.get(1001)!.depends_on_job_ids = ['prep' as never]
    expect(failure(await call({ spec_or_id: 1 }, m)).message).toContain('at items.1.depends_on_job_ids.0')
  })
})
