/**
 * analyze_resource_usage (src/tools/usage.ts) on a scripted Torc: what a real server will not give
 * on demand (jobs with no requirement, halves to round, a workflow too big for one Torc page or one
 * answer, an empty workflow) and what Torc's failures become. The statistics on a real server:
 * test/integration/usage.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { invoke } from '../../../src/registry.ts'
import { analyzeResourceUsage } from '../../../src/tools/usage.ts'
import { scriptedContext, torcError } from '../../helpers/scripted-torc.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { GiB, TorcModel } from './torc-model.ts'

quietToolLogs()

const call = (input: unknown, m: TorcModel) => invoke(analyzeResourceUsage, input, scriptedContext(m.torc), 'rest')

describe('analyze_resource_usage', () => {
  it('groups by requirement id, jobs with no requirement last; means and medians to 2 decimals, memory in whole bytes', async () => {
    const m = new TorcModel()
    const rr = m.requirement('work', { memory: '4g' })
    m.result(m.job('a', rr), { exec_time_minutes: 1.125, peak_cpu_percent: 50.005, peak_memory_bytes: GiB })
    m.result(m.job('b', rr), { exec_time_minutes: 2, peak_cpu_percent: null, peak_memory_bytes: 2 * GiB + 1 })
    m.result(m.job('loose', null), { peak_memory_bytes: null })
    m.job('waiting', rr, 'ready')
    const out = data(await call({ workflow_id: 1 }, m))
    expect(out).toMatchObject({
      total_jobs: 4,
      total_jobs_with_results: 3,
      resource_groups_total: 2,
      jobs_without_results: [{ name: 'waiting' }],
      size_limited: false,
    })
    const [work, none] = out.resource_groups
    expect(work).toMatchObject({ name: 'work', job_count: 3, jobs_with_results: 2 })
    expect(work.summary.exec_time_minutes).toEqual({ min: 1.125, max: 2, mean: 1.56, median: 1.56 })
    expect(work.summary.peak_cpu_percent).toEqual({ min: 50.005, max: 50.005, mean: 50.01, median: 50.01 })
    expect(work.summary.peak_memory_bytes).toMatchObject({
      median: Math.trunc((3 * GiB + 1) / 2),
      min_formatted: '1g',
      max_formatted: '3g',
    })
    expect(work.jobs[0]).toMatchObject({ name: 'a', exec_time_minutes: 1.13, peak_memory_formatted: '1g' })
    expect(none).toMatchObject({ resource_requirements_id: null, name: null, config: null, job_count: 1 })
    expect(none.summary.peak_memory_bytes).toBeNull()
  })

  it('completed_only counts return code 0 only; one group shows just that group, counts still cover all', async () => {
    const m = new TorcModel()
    const small = m.requirement('small')
    const big = m.requirement('big')
    m.result(m.job('ok', small))
    m.result(m.job('bad', small, 'failed'), { return_code: 137 })
    m.result(m.job('other', big))
    const out = data(await call({ workflow_id: 1, completed_only: true, resource_requirements_id: small.id }, m))
    expect(out.resource_groups.map((g: { name: string }) => g.name)).toEqual(['small'])
    expect(out.resource_groups[0]).toMatchObject({ job_count: 2, jobs_with_results: 1 })
    expect(out).toMatchObject({ total_jobs: 3, total_jobs_with_results: 2, jobs_without_results: [{ name: 'bad' }] })
  })

  it('an empty workflow: no groups, nothing without results', async () => {
    const out = data(await call({ workflow_id: 1 }, new TorcModel()))
    expect(out).toMatchObject({
      total_jobs: 0,
      resource_groups: [],
      resource_groups_total: 0,
      jobs_without_results: [],
    })
  })

  it('25,000 jobs: every Torc page read; rows cut to fit the answer, counts and statistics over all', async () => {
    const m = new TorcModel()
    const rr = m.requirement('sweep')
    for (let i = 0; i < 25_000; i++) m.result(m.job(`s${i}`, rr), { exec_time_minutes: i % 10 })
    const out = data(await call({ workflow_id: 1 }, m))
    const [group] = out.resource_groups
    expect(group).toMatchObject({ job_count: 25_000, jobs_with_results: 25_000 })
    expect(group.summary.exec_time_minutes).toMatchObject({ min: 0, max: 9, mean: 4.5 })
    expect(group.jobs.length + group.jobs_omitted).toBe(25_000)
    expect(group.jobs_omitted).toBeGreaterThan(0)
    expect(out.size_limited).toBe(true)
    expect(JSON.stringify(out).length).toBeLessThan(100_000)
    const offsets = (path: string) => m.torc.sent.filter((s) => s.path === path).map((s) => s.query.get('offset'))
    expect(offsets('/jobs')).toEqual(['0', '10000', '20000'])
    expect(offsets('/results')).toEqual(['0', '10000', '20000'])
  })

  it('a workflow Torc does not know is not_found; results failing is upstream_error; bad memory data names the field', async () => {
    const m = new TorcModel()
    m.torc.on('GET', '/jobs', torcError(404, 'Workflow not found with ID: 3'), 1)
    expect(failure(await call({ workflow_id: 3 }, m)).code).toBe('not_found')
    m.torc.on('GET', '/results', torcError(500, 'disk I/O error'), 1)
    expect(failure(await call({ workflow_id: 1 }, m))).toMatchObject({
      code: 'upstream_error',
      message: 'Torc failed GET /results (HTTP 500): disk I/O error',
    })
    m.result(m.job('x', null), { peak_memory_bytes: '2 GB' as never })
    expect(failure(await call({ workflow_id: 1 }, m)).message).toContain('at items.0.peak_memory_bytes')
  })
})
