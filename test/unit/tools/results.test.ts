/**
 * list_results (src/tools/results.ts) on a scripted Torc: the filters Torc applies, failed_only as
 * three queries merged in the requested order and paged across, runs and attempts, empty answers
 * and what Torc's failures and bad data become.
 */
import { describe, expect, it } from 'vitest'
import { invoke } from '../../../src/registry.ts'
import { listResults } from '../../../src/tools/results.ts'
import { PASS, scriptedContext, torcError } from '../../helpers/scripted-torc.ts'
import { type Data, data, failure, quietToolLogs } from './harness.ts'
import { GiB, TorcModel } from './torc-model.ts'

quietToolLogs()

const call = (input: unknown, m: TorcModel) => invoke(listResults, input, scriptedContext(m.torc), 'rest')
const ids = (out: Data) => (out.results as { job_id: number }[]).map((r) => r.job_id)

/** Jobs 1000-1005 with a result each: failed, terminated, pending_failed, completed (twice), failed. */
function world() {
  const m = new TorcModel()
  const specs = [
    ['failed', 30, 4],
    ['terminated', 10, null],
    ['pending_failed', 20, 1],
    ['completed', 50, 2],
    ['completed', 5, 3],
    ['failed', 40, 8],
  ] as const
  for (const [i, [status, minutes, peak]] of specs.entries()) {
    const job = m.job(`j${i}`, null, status, { id: 1000 + i })
    m.result(job, { exec_time_minutes: minutes, peak_memory_bytes: peak === null ? null : peak * GiB })
  }
  return m
}

describe('list_results', () => {
  it("each job's current result, in id order, with Torc's paging", async () => {
    const out = data(await call({ workflow_id: 1, limit: 4, offset: 2 }, world()))
    expect(out).toMatchObject({ total: 6, offset: 2, count: 4, has_more: false })
    expect(ids(out)).toEqual([1002, 1003, 1004, 1005])
    expect(out.results[1]).toMatchObject({ status: 'completed', attempt_id: 1, avg_memory_bytes: null })
  })

  it('failed_only merges failed, terminated and pending_failed in the requested order, paged across them', async () => {
    const m = world()
    const slowest = data(
      await call({ workflow_id: 1, failed_only: true, sort_by: 'exec_time_minutes', reverse_sort: true }, m)
    )
    expect(ids(slowest)).toEqual([1005, 1000, 1002, 1001])
    expect(slowest.total).toBe(4)
    expect(m.torc.sent.map((s) => s.query.get('status')).sort()).toEqual(['failed', 'pending_failed', 'terminated'])
    const page = data(
      await call({ workflow_id: 1, failed_only: true, sort_by: 'exec_time_minutes', limit: 2, offset: 1 }, m)
    )
    expect(ids(page)).toEqual([1002, 1000])
    expect(page).toMatchObject({ total: 4, count: 2, has_more: true })
  })

  it('merging by a column with missing values puts them first ascending, as SQLite does', async () => {
    const out = data(await call({ workflow_id: 1, failed_only: true, sort_by: 'peak_memory_bytes' }, world()))
    expect(ids(out)).toEqual([1001, 1002, 1000, 1005])
    expect(out.results[0].peak_memory_bytes).toBeNull()
  })

  it('failed_only with a status that is no failure is an empty page, without asking Torc', async () => {
    const m = world()
    const out = data(await call({ workflow_id: 1, failed_only: true, status: 'completed' }, m))
    expect(out).toMatchObject({ total: 0, count: 0, results: [] })
    expect(m.torc.sent).toEqual([])
  })

  it('run_id asks for every attempt of that run (all_runs); the filters reach Torc', async () => {
    const m = world()
    const job = m.jobs.get(1000)!
    m.workflow.run_id = 2
    m.result(job, { run_id: 2, attempt_id: 1, return_code: 1 })
    m.result(job, { run_id: 2, attempt_id: 2, return_code: 0, status: 'completed' })
    const out = data(await call({ workflow_id: 1, job_id: 1000, run_id: 2 }, m))
    expect(out.results.map((r: { attempt_id: number }) => r.attempt_id)).toEqual([1, 2])
    const q = m.torc.sent[0]!.query
    expect([q.get('all_runs'), q.get('run_id'), q.get('job_id')]).toEqual(['true', '2', '1000'])
    const current = data(await call({ workflow_id: 1, job_id: 1000 }, m))
    expect(current.results).toHaveLength(1)
  })

  it('refuses a sort column Torc would interpolate into SQL, naming the field', async () => {
    const m = world()
    const out = failure(await call({ workflow_id: 1, sort_by: 'id; DROP TABLE result' }, m))
    expect(out.code).toBe('invalid_input')
    expect(out.message).toMatch(/^invalid input: sort_by: /)
    expect(m.torc.sent).toEqual([])
  })

  it('no results yet: an empty page; a result with a bad return code is upstream_error naming it', async () => {
    const m = new TorcModel()
    expect(data(await call({ workflow_id: 1 }, m))).toMatchObject({ total: 0, has_more: false, results: [] })
    m.result(m.job('x', null, 'failed'), { return_code: 'oops' as never })
    const bad = failure(await call({ workflow_id: 1 }, m))
    expect(bad.code).toBe('upstream_error')
    expect(bad.message).toContain('at items.0.return_code')
  })

  it('one of the three failed_only queries failing fails the answer (no partial merge shown as complete)', async () => {
    const m = world()
    m.torc.on('GET', '/results', (s) => (s.query.get('status') === 'terminated' ? torcError(503, 'busy') : PASS))
    const out = failure(await call({ workflow_id: 1, failed_only: true }, m))
    expect(out.code).toBe('upstream_error')
    expect(out.message).toContain('HTTP 503')
  })
})
