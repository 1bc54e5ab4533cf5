/**
 * Watches in workerd against the real torc-server: miniflare's D1, the Worker's own `scheduled`
 * export, the real torc job runner (`torc run`, test/setup/cluster.ts) killing a job over its memory,
 * and a local webhook receiver (a real HTTP server). Only the login-node agent is absent here, so the
 * reset jobs are run by the test's cluster harness; test/e2e/watch-*.test.ts runs them through the
 * agent with no call in between.
 */

import { beforeEach, describe, expect, it } from 'vitest'
import { hogSpec, hold } from '../helpers/runner-specs.ts'
import { callBoth, createVia, rest, sendConfirm } from '../helpers/worker-faces.ts'
import { torcApi } from '../helpers/worker-torc.ts'
import {
  freshWatches,
  historyOf,
  received,
  runOnCluster,
  runTick,
  scheduledRun,
  signatureOf,
  workflowOf,
} from './watch-helpers.ts'

/** Created through the Worker and run once by the real runner. */
async function ranWorkflow(name: string, hog: string): Promise<number> {
  const id = (await createVia('rest', { spec: hogSpec(name, hog), format: 'yaml' })).applied.workflow_id as number
  const run = await runOnCluster(id)
  expect(run.status, run.log).toBe(0)
  return id
}

/** ...where the hog failed (137) and hello completed. */
async function failedWorkflow(name: string, hog: string): Promise<number> {
  const id = await ranWorkflow(name, hog)
  const status = await torcApi<{ jobs_by_status: Record<string, number> }>('GET', `/workflows/${id}/status`)
  expect(status.jobs_by_status).toMatchObject({ failed: 1, completed: 1 })
  return id
}

/** watch_workflow previewed (the same on both faces) and applied with its confirm call. */
async function watch(input: Record<string, unknown>): Promise<number> {
  const preview = await callBoth('watch_workflow', input)
  expect(preview).toMatchObject({ status: 'preview', can_apply: true, blockers: [] })
  const applied = await sendConfirm('rest', preview.confirm)
  return applied.applied.watch_id
}

beforeEach(freshWatches)

describe('a watched workflow the real runner ran out of memory', () => {
  it('is recovered by the tick, then reported completed: "recovered" then "completed", each step in get_watch', async () => {
    const wf = await failedWorkflow('watch-oom', hold(160, 3))
    const watchId = await watch({ workflow_id: wf, destinations: ['ops'], max_retries: 2 })

    const first = await runTick()
    expect(first.checks).toEqual([expect.objectContaining({ watch_id: watchId, decision: 'recover' })])
    expect((await workflowOf(wf)).run_id).toBe(2)
    const rr = await torcApi<{ items: { name: string; memory: string }[] }>(
      'GET',
      `/resource_requirements?workflow_id=${wf}`
    )
    expect(Number.parseInt(rr.items.find((r) => r.name === 'hog_rr')!.memory, 10)).toBeGreaterThan(160)

    // No agent here: the cluster harness runs the reset job, as the agent's `torc run` would.
    const rerun = await runOnCluster(wf)
    expect(rerun.status, rerun.log).toBe(0)
    expect((await runTick()).checks[0]).toMatchObject({ decision: 'completed' })
    expect((await runTick()).claimed).toBe(0)

    const got = await received()
    expect(got.map((r) => `${r.name}:${r.event}`)).toEqual(['ops:recovered', 'ops:completed'])
    for (const r of got) expect(r.headers['x-torc-edge-signature']).toBe(await signatureOf(r.body))
    expect(got[0]!.payload.text).toMatch(
      new RegExp(`^torc-edge: workflow ${wf} "watch-oom" recovered \\(attempt 1 of 2\\): 1 job\\(s\\) reset for run 2`)
    )
    expect(got[0]!.payload.torc_edge).toMatchObject({
      event: 'recovered',
      workflow_id: wf,
      watch_id: watchId,
      attempt: 1,
    })
    expect(got[1]!.payload.text).toBe(`torc-edge: workflow ${wf} "watch-oom" completed: 2 job(s) completed`)

    const shown = await callBoth('get_watch', { watch_id: watchId })
    expect(shown.watch).toMatchObject({ state: 'completed', retries: 1, max_retries: 2, checks: 2 })
    const kinds = shown.history.map((e: { kind: string; summary: string }) => `${e.kind}: ${e.summary}`)
    expect(kinds).toEqual([
      `created: watching workflow ${wf} for test-write`,
      'check: finished with 1 failure(s): recovering',
      expect.stringMatching(
        /^diagnosis: 1 job\(s\) did not succeed: 1 out of memory\. Retry 1 after 1 resource change/
      ),
      expect.stringMatching(
        /^change: Recovered: 1 job\(s\) reset for run 2\. To run them, on the cluster: `torc run \d+`/
      ),
      expect.stringMatching(/^note: not resubmitted: .*no login-node agent is configured/),
      expect.stringMatching(/^notification: notified recovered to ops: recovered \(attempt 1 of 2\)/),
      'delivery: delivered recovered to ops (attempt 1)',
      'check: completed: 2 completed, 0 failed',
      'state: completed: all 2 job(s) finished without failure',
      'notification: notified completed to ops: completed: 2 job(s) completed',
      'delivery: delivered completed to ops (attempt 1)',
    ])
    const listed = await callBoth('list_watches', { workflow_id: wf })
    expect(listed.watches).toEqual([shown.watch])
  })

  it('that keeps failing is recovered max_retries times, then the watch stops and says "gave up" once', async () => {
    const wf = await failedWorkflow('watch-gives-up', "python3 -c 'import sys; sys.exit(137)'")
    const watchId = await watch({ workflow_id: wf, destinations: ['ops', 'team'], max_retries: 2 })
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect((await runTick()).checks[0]).toMatchObject({ decision: 'recover' })
      expect((await runOnCluster(wf)).status).toBe(0)
    }
    expect((await runTick()).checks[0]).toMatchObject({ decision: 'gave_up' })
    await runTick()
    await scheduledRun()
    expect((await workflowOf(wf)).run_id).toBe(3)
    const got = await received()
    expect(
      got
        .filter((r) => r.event === 'gave_up')
        .map((r) => r.name)
        .sort()
    ).toEqual(['ops', 'team'])
    expect(got.map((r) => r.event)).toEqual(['recovered', 'recovered', 'recovered', 'recovered', 'gave_up', 'gave_up'])
    const shown = await callBoth('get_watch', { workflow_id: wf })
    expect(shown.watch).toMatchObject({
      state: 'gave_up',
      retries: 2,
      reason: 'max_retries (2) reached with 1 job(s) still failed',
    })
    expect((await historyOf(watchId)).filter((h) => h.startsWith('state:'))).toHaveLength(1)
  })
})

describe('exactly one recovery', () => {
  it('when two scheduled runs and a person apply at once', async () => {
    const wf = await failedWorkflow('watch-race', "python3 -c 'import sys; sys.exit(137)'")
    const watchId = await watch({ workflow_id: wf, destinations: ['ops'] })
    const preview = (await rest('recover_workflow', { workflow_id: wf })).body
    const [person] = await Promise.all([
      rest('recover_workflow', { workflow_id: wf, dry_run: false, plan_id: preview.plan_id }),
      scheduledRun(),
      scheduledRun(),
    ])
    expect((await workflowOf(wf)).run_id).toBe(2)
    const rr = await torcApi<{ items: { name: string; memory: string }[] }>(
      'GET',
      `/resource_requirements?workflow_id=${wf}`
    )
    // Raised once (64m x 1.5), not twice.
    expect(rr.items.find((r) => r.name === 'hog_rr')!.memory).toBe('96m')
    const byTick = (await historyOf(watchId)).filter((h) => h.startsWith('change: Recovered')).length
    expect(byTick + Number(person.status === 200)).toBe(1)
    if (person.status !== 200) expect(person.body.error.code).toBe('conflict')
    expect((await received()).filter((r) => r.event === 'recovered')).toHaveLength(byTick)
  })
})

describe('Torc unreachable', () => {
  it('is recorded each tick on one history row and notified once after the configured time, then once when back', async () => {
    const wf = await ranWorkflow('watch-unreachable', 'echo fine')
    const watchId = await watch({ workflow_id: wf, destinations: ['ops'], notify_on: ['unreachable'] })
    // A closed port on loopback: connections are refused, as when the tunnel is down.
    const down = { TORC_API_URL: 'http://127.0.0.1:9/torc-service/v1', TORC_EDGE_WATCH_UNREACHABLE_MINUTES: '1' }
    const start = Date.now()
    for (const seconds of [0, 30, 61, 90]) {
      const report = await runTick(down, start + seconds * 1000)
      expect(report.checks[0]).toMatchObject({ decision: 'unreachable' })
    }
    expect((await received()).map((r) => r.event)).toEqual(['unreachable'])
    await runTick({}, start + 120_000)
    const got = await received()
    expect(got.map((r) => r.event)).toEqual(['unreachable', 'reachable'])
    expect(got[0]!.payload.text).toContain('Torc has been unreachable for 1 min')
    const rows = await historyOf(watchId)
    expect(rows.filter((r) => r.startsWith('check: Torc unreachable'))).toHaveLength(1)
    expect(rows.filter((r) => r.startsWith('unreachable:'))).toEqual([
      expect.stringMatching(/^unreachable: Torc unreachable: Torc is unreachable \(GET \/workflows\/\d+\/status\)/),
      'unreachable: Torc answers again after 2 min',
    ])
  })
})
