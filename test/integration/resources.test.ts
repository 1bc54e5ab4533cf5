import { describe, expect, it } from 'vitest'
import { callBoth, keys, rest, sendConfirm } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner, torcApi } from '../helpers/worker-torc.ts'

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
    job === 'a'
      ? { status: 'failed', return_code: 137, exec_time_minutes: 2, peak_memory_bytes: 6 * 1024 ** 3 }
      : { status: 'completed', return_code: 0, exec_time_minutes: 1 }
  )
  await stopRunner(wf)
  return wf
}

/** Previews on both faces, then applies the plan through REST or MCP. */
async function previewThenApply(
  input: Record<string, unknown>,
  face: 'rest' | 'mcp' = 'rest'
): Promise<{ preview: any; applied: any }> {
  const preview = await callBoth('update_job_resources', input)
  expect(preview).toMatchObject({ status: 'preview', dry_run: true, applied: null })
  expect(preview.confirm).toMatchObject({
    tool: 'update_job_resources',
    arguments: { ...input, dry_run: false, plan_id: preview.plan_id },
  })
  const applied = await sendConfirm(face, preview.confirm)
  expect(applied).toMatchObject({ status: 'applied', dry_run: false, plan_id: preview.plan_id })
  return { preview, applied }
}

/** The values a job's requirement has in Torc now. */
const requirementOf = async (job: number) => (await callBoth('get_job_details', { job_id: job })).resource_requirements

describe('update_job_resources', () => {
  it('never changes a shared requirement silently: by default only this job gets a copy, and the preview lists the sharing jobs', async () => {
    const wf = await sharedWorkflow('shared-none')
    const out = await callBoth('update_job_resources', { job_id: wf.jobIds.get('a'), memory: '8g' })
    expect(out).toMatchObject({
      status: 'preview',
      action: 'copy_for_job',
      shared_with_count: 2,
      previous: { memory: '4g' },
      proposed: { memory: '8g' },
      applied: null,
    })
    expect(out.confirm.arguments).toMatchObject({ scope: 'job' })
    expect(out.shared_with_job_ids.sort()).toEqual([wf.jobIds.get('b'), wf.jobIds.get('c')].sort())
    for (const job of ['a', 'b', 'c']) expect((await requirementOf(wf.jobIds.get(job)!)).memory).toBe('4g')
  })

  it('previews first and changes nothing until applied with the plan_id', async () => {
    const wf = await sharedWorkflow('update-preview')
    const loose = wf.jobIds.get('loose')!
    const preview = await callBoth('update_job_resources', { job_id: loose, memory: '3g' })
    expect(preview).toMatchObject({
      status: 'preview',
      dry_run: true,
      action: 'change_in_place',
      previous: { memory: '1m' },
      proposed: { memory: '3g' },
      applied: null,
    })
    expect(preview.confirm).toEqual({
      tool: 'update_job_resources',
      arguments: { job_id: loose, memory: '3g', scope: 'job', dry_run: false, plan_id: preview.plan_id },
    })
    expect((await requirementOf(loose)).memory).toBe('1m')
    // Another caller (a different key: the read key cannot write at all) never applies it implicitly.
    expect((await rest('update_job_resources', preview.confirm.arguments, keys().read)).status).toBe(403)
    // The same caller, without the plan_id, within minutes of its own preview of exactly this plan: applied.
    const implicit = await rest('update_job_resources', { job_id: loose, memory: '3g', dry_run: false })
    expect(implicit.status, JSON.stringify(implicit.body)).toBe(200)
    expect(implicit.body).toMatchObject({
      status: 'applied',
      plan_id: preview.plan_id,
      applied: { current: { memory: '3g' } },
    })
    expect((await requirementOf(loose)).memory).toBe('3g')
  })

  it('scope "job" gives only this job a copy with the new values (applied through REST)', async () => {
    const wf = await sharedWorkflow('shared-job')
    const a = wf.jobIds.get('a')!
    const { preview, applied } = await previewThenApply({ job_id: a, memory: '8g', runtime: 'PT2H', scope: 'job' })
    expect(preview).toMatchObject({ action: 'copy_for_job', proposed: { memory: '8g', runtime: 'PT2H', num_cpus: 2 } })
    expect(applied).toMatchObject({
      dry_run: false,
      applied: { current: { memory: '8g', runtime: 'PT2H', num_cpus: 2 } },
      previous: { memory: '4g' },
    })
    const mine = await callBoth('get_job_details', { job_id: a })
    expect(mine.resource_requirements).toMatchObject({ id: applied.applied.resource_requirements_id, memory: '8g' })
    expect(applied.applied.resource_requirements_id).not.toBe(preview.resource_requirements_id)
    const other = await callBoth('get_job_details', { job_id: wf.jobIds.get('b') })
    expect(other.resource_requirements).toMatchObject({ memory: '4g', runtime: 'PT1H' })
  })

  it('scope "shared" changes it for every job that uses it (applied through MCP)', async () => {
    const wf = await sharedWorkflow('shared-all')
    const { preview, applied } = await previewThenApply(
      { job_id: wf.jobIds.get('a'), num_cpus: 4, scope: 'shared' },
      'mcp'
    )
    expect(preview.action).toBe('change_shared')
    expect(applied).toMatchObject({
      applied: { resource_requirements_id: preview.resource_requirements_id, current: { num_cpus: 4, memory: '4g' } },
    })
    const other = await callBoth('get_job_details', { job_id: wf.jobIds.get('c') })
    expect(other.resource_requirements.num_cpus).toBe(4)
  })

  it('an unpreviewed apply on a shared requirement asks first; confirmed, only this job gets a copy', async () => {
    const wf = await sharedWorkflow('shared-apply-none')
    const a = wf.jobIds.get('a')!
    const res = await rest('update_job_resources', { job_id: a, memory: '8g', dry_run: false })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({
      status: 'needs_confirmation',
      dry_run: true,
      action: 'copy_for_job',
      shared_with_count: 2,
      applied: null,
    })
    for (const job of ['a', 'b', 'c']) expect((await requirementOf(wf.jobIds.get(job)!)).memory).toBe('4g')
    const done = await sendConfirm('rest', res.body.confirm)
    expect(done).toMatchObject({ status: 'applied', applied: { current: { memory: '8g' } } })
    expect((await requirementOf(a)).memory).toBe('8g')
    for (const job of ['b', 'c']) expect((await requirementOf(wf.jobIds.get(job)!)).memory).toBe('4g')
  })

  it('refuses a plan made before someone else changed the requirement', async () => {
    const wf = await sharedWorkflow('update-race')
    const loose = wf.jobIds.get('loose')!
    const preview = await callBoth('update_job_resources', { job_id: loose, runtime: 'PT3H' })
    const rrId = preview.resource_requirements_id
    const rr = await torcApi<Record<string, unknown>>('GET', `/resource_requirements/${rrId}`)
    await torcApi('PUT', `/resource_requirements/${rrId}`, { ...rr, memory: '2g' })
    const stale = await rest('update_job_resources', {
      job_id: loose,
      runtime: 'PT3H',
      dry_run: false,
      plan_id: preview.plan_id,
    })
    expect(stale.status).toBe(409)
    expect(stale.body.error.message).toContain(`workflow ${wf.id} changed since plan ${preview.plan_id} was previewed`)
    expect((await callBoth('get_job_details', { job_id: loose })).resource_requirements).toMatchObject({
      memory: '2g',
      runtime: rr.runtime,
    })
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
