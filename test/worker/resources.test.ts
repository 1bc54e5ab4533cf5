import { describe, expect, it } from 'vitest'
import { callBoth, rest } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner } from '../helpers/worker-torc.ts'

async function sharedWorkflow(name: string) {
  const wf = await createWorkflow({
    name,
    resources: { shared: { num_cpus: 2, memory: '4g', runtime: 'PT1H' } },
    jobs: [
      { name: 'a', resources: 'shared' },
      { name: 'b', resources: 'shared' },
      { name: 'c', resources: 'shared' },
      { name: 'loose' },
    ],
  })
  await drive(wf, (job) =>
    job === 'a' ? { status: 'failed', return_code: 137, exec_time_minutes: 2, peak_memory_bytes: 6 * 1024 ** 3 } : { status: 'completed', return_code: 0, exec_time_minutes: 1 }
  )
  await stopRunner(wf)
  return wf
}

describe('update_job_resources', () => {
  it('never changes a shared requirement silently: lists the sharing jobs and changes nothing', async () => {
    const wf = await sharedWorkflow('shared-none')
    const out = await callBoth('update_job_resources', { job_id: wf.jobIds.get('a'), memory: '8g' })
    expect(out).toMatchObject({ updated: false, shared_with_count: 2, current: { memory: '4g' } })
    expect(out.shared_with_job_ids.sort()).toEqual([wf.jobIds.get('b'), wf.jobIds.get('c')].sort())
    expect(out.message).toContain('scope "job"')
  })

  it('scope "job" gives only this job a copy with the new values', async () => {
    const wf = await sharedWorkflow('shared-job')
    const a = wf.jobIds.get('a')!
    const res = await rest('update_job_resources', { job_id: a, memory: '8g', runtime: 'PT2H', scope: 'job' })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body).toMatchObject({ updated: true, current: { memory: '8g', runtime: 'PT2H', num_cpus: 2 }, previous: { memory: '4g' } })
    const mine = await callBoth('get_job_details', { job_id: a })
    expect(mine.resource_requirements).toMatchObject({ id: res.body.resource_requirements_id, memory: '8g' })
    const other = await callBoth('get_job_details', { job_id: wf.jobIds.get('b') })
    expect(other.resource_requirements).toMatchObject({ memory: '4g', runtime: 'PT1H' })
  })

  it('scope "shared" changes it for every job that uses it', async () => {
    const wf = await sharedWorkflow('shared-all')
    const res = await rest('update_job_resources', { job_id: wf.jobIds.get('a'), num_cpus: 4, scope: 'shared' })
    expect(res.body).toMatchObject({ updated: true, current: { num_cpus: 4, memory: '4g' } })
    const other = await callBoth('get_job_details', { job_id: wf.jobIds.get('c') })
    expect(other.resource_requirements.num_cpus).toBe(4)
  })

  it('validates memory and ISO 8601 runtimes before anything is sent, naming the field', async () => {
    for (const [input, field] of [
      [{ memory: '1.5g' }, 'memory'],
      [{ memory: '10gb' }, 'memory'],
      [{ runtime: '30 minutes' }, 'runtime'],
      [{ runtime: 'PT1.5H' }, 'runtime'],
      [{}, 'num_cpus, memory, runtime'],
    ] as const) {
      const res = await rest('update_job_resources', { job_id: 1, ...input })
      expect(res.status, JSON.stringify(input)).toBe(400)
      expect(res.body.error.message).toContain(field)
    }
  })

  it('answers 404 for a job that does not exist', async () => {
    const res = await rest('update_job_resources', { job_id: 99999999, memory: '2g' })
    expect(res.status).toBe(404)
  })
})
