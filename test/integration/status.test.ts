import { beforeAll, describe, expect, it } from 'vitest'
import { callBoth, mcpClient, rest } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, type Outcome, torcApi, type WorkflowFixture } from '../helpers/worker-torc.ts'

const GB = 1024 ** 3

/**
 * A 3-stage fan-out/fan-in workflow run through the real torc-server: 7 work jobs succeed, one is
 * killed (137) at 30 GB, one exits 1, one is terminated at the allocation's end (-9), and Torc
 * itself cancels the postprocess job behind them.
 */
const OUTCOMES: Record<string, Outcome> = {
  preprocess: { status: 'completed', return_code: 0, exec_time_minutes: 0.5, peak_memory_bytes: GB },
  work_8: {
    status: 'failed',
    return_code: 137,
    exec_time_minutes: 3,
    peak_memory_bytes: 30 * GB,
    peak_cpu_percent: 950,
  },
  work_9: { status: 'failed', return_code: 1, exec_time_minutes: 0.25, peak_memory_bytes: 2 * GB },
  work_10: { status: 'terminated', return_code: -9, exec_time_minutes: 60 },
}
const outcomeOf = (name: string): Outcome => {
  const known = OUTCOMES[name]
  if (known) return known
  const i = Number(name.split('_')[1])
  return {
    status: 'completed',
    return_code: 0,
    exec_time_minutes: i,
    peak_memory_bytes: i * GB,
    peak_cpu_percent: 100 * i,
  }
}

let wf: WorkflowFixture
const id = (name: string) => wf.jobIds.get(name)!

beforeAll(async () => {
  const work = Array.from({ length: 10 }, (_, i) => ({
    name: `work_${i + 1}`,
    command: `python work.py --index ${i + 1}`,
    depends_on: ['preprocess'],
    resources: 'work',
  }))
  wf = await createWorkflow({
    name: 'pipeline-status',
    user: 'alice',
    description: '3-stage fan-out/fan-in',
    resources: {
      small: { num_cpus: 1, memory: '1g', runtime: 'PT10M' },
      work: { num_cpus: 10, memory: '20g', runtime: 'PT1H' },
    },
    jobs: [
      { name: 'preprocess', resources: 'small' },
      ...work,
      { name: 'postprocess', depends_on: work.map((w) => w.name), resources: 'small' },
    ],
  })
  await drive(wf, outcomeOf)
})

describe('status tools against a real torc-server', () => {
  it('get_workflow_status counts every status, including the job Torc canceled', async () => {
    const out = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(out).toMatchObject({ workflow_id: wf.id, name: 'pipeline-status', user: 'alice', total_jobs: 12, run_id: 1 })
    expect(out.job_counts_by_status).toMatchObject({ completed: 8, failed: 2, terminated: 1, canceled: 1, ready: 0 })
    expect(out.is_complete).toBe(true)
  })

  it('get_workflow_summary totals execution time from the real results', async () => {
    const out = await callBoth('get_workflow_summary', { workflow_id: wf.id })
    const expected = 0.5 + (1 + 2 + 3 + 4 + 5 + 6 + 7) + 3 + 0.25 + 60
    expect(out.total_exec_time_minutes).toBeCloseTo(expected, 6)
    expect(out.total_exec_time_formatted).toBe('1h 31m 45s')
    expect(out.jobs_by_status.canceled).toBe(1)
    expect(out.walltime_seconds).not.toBeNull()
  })

  it('list_workflows finds the workflow by owner and by part of its name', async () => {
    const byName = await callBoth('list_workflows', { name: 'LINE-STAT' })
    expect(byName.workflows.map((w: { id: number }) => w.id)).toEqual([wf.id])
    expect(byName.workflows[0]).toMatchObject({
      user: 'alice',
      job_count: 12,
      is_complete: true,
      description: '3-stage fan-out/fan-in',
    })
    const byUser = await callBoth('list_workflows', { user: 'alice', limit: 40 })
    expect(byUser.workflows.every((w: { user: string }) => w.user === 'alice')).toBe(true)
    expect(byUser.workflows.some((w: { id: number }) => w.id === wf.id)).toBe(true)
    const nobody = await callBoth('list_workflows', { user: 'nobody-at-all' })
    expect(nobody).toMatchObject({ total: 0, count: 0, has_more: false, workflows: [] })
  })

  it('list_workflows pages newest first, filters by name substring across pages, and lists archived ones apart', async () => {
    const user = `pager-${Date.now()}`
    const made = []
    for (const name of ['alpha-run', 'beta-run', 'gamma-test'])
      made.push(await createWorkflow({ name, user, jobs: [{ name: 'a' }] }))
    await torcApi('POST', `/workflows/${made[1]!.id}/archive`, { is_archived: true })
    const first = await callBoth('list_workflows', { user, limit: 1 })
    expect(first).toMatchObject({ total: 2, count: 1, has_more: true })
    expect(first.workflows[0]).toMatchObject({ id: made[2]!.id, is_archived: false, job_count: 1 })
    const second = await callBoth('list_workflows', { user, limit: 1, offset: 1 })
    expect(second).toMatchObject({ total: 2, count: 1, has_more: false, workflows: [{ id: made[0]!.id }] })
    const archived = await callBoth('list_workflows', { user, archived: true })
    expect(archived).toMatchObject({ total: 1, workflows: [{ id: made[1]!.id, name: 'beta-run', is_archived: true }] })
    const runs = await callBoth('list_workflows', { user, name: '-RUN' })
    expect(runs).toMatchObject({ total: 1, workflows: [{ name: 'alpha-run' }] })
    const tooMany = await rest('list_workflows', { limit: 41 })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.error.message).toMatch(/^invalid input: limit: /)
  })

  it('get_job_details shows the killed job with its requirements and latest result', async () => {
    const out = await callBoth('get_job_details', { job_id: id('work_8') })
    expect(out).toMatchObject({
      name: 'work_8',
      status: 'failed',
      depends_on_job_ids: [id('preprocess')],
      resource_requirements: { num_cpus: 10, memory: '20g', runtime: 'PT1H', name: 'work' },
      latest_result: { return_code: 137, run_id: 1, attempt_id: 1, peak_memory_bytes: 30 * GB, status: 'failed' },
    })
  })

  it('list_jobs_by_status pages with total and has_more', async () => {
    const first = await callBoth('list_jobs_by_status', { workflow_id: wf.id, status: 'completed', limit: 3 })
    expect(first).toMatchObject({ status: 'completed', total: 8, count: 3, offset: 0, has_more: true })
    const last = await callBoth('list_jobs_by_status', { workflow_id: wf.id, status: 'completed', limit: 3, offset: 6 })
    expect(last).toMatchObject({ count: 2, has_more: false })
    const names = [...first.jobs, ...last.jobs].map((j: { name: string }) => j.name)
    expect(new Set(names).size).toBe(5)
    const canceled = await callBoth('list_jobs_by_status', { workflow_id: wf.id, status: 'canceled' })
    expect(canceled.jobs).toEqual([
      { job_id: id('postprocess'), name: 'postprocess', command: 'echo postprocess', labels: [] },
    ])
  })

  it('list_failed_jobs includes terminated jobs and the error information', async () => {
    const out = await callBoth('list_failed_jobs', { workflow_id: wf.id })
    expect(out.failed_job_count).toBe(3)
    expect(out.counts_by_status).toEqual({ failed: 2, terminated: 1, pending_failed: 0 })
    expect(out.failed_jobs.map((j: { name: string }) => j.name)).toEqual(['work_8', 'work_9', 'work_10'])
    expect(out.failed_jobs[0]).toMatchObject({
      status: 'failed',
      return_code: 137,
      peak_memory_bytes: 30 * GB,
      run_id: 1,
    })
    expect(out.failed_jobs[2]).toMatchObject({ status: 'terminated', return_code: -9, exec_time_minutes: 60 })
  })

  it('list_results sorts, filters failures before the limit, and accepts pending_failed', async () => {
    const hungry = await callBoth('list_results', {
      workflow_id: wf.id,
      sort_by: 'peak_memory_bytes',
      reverse_sort: true,
      limit: 2,
    })
    expect(hungry.results.map((r: { job_id: number }) => r.job_id)).toEqual([id('work_8'), id('work_7')])
    expect(hungry).toMatchObject({ total: 11, count: 2, has_more: true })

    const failed = await callBoth('list_results', {
      workflow_id: wf.id,
      failed_only: true,
      sort_by: 'exec_time_minutes',
    })
    expect(failed.results.map((r: { job_name: string }) => r.job_name)).toEqual(['work_9', 'work_8', 'work_10'])
    expect(failed.total).toBe(3)

    const failedPage = await callBoth('list_results', {
      workflow_id: wf.id,
      failed_only: true,
      limit: 1,
      offset: 1,
      sort_by: 'exec_time_minutes',
    })
    expect(failedPage.results.map((r: { job_name: string }) => r.job_name)).toEqual(['work_8'])

    const pending = await callBoth('list_results', { workflow_id: wf.id, status: 'pending_failed' })
    expect(pending).toMatchObject({ total: 0, results: [] })

    const one = await callBoth('list_results', { workflow_id: wf.id, job_id: id('work_3') })
    expect(one.results).toHaveLength(1)
    expect(one.results[0]).toMatchObject({
      return_code: 0,
      exec_time_minutes: 3,
      peak_cpu_percent: 300,
      job_name: 'work_3',
    })
  })
})

describe('errors name the field or the missing thing, on both faces', () => {
  it('rejects an unknown status, naming the field', async () => {
    const viaRest = await rest('list_jobs_by_status', { workflow_id: 1, status: 'done' })
    expect(viaRest.status).toBe(400)
    expect(viaRest.body.error.code).toBe('invalid_input')
    expect(viaRest.body.error.message).toMatch(/status/)
    const client = await mcpClient()
    const result = await client.callTool({ name: 'list_jobs_by_status', arguments: { workflow_id: 1, status: 'done' } })
    expect(result.isError).toBe(true)
    expect(JSON.stringify(result.content)).toMatch(/status/)
  })

  it('rejects a sort field Torc would splice into SQL', async () => {
    const viaRest = await rest('list_results', { workflow_id: 1, sort_by: 'id; DROP TABLE job' })
    expect(viaRest.status).toBe(400)
    expect(viaRest.body.error.message).toMatch(/sort_by/)
  })

  it('answers 404 for a job that does not exist', async () => {
    const viaRest = await rest('get_job_details', { job_id: 987654 })
    expect(viaRest.status).toBe(404)
    expect(viaRest.body.error).toMatchObject({ code: 'not_found' })
    expect(viaRest.body.error.message).toBe('job 987654 not found')
    const client = await mcpClient({ era: 'legacy' })
    const result = await client.callTool({ name: 'get_job_details', arguments: { job_id: 987654 } })
    expect(result.isError).toBe(true)
    expect(JSON.stringify(result.content)).toContain('not_found')
  })
})
