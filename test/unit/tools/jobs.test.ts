/**
 * get_job_details, list_jobs_by_status and list_failed_jobs (src/tools/jobs.ts) on a scripted Torc:
 * paging (Torc's and the answer's size), empty answers, missing records, and what Torc's failures
 * and bad data become.
 */
import { describe, expect, it } from 'vitest'
import { invoke } from '../../../src/registry.ts'
import { getJobDetails, listFailedJobs, listJobsByStatus } from '../../../src/tools/jobs.ts'
import { scriptedContext, torcError } from '../../helpers/scripted-torc.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { GiB, TorcModel } from './torc-model.ts'

quietToolLogs()

const call = (tool: Parameters<typeof invoke>[0], input: unknown, m: TorcModel, timeoutMs?: number) =>
  invoke(tool, input, scriptedContext(m.torc, { timeoutMs }), 'rest')

describe('get_job_details', () => {
  it('the job with its requirement and its newest result (a retried job has one per attempt)', async () => {
    const m = new TorcModel()
    const rr = m.requirement('big', { memory: '20g', num_cpus: 4 })
    const job = m.job('train', rr, 'failed', { attempt_id: 2, depends_on_job_ids: [7], labels: ['gpu'] })
    m.result(job, { attempt_id: 1, return_code: 1 })
    m.result(job, { attempt_id: 2, return_code: 137, peak_memory_bytes: 21 * GiB })
    const out = data(await call(getJobDetails, { job_id: job.id }, m))
    expect(out).toMatchObject({
      job_id: job.id,
      status: 'failed',
      attempt_id: 2,
      labels: ['gpu'],
      depends_on_job_ids: [7],
      invocation_script: null,
      resource_requirements: { id: rr.id, name: 'big', memory: '20g', num_cpus: 4, runtime: 'PT30M' },
      latest_result: { run_id: 1, attempt_id: 2, return_code: 137, peak_memory_bytes: 21 * GiB },
    })
    const results = m.torc.sent.find((s) => s.path === '/results')!
    expect([results.query.get('sort_by'), results.query.get('reverse_sort'), results.query.get('limit')]).toEqual([
      'id',
      'true',
      '1',
    ])
  })

  it('a job that has not run and has no requirement: both null, not an error', async () => {
    const m = new TorcModel()
    const job = m.job('fresh', null, 'ready')
    const out = data(await call(getJobDetails, { job_id: job.id }, m))
    expect(out).toMatchObject({ resource_requirements: null, latest_result: null, labels: [], depends_on_job_ids: [] })
    expect(m.torc.calls()).not.toContain('GET /resource_requirements/null')
  })

  it('a missing job is not_found naming it; a bad id is refused before Torc is asked', async () => {
    const m = new TorcModel()
    expect(failure(await call(getJobDetails, { job_id: 4242 }, m))).toMatchObject({
      code: 'not_found',
      message: 'job 4242 not found',
    })
    expect(failure(await call(getJobDetails, { job_id: -1 }, m)).code).toBe('invalid_input')
    expect(m.torc.sent).toHaveLength(1)
  })

  it('a result that breaks Torc’s schema is upstream_error naming the field; a hang is upstream_timeout', async () => {
    const m = new TorcModel()
    const job = m.job('x', null, 'failed')
    m.result(job, { status: 'exploded' as never })
    const bad = failure(await call(getJobDetails, { job_id: job.id }, m))
    expect(bad.code).toBe('upstream_error')
    expect(bad.message).toMatch(/^Torc returned unexpected data for GET \/results at items\.0\.status/)
    m.torc.on('GET', '/results', { fault: 'hang' })
    expect(failure(await call(getJobDetails, { job_id: job.id }, m, 30)).code).toBe('upstream_timeout')
  })
})

describe('list_jobs_by_status', () => {
  it('pages with total and has_more, asking Torc for that status only', async () => {
    const m = new TorcModel()
    for (let i = 0; i < 7; i++) m.job(`r${i}`, null, 'running')
    m.job('done', null, 'completed')
    const out = data(await call(listJobsByStatus, { workflow_id: 1, status: 'running', limit: 3, offset: 3 }, m))
    expect(out).toMatchObject({ total: 7, offset: 3, count: 3, has_more: true, size_limited: false })
    expect(out.jobs.map((j: { name: string }) => j.name)).toEqual(['r3', 'r4', 'r5'])
    expect(m.torc.sent[0]!.query.get('status')).toBe('running')
  })

  it('none in that status: an empty page; an unknown status is refused naming the field', async () => {
    const m = new TorcModel()
    const out = data(await call(listJobsByStatus, { workflow_id: 1, status: 'blocked' }, m))
    expect(out).toMatchObject({ total: 0, count: 0, has_more: false, jobs: [] })
    const bad = failure(await call(listJobsByStatus, { workflow_id: 1, status: 'done' }, m))
    expect(bad.code).toBe('invalid_input')
    expect(bad.message).toMatch(/^invalid input: status: /)
  })

  it('cuts a page of very long commands short (size_limited), still reporting has_more', async () => {
    const m = new TorcModel()
    for (let i = 0; i < 200; i++) m.job(`j${i}`, null, 'ready', { command: `echo ${'x'.repeat(2_000)}` })
    const out = data(await call(listJobsByStatus, { workflow_id: 1, status: 'ready', limit: 200 }, m))
    expect(out.size_limited).toBe(true)
    expect(out.count).toBeLessThan(200)
    expect(out).toMatchObject({ total: 200, has_more: true })
    expect(JSON.stringify(out).length).toBeLessThan(70_000)
  })
})

describe('list_failed_jobs', () => {
  function failures() {
    const m = new TorcModel()
    const specs = [
      ['f1', 'failed', 1],
      ['t1', 'terminated', 152],
      ['p1', 'pending_failed', 2],
      ['ok', 'completed', 0],
      ['f2', 'failed', 137],
      ['c1', 'canceled', null],
    ] as const
    for (const [name, status, code] of specs) {
      const job = m.job(name, null, status)
      if (code !== null) m.result(job, { return_code: code })
    }
    return m
  }

  it('merges failed, terminated and pending_failed by id with their results; canceled ones are not failures', async () => {
    const out = data(await call(listFailedJobs, { workflow_id: 1 }, failures()))
    expect(out).toMatchObject({
      failed_job_count: 4,
      total: 4,
      counts_by_status: { failed: 2, terminated: 1, pending_failed: 1 },
    })
    expect(
      out.failed_jobs.map((j: { name: string; status: string; return_code: number }) => [
        j.name,
        j.status,
        j.return_code,
      ])
    ).toEqual([
      ['f1', 'failed', 1],
      ['t1', 'terminated', 152],
      ['p1', 'pending_failed', 2],
      ['f2', 'failed', 137],
    ])
  })

  it('pages across the three statuses in id order', async () => {
    const out = data(await call(listFailedJobs, { workflow_id: 1, limit: 2, offset: 1 }, failures()))
    expect(out).toMatchObject({ total: 4, offset: 1, count: 2, has_more: true })
    expect(out.failed_jobs.map((j: { name: string }) => j.name)).toEqual(['t1', 'p1'])
  })

  it('a workflow with no failures: zero counts and an empty page; Torc refusing is upstream_unavailable', async () => {
    const m = new TorcModel()
    m.job('ok', null, 'completed')
    expect(data(await call(listFailedJobs, { workflow_id: 1 }, m))).toMatchObject({
      failed_job_count: 0,
      counts_by_status: { failed: 0, terminated: 0, pending_failed: 0 },
      failed_jobs: [],
      has_more: false,
    })
    m.torc.on('GET', '/jobs', { fault: 'refused' })
    expect(failure(await call(listFailedJobs, { workflow_id: 1 }, m)).code).toBe('upstream_unavailable')
  })

  it('a workflow Torc does not know is not_found', async () => {
    const m = new TorcModel()
    m.torc.on('GET', '/jobs', torcError(404, 'Workflow not found with ID: 9'))
    expect(failure(await call(listFailedJobs, { workflow_id: 9 }, m))).toMatchObject({ code: 'not_found' })
  })
})
