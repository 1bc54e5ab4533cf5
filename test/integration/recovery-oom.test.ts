import { describe, expect, it } from 'vitest'
import { tutorialOomWorkflow } from '../../scripts/torc-seed.ts'
import { callBoth, keys, rest } from '../helpers/worker-faces.ts'
import { torcApi } from '../helpers/worker-torc.ts'

/**
 * The tutorial's OOM workflow (scripts/torc-seed.ts: 10 jobs over their 10g, 3 of them OOM-killed)
 * through check_resource_utilization and recover_workflow: its preview, the apply of exactly that
 * plan, a stale or concurrent plan refused, and an apply nobody previewed or a read key may not make.
 */
const oomWorkflow = (name: string) => tutorialOomWorkflow(torcApi, name)

describe('check_resource_utilization', () => {
  it('finds all 10 jobs over their memory and diagnoses the 3 OOM kills', async () => {
    const wf = await oomWorkflow('oom-check')
    const out = await callBoth('check_resource_utilization', { workflow_id: wf.id })
    expect(out.total_results).toBe(10)
    expect(out.jobs_over_count).toBe(10)
    expect(out.violations.filter((v: { resource_type: string }) => v.resource_type === 'Memory')).toHaveLength(10)
    const row = out.violations.find((v: { job_name: string }) => v.job_name === 'work_2')
    expect(row).toMatchObject({ specified: '10.00 GB', peak_used: '29.90 GB', over_utilization: '+199.0%' })
    expect(out.resource_violations.map((f: { job_name: string }) => f.job_name)).toEqual(['work_1', 'work_2', 'work_3'])
    expect(out.resource_violations[0]).toMatchObject({
      cause: 'oom',
      oom_reason: 'memory_exceeded',
      memory_violation: true,
      return_code: 137,
    })
    expect(out.guidance).toContain('10 job(s) exceeded resource limits')
    expect(out.guidance).toContain('Only 3 have failed so far, but 7 more will likely fail without fixes.')
  })
})

describe('recover_workflow: OOM', () => {
  it('previews 33g at the default 1.5 because of the peak floor, 35g at 3.5, and changes nothing', async () => {
    const wf = await oomWorkflow('oom-preview')
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview).toMatchObject({ status: 'preview', dry_run: true, can_apply: true, blockers: [], applied: null })
    expect(preview.jobs_to_retry).toEqual(['work_1', 'work_2', 'work_3'].map((n) => wf.jobIds.get(n)))
    expect(preview.adjustments).toHaveLength(1)
    expect(preview.adjustments[0].memory).toMatchObject({ old: '10g', new: '33g' })
    // work_7 completed at 30 GB on the same requirement: it is the floor, as it would fail at 15g next time.
    expect(preview.adjustments[0].memory.why).toBe(
      'peak 30.00 GB (work_7, completed, shares this requirement): 15g would fail again, proposing 33g (peak + 10%)'
    )
    expect(preview.adjustments[0].shared_with_count).toBe(7)
    expect(preview.jobs[1]).toMatchObject({
      job_name: 'work_2',
      cause: 'oom',
      action: 'retry',
      reason: 'memory 10g → 33g',
    })
    expect(preview.confirm).toMatchObject({
      tool: 'recover_workflow',
      arguments: { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id },
    })

    const big = await callBoth('recover_workflow', { workflow_id: wf.id, memory_multiplier: 3.5 })
    expect(big.adjustments[0].memory).toMatchObject({
      new: '35g',
      why: '10g × 3.5 = 35g (peak 30.00 GB, work_7, completed, shares this requirement)',
    })
    expect(big.plan_id).not.toBe(preview.plan_id)

    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status.job_counts_by_status).toMatchObject({ failed: 3, completed: 7 })
    expect(status.run_id).toBe(1)
  })

  it('applies exactly the previewed plan: failed jobs ready at 33g, completed jobs untouched, new run', async () => {
    const wf = await oomWorkflow('oom-apply')
    const preview = (await rest('recover_workflow', { workflow_id: wf.id })).body
    const res = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    expect(res.body.applied).toMatchObject({
      requirements_updated: [{ memory: '33g', runtime: 'PT30M' }],
      jobs_reset: preview.jobs_to_retry,
      new_run_id: 2,
    })
    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status.job_counts_by_status).toMatchObject({ ready: 3, completed: 7, failed: 0 })
    expect(status.run_id).toBe(2)
    const job = await callBoth('get_job_details', { job_id: wf.jobIds.get('work_1') })
    expect(job).toMatchObject({ status: 'ready', resource_requirements: { memory: '33g' } })
    const again = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id })
    expect(again.status).toBe(409)
    expect(again.body.error.message).toContain(`plan ${preview.plan_id} was already applied`)
    expect((await rest('get_workflow_status', { workflow_id: wf.id })).body.run_id).toBe(2)
  })

  it('refuses a stale plan_id and a plan made before a concurrent change, changing nothing', async () => {
    const wf = await oomWorkflow('oom-stale')
    const preview = (await rest('recover_workflow', { workflow_id: wf.id })).body
    const bogus = await rest('recover_workflow', {
      workflow_id: wf.id,
      dry_run: false,
      plan_id: 'rp_000000000000000000000000',
    })
    expect(bogus.status).toBe(409)
    expect(bogus.body.error.message).toContain(`workflow ${wf.id} changed since plan rp_000000000000000000000000`)

    // Someone raises the memory by hand between preview and apply.
    const rrId = preview.adjustments[0].resource_requirements_id
    const rr = await torcApi<Record<string, unknown>>('GET', `/resource_requirements/${rrId}`)
    await torcApi('PUT', `/resource_requirements/${rrId}`, { ...rr, memory: '12g' })
    const stale = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id })
    expect(stale.status).toBe(409)
    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status.job_counts_by_status).toMatchObject({ failed: 3, completed: 7 })
    expect((await torcApi<{ memory: string }>('GET', `/resource_requirements/${rrId}`)).memory).toBe('12g')
  })

  it('an apply nobody previewed asks for confirmation, changing nothing; and it needs the write scope', async () => {
    const wf = await oomWorkflow('oom-guard')
    const noPlan = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false })
    expect(noPlan.status, JSON.stringify(noPlan.body)).toBe(200)
    expect(noPlan.body).toMatchObject({ status: 'needs_confirmation', dry_run: true, applied: null, can_apply: true })
    expect(noPlan.body.confirm).toMatchObject({
      tool: 'recover_workflow',
      arguments: { workflow_id: wf.id, dry_run: false, plan_id: noPlan.body.plan_id },
    })
    expect(noPlan.body.next_steps).toMatch(/^Not applied yet/)
    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status).toMatchObject({ run_id: 1, job_counts_by_status: { failed: 3, completed: 7 } })
    const rrId = noPlan.body.adjustments[0].resource_requirements_id
    expect((await torcApi<{ memory: string }>('GET', `/resource_requirements/${rrId}`)).memory).toBe('10g')
    // Another caller (the read key) cannot apply at all.
    const readOnly = await rest('recover_workflow', { workflow_id: wf.id }, keys().read)
    expect(readOnly.status).toBe(403)
    const readApply = await rest('recover_workflow', noPlan.body.confirm.arguments, keys().read)
    expect(readApply.status).toBe(403)
  })
})
