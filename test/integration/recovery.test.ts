import { describe, expect, it } from 'vitest'
import { tutorialOomWorkflow, tutorialTimeoutWorkflow } from '../../scripts/torc-seed.ts'
import { applyVia, callBoth, keys, mcpClient, rest } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner, torcApi } from '../helpers/worker-torc.ts'

const GB = 1024 ** 3

const oomWorkflow = (name: string) => tutorialOomWorkflow(torcApi, name)
const timeoutWorkflow = (name: string) => tutorialTimeoutWorkflow(torcApi, name)

const byName = <T extends { job_name: string }>(items: T[], name: string): T => items.find((i) => i.job_name === name)!

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

describe('recover_workflow: timeout, orphans, nothing to do', () => {
  it('raises runtime 1.4x for the job Torc terminated, leaving the completed job alone', async () => {
    const wf = await timeoutWorkflow('timeout')
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    const slow = preview.jobs.find((j: { job_name: string }) => j.job_name === 'job_slow')
    expect(slow).toMatchObject({
      cause: 'timeout',
      action: 'retry',
      runtime: { old: 'PT5M', new: 'PT7M' },
      memory: null,
    })
    expect(preview.adjustments[0]).toMatchObject({
      runtime: { new: 'PT7M' },
      shared_with_job_ids: [wf.jobIds.get('job_fast')],
    })
    // Applied through MCP this time (the OOM test applies through REST).
    const client = await mcpClient()
    const result = await client.callTool({
      name: 'recover_workflow',
      arguments: { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id },
    })
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
    await drive(wf, (job) =>
      job === 'done' ? { status: 'completed', return_code: 0, exec_time_minutes: 1 } : undefined
    )
    await stopRunner(wf)
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.orphaned_running_jobs).toEqual([
      { job_id: wf.jobIds.get('stuck'), job_name: 'stuck', compute_node_id: wf.computeNodeId },
    ])
    expect(preview.jobs[0]).toMatchObject({ cause: 'node_failure', action: 'retry' })
    expect(preview.can_apply).toBe(true)
    const applied = (await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id }))
      .body
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
    expect(preview).toMatchObject({
      can_apply: false,
      jobs_to_retry: [],
      summary: 'No failed, terminated or orphaned jobs: nothing to recover.',
    })
    const apply = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id })
    expect(apply.status).toBe(409)
    expect(apply.body.error.message).toContain('nothing to recover')
  })

  it('does not retry unknown failures unless asked, and is blocked while jobs still run', async () => {
    const wf = await createWorkflow({ name: 'unknown', jobs: [{ name: 'bad' }, { name: 'slow' }] })
    await drive(wf, (job) => (job === 'bad' ? { status: 'failed', return_code: 1, exec_time_minutes: 0.1 } : undefined))
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.jobs.find((j: { job_name: string }) => j.job_name === 'bad')).toMatchObject({
      cause: 'unknown',
      action: 'skip',
    })
    expect(preview.blockers.join(' ')).toContain('still ready, pending or running')
    const withUnknown = await callBoth('recover_workflow', { workflow_id: wf.id, retry_unknown: true })
    expect(withUnknown.jobs_to_retry).toEqual([wf.jobIds.get('bad')])
    const apply = await rest('recover_workflow', {
      workflow_id: wf.id,
      dry_run: false,
      plan_id: withUnknown.plan_id,
      retry_unknown: true,
    })
    expect(apply.status).toBe(409)
    expect(apply.body.error.message).toMatch(/^cannot apply this plan now: .*still ready, pending or running/)
    expect(await rest('get_workflow_status', { workflow_id: wf.id })).toMatchObject({
      body: { run_id: 1, job_counts_by_status: { failed: 1, running: 1 } },
    })
  })
})

describe('recover_workflow: what it sets', () => {
  it('floors memory on the peak of a completed job that shares the requirement (it would fail next time)', async () => {
    const wf = await createWorkflow({
      name: 'floor-completed',
      resources: { work: { num_cpus: 1, memory: '4g', runtime: 'PT1H' } },
      jobs: [
        { name: 'killed', resources: 'work' },
        { name: 'survivor', resources: 'work' },
        { name: 'small', resources: 'work' },
      ],
    })
    await drive(wf, (job) =>
      job === 'killed'
        ? { status: 'failed', return_code: 137, exec_time_minutes: 2, peak_memory_bytes: 5 * GB }
        : {
            status: 'completed',
            return_code: 0,
            exec_time_minutes: 3,
            peak_memory_bytes: (job === 'survivor' ? 7.5 : 1) * GB,
          }
    )
    await stopRunner(wf)
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    // 4g × 1.5 = 6g would hold the failed job (5 GB) but not survivor (7.5 GB): 7.5 × 1.1 = 8.25 → 9g.
    expect(preview.adjustments[0].memory).toEqual({
      old: '4g',
      new: '9g',
      why: 'peak 7.50 GB (survivor, completed, shares this requirement): 6g would fail again, proposing 9g (peak + 10%)',
    })
    expect(preview.jobs_to_retry).toEqual([wf.jobIds.get('killed')])
    const done = await applyVia('mcp', 'recover_workflow', { workflow_id: wf.id, plan_id: preview.plan_id })
    expect(done.applied.requirements_updated).toMatchObject([{ memory: '9g' }])
    const survivor = await callBoth('get_job_details', { job_id: wf.jobIds.get('survivor') })
    expect(survivor).toMatchObject({ status: 'completed', resource_requirements: { memory: '9g' } })
  })

  it('resets only the diagnosed jobs when an unknown failure (rc 1) sits among OOM kills, unless retry_unknown', async () => {
    const make = async (name: string) => {
      const wf = await createWorkflow({
        name,
        resources: { work: { num_cpus: 2, memory: '2g', runtime: 'PT1H' } },
        jobs: [
          { name: 'oom_a', resources: 'work' },
          { name: 'oom_b', resources: 'work' },
          { name: 'bad_input', resources: 'work' },
          { name: 'fine', resources: 'work' },
          { name: 'after_bad', resources: 'work', depends_on: ['bad_input'] },
        ],
      })
      await drive(wf, (job) =>
        job.startsWith('oom')
          ? { status: 'failed', return_code: 137, exec_time_minutes: 1, peak_memory_bytes: 2.5 * GB }
          : job === 'bad_input'
            ? { status: 'failed', return_code: 1, exec_time_minutes: 0.2, peak_memory_bytes: 100 * 1024 ** 2 }
            : { status: 'completed', return_code: 0, exec_time_minutes: 1 }
      )
      await stopRunner(wf)
      return wf
    }
    const wf = await make('mixed-unknown')
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.counts).toMatchObject({ oom: 2, unknown: 1 })
    expect(byName(preview.jobs, 'bad_input')).toMatchObject({
      cause: 'unknown',
      action: 'skip',
      cause_detail: 'exit code 1: the program failed on its own; no sign of a memory or time limit',
    })
    expect(preview.jobs_to_retry).toEqual([wf.jobIds.get('oom_a'), wf.jobIds.get('oom_b')])
    const done = await applyVia('rest', 'recover_workflow', { workflow_id: wf.id, plan_id: preview.plan_id })
    expect(done.applied.jobs_reset).toEqual(preview.jobs_to_retry)
    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status.job_counts_by_status).toMatchObject({ ready: 2, failed: 1, completed: 1, canceled: 1 })
    const bad = await callBoth('get_job_details', { job_id: wf.jobIds.get('bad_input') })
    expect(bad).toMatchObject({ status: 'failed', latest_result: { return_code: 1 } })

    const all = await make('mixed-unknown-retry')
    const withUnknown = await callBoth('recover_workflow', { workflow_id: all.id, retry_unknown: true })
    expect(withUnknown.jobs_to_retry).toEqual(['oom_a', 'oom_b', 'bad_input'].map((n) => all.jobIds.get(n)))
    expect(withUnknown.confirm.arguments).toMatchObject({ retry_unknown: true, plan_id: withUnknown.plan_id })
    await applyVia('mcp', 'recover_workflow', {
      workflow_id: all.id,
      plan_id: withUnknown.plan_id,
      retry_unknown: true,
    })
    const after = await callBoth('get_workflow_status', { workflow_id: all.id })
    expect(after.job_counts_by_status).toMatchObject({ ready: 3, blocked: 1, failed: 0, completed: 1 })
  })

  it('floors runtime on the longest run, rounds up to whole minutes, and the jobs are ready with it after applying', async () => {
    const wf = await createWorkflow({
      name: 'runtime-floor',
      resources: {
        quick: { num_cpus: 1, memory: '1g', runtime: 'PT5M' },
        hourly: { num_cpus: 1, memory: '1g', runtime: 'PT1H' },
        odd: { num_cpus: 1, memory: '1g', runtime: 'PT7M' },
      },
      jobs: [
        { name: 'overran', resources: 'quick' },
        { name: 'hour', resources: 'hourly' },
        { name: 'seven', resources: 'odd' },
      ],
    })
    await drive(wf, (job) =>
      job === 'overran'
        ? { status: 'terminated', return_code: 152, exec_time_minutes: 9.5 }
        : job === 'hour'
          ? { status: 'failed', return_code: 152, exec_time_minutes: 60.2 }
          : { status: 'terminated', return_code: -9, exec_time_minutes: 7.1 }
    )
    await stopRunner(wf)
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    const runtimes = Object.fromEntries(
      preview.adjustments.map((a: { name: string; runtime: unknown }) => [a.name, a.runtime])
    )
    expect(runtimes).toEqual({
      // 5 min × 1.4 = 7 min, but it ran 9.5: 9.5 × 1.1 = 10.45 → 11 min.
      quick: {
        old: 'PT5M',
        new: 'PT11M',
        why: 'ran 9m 30s: PT7M would time out again, proposing PT11M (longest run + 10%)',
      },
      // 60 min × 1.4 = 84 min (1h 24m), above 60.2 × 1.1.
      hourly: { old: 'PT1H', new: 'PT1H24M', why: 'PT1H × 1.4 = PT1H24M (ran 1h 0m 12s)' },
      // 7 min × 1.4 = 9.8 min → rounded up to 10.
      odd: { old: 'PT7M', new: 'PT10M', why: 'PT7M × 1.4 = PT10M (ran 7m 6s)' },
    })
    expect(preview.adjustments.every((a: { memory: unknown }) => a.memory === null)).toBe(true)
    await applyVia('mcp', 'recover_workflow', { workflow_id: wf.id, plan_id: preview.plan_id })
    for (const [job, runtime] of [
      ['overran', 'PT11M'],
      ['hour', 'PT1H24M'],
      ['seven', 'PT10M'],
    ] as const) {
      const details = await callBoth('get_job_details', { job_id: wf.jobIds.get(job) })
      expect(details, job).toMatchObject({ status: 'ready', resource_requirements: { runtime, memory: '1g' } })
    }
  })
})

describe('recover_workflow: terminated jobs it cannot adjust', () => {
  it('says they run again anyway, because Torc readies every terminated job in a new run', async () => {
    const wf = await createWorkflow({
      name: 'terminated-unadjustable',
      resources: {
        zero: { num_cpus: 1, memory: '1g', runtime: 'PT0M' },
        ok: { num_cpus: 1, memory: '1g', runtime: 'PT10M' },
      },
      jobs: [
        { name: 'stopped', resources: 'zero' },
        { name: 'oom', resources: 'ok' },
      ],
    })
    await drive(wf, (job) =>
      job === 'stopped'
        ? { status: 'terminated', return_code: 152, exec_time_minutes: 3 }
        : { status: 'failed', return_code: 137, exec_time_minutes: 1 }
    )
    await stopRunner(wf)
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(byName(preview.jobs, 'stopped')).toMatchObject({
      cause: 'timeout',
      action: 'retry',
      runtime: null,
      reason: expect.stringMatching(/cannot be read.*readies every terminated job/),
    })
    expect(preview.jobs_to_retry).toEqual([wf.jobIds.get('stopped'), wf.jobIds.get('oom')])
    const done = await applyVia('rest', 'recover_workflow', { workflow_id: wf.id, plan_id: preview.plan_id })
    expect(done.applied.jobs_by_status_after).toMatchObject({ ready: 2, terminated: 0, failed: 0 })
  })
})
