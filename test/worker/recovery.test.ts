import { describe, expect, it } from 'vitest'
import { callBoth, keys, mcpClient, rest } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner, torcApi, type Outcome } from '../helpers/worker-torc.ts'

const GB = 1024 ** 3

/**
 * The tutorial's OOM workflow, driven through the real torc-server: 10 work jobs at 10g; 3 are
 * killed (137) at peaks of 27-29.9 GB, 7 complete but also peak near 30 GB.
 */
async function oomWorkflow(name: string) {
  const peaks = [27, 29.9, 28, 29, 29.5, 28.5, 30, 29.2, 28.8, 29.7]
  const wf = await createWorkflow({
    name,
    resources: { work: { num_cpus: 4, memory: '10g', runtime: 'PT30M' } },
    jobs: peaks.map((_, i) => ({ name: `work_${i + 1}`, command: `python work.py ${i + 1}`, resources: 'work' })),
  })
  await drive(wf, (job): Outcome => {
    const i = Number(job.split('_')[1]) - 1
    const peak_memory_bytes = Math.round(peaks[i]! * GB)
    return i < 3
      ? { status: 'failed', return_code: 137, exec_time_minutes: 3.2, peak_memory_bytes }
      : { status: 'completed', return_code: 0, exec_time_minutes: 4, peak_memory_bytes }
  })
  await stopRunner(wf)
  return wf
}

/** The tutorial's timeout workflow: job_slow killed by Torc at ~6 min against a 5-minute runtime. */
async function timeoutWorkflow(name: string) {
  const wf = await createWorkflow({
    name,
    resources: { job_resources: { num_cpus: 1, memory: '1g', runtime: 'PT5M' } },
    jobs: [
      { name: 'job_fast', resources: 'job_resources' },
      { name: 'job_slow', resources: 'job_resources' },
    ],
  })
  await drive(wf, (job) =>
    job === 'job_fast'
      ? { status: 'completed', return_code: 0, exec_time_minutes: 1.02 }
      : { status: 'terminated', return_code: -9, exec_time_minutes: 5.97 }
  )
  await stopRunner(wf)
  return wf
}

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
    expect(out.resource_violations[0]).toMatchObject({ cause: 'oom', oom_reason: 'memory_exceeded', memory_violation: true, return_code: 137 })
    expect(out.guidance).toContain('10 job(s) exceeded resource limits')
    expect(out.guidance).toContain('Only 3 have failed so far, but 7 more will likely fail without fixes.')
  })
})

describe('recover_workflow: OOM', () => {
  it('previews 33g at the default 1.5 because of the peak floor, 35g at 3.5, and changes nothing', async () => {
    const wf = await oomWorkflow('oom-preview')
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview).toMatchObject({ dry_run: true, can_apply: true, blockers: [], applied: null })
    expect(preview.jobs_to_retry).toEqual(['work_1', 'work_2', 'work_3'].map((n) => wf.jobIds.get(n)))
    expect(preview.adjustments).toHaveLength(1)
    expect(preview.adjustments[0].memory).toMatchObject({ old: '10g', new: '33g' })
    expect(preview.adjustments[0].memory.why).toBe('peak 29.90 GB: 15g would fail again, proposing 33g (peak + 10%)')
    expect(preview.adjustments[0].shared_with_count).toBe(7)
    expect(preview.jobs[1]).toMatchObject({ job_name: 'work_2', cause: 'oom', action: 'retry', reason: 'memory 10g → 33g' })
    expect(preview.next_steps).toContain(`plan_id="${preview.plan_id}"`)

    const big = await callBoth('recover_workflow', { workflow_id: wf.id, memory_multiplier: 3.5 })
    expect(big.adjustments[0].memory).toMatchObject({ new: '35g', why: '10g × 3.5 = 35g (peak 29.90 GB)' })
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
  })

  it('refuses a stale plan_id and a plan made before a concurrent change, changing nothing', async () => {
    const wf = await oomWorkflow('oom-stale')
    const preview = (await rest('recover_workflow', { workflow_id: wf.id })).body
    const bogus = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: 'rp_000000000000000000000000' })
    expect(bogus.status).toBe(409)
    expect(bogus.body.error.message).toContain('changed since the preview')

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

  it('requires a plan_id to apply and the write scope', async () => {
    const wf = await oomWorkflow('oom-guard')
    const noPlan = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false })
    expect(noPlan.status).toBe(400)
    expect(noPlan.body.error.message).toMatch(/plan_id/)
    const readOnly = await rest('recover_workflow', { workflow_id: wf.id }, keys().read)
    expect(readOnly.status).toBe(403)
  })
})

describe('recover_workflow: timeout, orphans, nothing to do', () => {
  it('raises runtime 1.4x for the job Torc terminated, leaving the completed job alone', async () => {
    const wf = await timeoutWorkflow('timeout')
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    const slow = preview.jobs.find((j: { job_name: string }) => j.job_name === 'job_slow')
    expect(slow).toMatchObject({ cause: 'timeout', action: 'retry', runtime: { old: 'PT5M', new: 'PT7M' }, memory: null })
    expect(preview.adjustments[0]).toMatchObject({ runtime: { new: 'PT7M' }, shared_with_job_ids: [wf.jobIds.get('job_fast')] })
    // Applied through MCP this time (the OOM test applies through REST).
    const client = await mcpClient()
    const result = await client.callTool({ name: 'recover_workflow', arguments: { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id } })
    await client.close()
    expect(result.isError ?? false).toBe(false)
    const applied = result.structuredContent as { applied: { jobs_reset: number[] }; next_steps: string }
    expect(applied.applied.jobs_reset).toEqual([wf.jobIds.get('job_slow')])
    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status.job_counts_by_status).toMatchObject({ ready: 1, completed: 1, terminated: 0 })
    expect(applied.next_steps).toContain(`torc run ${wf.id}`)
  })

  it('detects a job still marked running after its runner vanished, fails it with -128 and retries it', async () => {
    const wf = await createWorkflow({ name: 'orphan', jobs: [{ name: 'done' }, { name: 'stuck' }] })
    await drive(wf, (job) => (job === 'done' ? { status: 'completed', return_code: 0, exec_time_minutes: 1 } : undefined))
    await stopRunner(wf)
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.orphaned_running_jobs).toEqual([{ job_id: wf.jobIds.get('stuck'), job_name: 'stuck', compute_node_id: wf.computeNodeId }])
    expect(preview.jobs[0]).toMatchObject({ cause: 'node_failure', action: 'retry' })
    expect(preview.can_apply).toBe(true)
    const applied = (await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id })).body
    expect(applied.applied.orphans_failed).toEqual([wf.jobIds.get('stuck')])
    const results = await callBoth('list_results', { workflow_id: wf.id, status: 'failed' })
    expect(results.total).toBe(0)
    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status.job_counts_by_status).toMatchObject({ ready: 1, completed: 1, running: 0 })
  })

  it('a job without requirements runs on the workflow\'s "default" requirement; raising it is shown as shared', async () => {
    const wf = await createWorkflow({ name: 'no-requirements', jobs: [{ name: 'greedy' }, { name: 'modest' }] })
    await drive(wf, (job) =>
      job === 'greedy'
        ? { status: 'failed', return_code: 137, exec_time_minutes: 0.2, peak_memory_bytes: 500 * 1024 ** 2 }
        : { status: 'completed', return_code: 0, exec_time_minutes: 0.1 }
    )
    await stopRunner(wf)
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.adjustments).toHaveLength(1)
    expect(preview.adjustments[0]).toMatchObject({
      name: 'default',
      memory: { old: '1m', new: '550m' },
      shared_with_job_ids: [wf.jobIds.get('modest')],
    })
  })

  it('says plainly when there is nothing to recover, and refuses to apply', async () => {
    const wf = await createWorkflow({ name: 'all-good', jobs: [{ name: 'a' }] })
    await drive(wf, () => ({ status: 'completed', return_code: 0, exec_time_minutes: 1 }))
    await stopRunner(wf)
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview).toMatchObject({ can_apply: false, jobs_to_retry: [], summary: 'No failed, terminated or orphaned jobs: nothing to recover.' })
    const apply = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id })
    expect(apply.status).toBe(409)
    expect(apply.body.error.message).toContain('nothing to recover')
  })

  it('does not retry unknown failures unless asked, and is blocked while jobs still run', async () => {
    const wf = await createWorkflow({ name: 'unknown', jobs: [{ name: 'bad' }, { name: 'slow' }] })
    await drive(wf, (job) => (job === 'bad' ? { status: 'failed', return_code: 1, exec_time_minutes: 0.1 } : undefined))
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.jobs.find((j: { job_name: string }) => j.job_name === 'bad')).toMatchObject({ cause: 'unknown', action: 'skip' })
    expect(preview.blockers.join(' ')).toContain('still ready, pending or running')
    const withUnknown = await callBoth('recover_workflow', { workflow_id: wf.id, retry_unknown: true })
    expect(withUnknown.jobs_to_retry).toEqual([wf.jobIds.get('bad')])
    const apply = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: withUnknown.plan_id, retry_unknown: true })
    expect(apply.status).toBe(409)
    expect(apply.body.error.message).toContain('cannot recover')
  })
})
