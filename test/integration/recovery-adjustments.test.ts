import { describe, expect, it } from 'vitest'
import { applyVia, callBoth } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner } from '../helpers/worker-torc.ts'

/**
 * What recover_workflow sets and resets: memory and runtime floored on the peaks and longest runs
 * it saw, only the diagnosed jobs reset (unless retry_unknown), and terminated jobs whose runtime it
 * cannot adjust, which run again anyway.
 */
const GB = 1024 ** 3

const byName = <T extends { job_name: string }>(items: T[], name: string): T => items.find((i) => i.job_name === name)!

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
      why:
        'peak 7.50 GB (survivor, completed, shares this ' +
        'requirement): 6g would fail again, proposing 9g (peak + 10%)',
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
