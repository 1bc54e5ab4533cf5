import { beforeAll, describe, expect, it } from 'vitest'
import { callBoth } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, type WorkflowFixture } from '../helpers/worker-torc.ts'

const JOBS = 10_000
let wf: WorkflowFixture

/** A 10,000-job workflow in the real torc-server: every 100th job fails with 137, the rest complete. */
beforeAll(async () => {
  wf = await createWorkflow({
    name: 'sweep-10k',
    resources: { sweep: { num_cpus: 1, memory: '2g', runtime: 'PT20M' } },
    jobs: Array.from({ length: JOBS }, (_, i) => ({
      name: `sweep_${i}`,
      command: `run --index ${i}`,
      resources: 'sweep',
    })),
  })
  await drive(
    wf,
    (name) => {
      const i = Number(name.slice('sweep_'.length))
      return i % 100 === 99
        ? { status: 'failed', return_code: 137, exec_time_minutes: 2, peak_memory_bytes: 3 * 1024 ** 3 }
        : {
            status: 'completed',
            return_code: 0,
            exec_time_minutes: 1 + (i % 7),
            peak_memory_bytes: (i % 50) * 1024 ** 2,
          }
    },
    { start: false }
  )
}, 300_000)

describe(`a ${JOBS.toLocaleString('en')}-job workflow`, () => {
  it('get_workflow_status and get_workflow_summary count all jobs', async () => {
    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status.total_jobs).toBe(JOBS)
    expect(status.job_counts_by_status).toMatchObject({ completed: 9900, failed: 100 })
    const summary = await callBoth('get_workflow_summary', { workflow_id: wf.id })
    expect(summary.is_complete).toBe(true)
  })

  it('list_results pages to the last result and sorts across the whole workflow', async () => {
    const last = await callBoth('list_results', { workflow_id: wf.id, offset: JOBS - 10, limit: 100 })
    expect(last).toMatchObject({ total: JOBS, count: 10, has_more: false })
    const slowest = await callBoth('list_results', {
      workflow_id: wf.id,
      sort_by: 'exec_time_minutes',
      reverse_sort: true,
      limit: 5,
    })
    expect(slowest.results.every((r: { exec_time_minutes: number }) => r.exec_time_minutes === 7)).toBe(true)
  })

  it("keeps every page under the clients' size caps, however large the limit, and pages on from offset + count", async () => {
    const big = await callBoth('list_results', { workflow_id: wf.id, limit: 10_000 })
    expect(big).toMatchObject({ total: JOBS, offset: 0, size_limited: true, has_more: true })
    expect(big.count).toBeGreaterThan(100)
    expect(JSON.stringify(big).length).toBeLessThan(100_000)
    const next = await callBoth('list_results', { workflow_id: wf.id, limit: 10_000, offset: big.count })
    expect(next.results[0].id).toBeGreaterThan(big.results.at(-1).id)
    const jobs = await callBoth('list_jobs_by_status', { workflow_id: wf.id, status: 'completed', limit: 1000 })
    expect(jobs).toMatchObject({ total: 9900, size_limited: true, has_more: true })
    expect(JSON.stringify(jobs).length).toBeLessThan(100_000)
  })

  it('check_resource_utilization counts every job over its memory but lists only what fits an answer', async () => {
    const out = await callBoth('check_resource_utilization', { workflow_id: wf.id })
    expect(out).toMatchObject({ over_utilization_count: 100, jobs_over_count: 100, resource_violations_count: 100 })
    expect(out.violations.length).toBeGreaterThan(0)
    expect(out.resource_violations_truncated).toBe(out.resource_violations.length < 100)
    expect(JSON.stringify(out).length).toBeLessThan(100_000)
    const few = await callBoth('check_resource_utilization', { workflow_id: wf.id, limit: 10 })
    expect(few).toMatchObject({
      over_utilization_count: 100,
      violations_truncated: true,
      resource_violations_truncated: true,
    })
    expect(few.violations).toHaveLength(10)
    expect(few.resource_violations).toHaveLength(10)
  })

  it('list_failed_jobs and list_jobs_by_status report totals beyond the page', async () => {
    const failed = await callBoth('list_failed_jobs', { workflow_id: wf.id, limit: 20 })
    expect(failed).toMatchObject({ failed_job_count: 100, total: 100, offset: 0, count: 20, has_more: true })
    expect(failed.failed_jobs).toHaveLength(20)
    expect(failed.failed_jobs.every((j: { return_code: number }) => j.return_code === 137)).toBe(true)
    const last = await callBoth('list_failed_jobs', { workflow_id: wf.id, limit: 20, offset: 90 })
    expect(last).toMatchObject({ total: 100, offset: 90, count: 10, has_more: false })
    const ids = (out: { failed_jobs: { job_id: number }[] }) => out.failed_jobs.map((j) => j.job_id)
    expect(Math.min(...ids(last))).toBeGreaterThan(Math.max(...ids(failed)))
    const completed = await callBoth('list_jobs_by_status', {
      workflow_id: wf.id,
      status: 'completed',
      limit: 300,
      offset: 9800,
    })
    expect(completed).toMatchObject({ total: 9900, count: 100, has_more: false, size_limited: false })
  })
})
