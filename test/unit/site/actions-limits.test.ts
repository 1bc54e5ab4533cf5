/**
 * The agent's limits, against recording programs that misbehave on purpose (actions-helpers.ts):
 * a hung command is killed at its timeout with everything it started (its process group) and the
 * answer says so; a command flooding its output is cut at the cap and killed; past the
 * concurrency limit the agent answers 429 instead of queueing; `run` answers after its grace
 * period with the runner still going, and starts one runner per workflow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitFor } from '../../../scripts/slurm/procs.ts'
import { type AgentSite, gone, startAgentSite } from './actions-helpers.ts'

let site: AgentSite
beforeAll(async () => {
  site = await startAgentSite({
    maxConcurrent: 1,
    timeoutMs: { cancel: 800, submit: 5_000, run: 500 },
    maxOutputBytes: { sacct: 64 * 1024 },
  })
})
afterAll(async () => site?.stop())

type Answer = {
  ok: boolean
  runs: {
    exit_code: number | null
    signal: string | null
    timed_out: boolean
    output_capped: boolean
    stdout: string
    duration_ms: number
  }[]
  background: { pid: number; already_running: boolean } | null
}

describe('limits', () => {
  it('kills a hung command at its timeout, its child included, and reports it', async () => {
    site.mode('hang')
    const t0 = performance.now()
    const res = await site.post('cancel', { workflow_id: 1 })
    const elapsed = performance.now() - t0
    expect(res.status).toBe(200)
    const body = (await res.json()) as Answer
    expect(body.ok).toBe(false)
    expect(body.runs[0]).toMatchObject({ timed_out: true, exit_code: null, signal: 'SIGTERM' })
    expect(elapsed).toBeGreaterThan(700)
    expect(elapsed).toBeLessThan(5_000)
    const child = site.childPid()
    expect(child).toBeGreaterThan(0)
    await waitFor("the hung command's child to be killed", 3_000, () => (gone(child!) ? true : undefined))
    expect(site.audit.at(-1)).toMatchObject({ action: 'cancel', outcome: 'failed', timed_out: true })
  })

  it('cuts a flood of output at the cap and kills the command', async () => {
    site.mode('flood')
    const t0 = performance.now()
    const res = await site.post('sacct', { slurm_job_ids: [1] })
    const body = (await res.json()) as Answer
    expect(performance.now() - t0).toBeLessThan(10_000)
    expect(body.runs).toHaveLength(3)
    for (const run of body.runs) {
      expect(run.output_capped).toBe(true)
      expect(run.stdout.length).toBeLessThanOrEqual(64 * 1024)
      expect(run.stdout.startsWith('flood-flood-flood\n')).toBe(true)
    }
  })

  it('answers 429 past the concurrency limit instead of queueing', async () => {
    site.mode('slow')
    const first = site.post('submit', { workflow_id: 1 })
    await new Promise((r) => setTimeout(r, 200))
    const second = await site.post('cancel', { workflow_id: 1 })
    expect(second.status).toBe(429)
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe('busy')
    expect((await first).status).toBe(200)
    const third = await site.post('cancel', { workflow_id: 1 })
    expect(third.status).toBe(200)
  })

  it('run answers after its grace period with the runner still going, and never starts two for one workflow', async () => {
    site.mode('hang')
    const res = await site.post('run', { workflow_id: 42 })
    const body = (await res.json()) as Answer
    expect(body.ok).toBe(true)
    expect(body.background).toMatchObject({ already_running: false })
    const pid = body.background!.pid
    expect(gone(pid)).toBe(false)
    const again = (await (await site.post('run', { workflow_id: 42 })).json()) as Answer
    expect(again.background).toMatchObject({ pid, already_running: true })
    process.kill(-pid, 'SIGKILL')
    await waitFor('the runner to end', 3_000, () => (gone(pid) ? true : undefined))
  })

  it('run reports a runner that fails at once as failed, with its output', async () => {
    site.mode('fail')
    const body = (await (await site.post('run', { workflow_id: 43 })).json()) as Answer & {
      runs: { stderr: string }[]
    }
    expect(body.ok).toBe(false)
    expect(body.background).toBeNull()
    expect(body.runs[0]).toMatchObject({ exit_code: 3 })
    expect(body.runs[0]!.stderr).toContain('boom')
    site.mode('ok')
  })
})
