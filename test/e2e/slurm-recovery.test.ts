/**
 * Flows 2 and 3 of issue 13, on the real Slurm test bed and through the Worker's tools only: torc's
 * own recovery test workflows (tests/workflows/oom_auto_recovery_test and
 * timeout_auto_recovery_test in the crate), scaled to this machine, in `execution_config.mode:
 * slurm` so each job is an srun step that Slurm's cgroup and time limit end. Each is created,
 * submitted, fails in Slurm, is diagnosed (analyze_workflow_logs on the real Slurm logs leads to
 * recovery), recovered (recover_workflow, whose apply regenerates and submits the allocations
 * through the agent), and completes; get_slurm_sacct shows the failure, then the success.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { haveSlurm } from '../setup/slurm.ts'
import { oomSpec, timeoutSpec } from './slurm-specs.ts'
import { type Stack, startStack, until } from './slurm-stack.ts'

const times: Record<string, number> = {}
async function timed<T>(name: string, body: () => Promise<T>): Promise<T> {
  const t0 = performance.now()
  try {
    return await body()
  } finally {
    times[name] = Math.round(performance.now() - t0)
  }
}

type Confirm = { tool: string; arguments: Record<string, unknown> }
type Row = { slurm_job_id: string; job_step: string; state: string; exit_code: string }

describe.runIf(haveSlurm())('flows 2 and 3: Slurm OOM and timeout, diagnosed and recovered from the chat', () => {
  let stack: Stack

  beforeAll(async () => {
    stack = await startStack()
    console.error(`slurm-recovery bring-up (ms): ${JSON.stringify(stack.timings)}`)
  }, 300_000)

  afterAll(async () => {
    await stack?.stop()
    console.error(`slurm-recovery.test.ts times (ms): ${JSON.stringify(times)}`)
  }, 120_000)

  /** create_workflow + confirm + submit_workflow + confirm: the workflow id and its first allocations. */
  async function createAndSubmit(spec: string): Promise<{ wf: number; first: string[] }> {
    const preview = await stack.ok('create_workflow', { spec, format: 'yaml', action: 'create_workflow' })
    expect(preview.valid, JSON.stringify(preview.errors)).toBe(true)
    const created = await stack.ok((preview.confirm as Confirm).tool, (preview.confirm as Confirm).arguments)
    const wf = (created.applied as { workflow_id: number }).workflow_id
    const planned = await stack.ok('submit_workflow', { workflow_id: wf })
    expect(planned.blockers).toEqual([])
    const submitted = await stack.ok((planned.confirm as Confirm).tool, (planned.confirm as Confirm).arguments)
    const applied = submitted.applied as { slurm_job_ids: string[]; failed_allocations: number }
    expect(applied.slurm_job_ids).toHaveLength(1)
    expect(applied.failed_allocations).toBe(0)
    return { wf, first: applied.slurm_job_ids }
  }

  const settled = (wf: number, ms: number) =>
    until(
      `workflow ${wf} to settle`,
      ms,
      async () => {
        const s = await stack.ok('get_workflow_status', { workflow_id: wf })
        const c = s.job_counts_by_status as Record<string, number>
        const busy = c.ready! + c.pending! + c.running! + c.blocked! + c.uninitialized!
        const a = s.allocations as { queued: number; running: number }
        return busy === 0 && a.queued + a.running === 0 ? s : undefined
      },
      2000
    )

  /** Preview, check, confirm: the applied answer of recover_workflow. */
  async function recover(wf: number, args: Record<string, unknown>) {
    const preview = await stack.ok('recover_workflow', { workflow_id: wf, ...args })
    expect(preview.can_apply, JSON.stringify(preview.blockers)).toBe(true)
    expect((preview.slurm as { via_agent: boolean }).via_agent).toBe(true)
    const applied = await timed(`recover ${wf}`, () =>
      stack.ok((preview.confirm as Confirm).tool, (preview.confirm as Confirm).arguments)
    )
    expect(applied.status).toBe('applied')
    return { preview, applied }
  }

  it('flow 2: an OOM under Slurm cgroups is diagnosed, recovered at 3.5x, resubmitted by the apply, and completes', async () => {
    const { wf, first } = await timed('oom: create and submit', () =>
      createAndSubmit(oomSpec('oom_auto_recovery_test', 10))
    )
    const failed = await timed('oom: first run fails', () => settled(wf, 180_000))
    expect(failed.job_counts_by_status).toMatchObject({ failed: 10, completed: 0 })

    const sacct = await stack.ok('get_slurm_sacct', { workflow_id: wf })
    const steps = (sacct.summary as Row[]).filter((r) => r.slurm_job_id === first[0] && /^wf\d+_j\d+/.test(r.job_step))
    expect(steps).toHaveLength(10)
    for (const s of steps) expect(s.state).toBe('OUT_OF_MEMORY')
    // sacct's text says 0:125 where torc's JSON-based summary says 0:0.
    for (const s of steps) expect(s.exit_code).toBe('0:125')

    // The real Slurm logs: torc's patterns count the oom-kill lines as "Slurm Error"; the guidance still fires.
    const logs = await stack.ok('analyze_workflow_logs', { workflow_id: wf })
    expect((logs.errors_by_type as { type: string; count: number }[]).map((e) => e.type)).toContain('Slurm Error')
    expect(JSON.stringify(logs.recovery ?? null)).toContain('recover_workflow')

    const { preview, applied } = await recover(wf, { memory_multiplier: 3.5 })
    expect(preview.counts).toMatchObject({ oom: 10 })
    const adjustments = preview.adjustments as { memory: { old: string; new: string } | null }[]
    expect(adjustments.map((a) => a.memory)).toEqual([expect.objectContaining({ old: '100m', new: '350m' })])
    const submitted = (applied.applied as { slurm_submitted: { slurm_job_ids: string[]; failed_allocations: number } })
      .slurm_submitted
    expect(submitted.slurm_job_ids.length).toBeGreaterThan(0)
    expect(submitted.failed_allocations).toBe(0)
    expect(String(applied.next_steps)).toContain(submitted.slurm_job_ids[0])

    const done = await timed('oom: recovered run completes', () => settled(wf, 180_000))
    expect(done.job_counts_by_status).toMatchObject({ completed: 10, failed: 0 })
    const after = await stack.ok('get_slurm_sacct', { workflow_id: wf })
    const rerun = (after.summary as Row[]).filter(
      (r) => submitted.slurm_job_ids.includes(r.slurm_job_id) && /^wf\d+_j\d+/.test(r.job_step)
    )
    expect(rerun).toHaveLength(10)
    for (const s of rerun) expect(s).toMatchObject({ state: 'COMPLETED', exit_code: '0:0' })
  })

  it('flow 3: a step killed at its Slurm time limit is recovered (runtime raised, walltime regenerated) and completes', async () => {
    const { wf, first } = await timed('timeout: create and submit', () =>
      createAndSubmit(timeoutSpec('timeout_auto_recovery_test'))
    )
    const failed = await timed('timeout: first run is killed', () => settled(wf, 240_000))
    expect(failed.job_counts_by_status).toMatchObject({ completed: 1, terminated: 1 })
    const sacct = await stack.ok('get_slurm_sacct', { workflow_id: wf })
    const slow = (sacct.summary as Row[]).filter((r) => r.slurm_job_id === first[0] && /^wf\d+_j\d+/.test(r.job_step))
    expect(slow.map((r) => r.state).sort()).toEqual(['COMPLETED', 'TIMEOUT'])

    const logs = await stack.ok('analyze_workflow_logs', { workflow_id: wf })
    expect(JSON.stringify(logs.recovery ?? null)).toContain('recover_workflow')

    const { preview, applied } = await recover(wf, { runtime_multiplier: 2 })
    expect(preview.counts).toMatchObject({ timeout: 1 })
    const runtime = (preview.adjustments as { runtime: { old: string; new: string } | null }[])[0]?.runtime
    expect(runtime).toMatchObject({ old: 'PT1M', new: 'PT2M' })
    const submitted = (applied.applied as { slurm_submitted: { slurm_job_ids: string[] } }).slurm_submitted
    expect(submitted.slurm_job_ids.length).toBeGreaterThan(0)
    // The regenerated scheduler's walltime holds the new runtime (torc: runtime x 1.5, in whole minutes).
    const schedulers = await stack.torcGet<{ items: { walltime: string }[] }>(`/slurm_schedulers?workflow_id=${wf}`)
    expect(schedulers.items.map((s) => s.walltime)).toContain('00:03:00')

    const done = await timed('timeout: recovered run completes', () => settled(wf, 300_000))
    expect(done.job_counts_by_status).toMatchObject({ completed: 2, terminated: 0, failed: 0 })
    const after = await stack.ok('get_slurm_sacct', { workflow_id: wf })
    const rerun = (after.summary as Row[]).filter(
      (r) => submitted.slurm_job_ids.includes(r.slurm_job_id) && /^wf\d+_j\d+/.test(r.job_step)
    )
    expect(rerun.map((r) => r.state)).toEqual(['COMPLETED'])
  }, 600_000)
})
