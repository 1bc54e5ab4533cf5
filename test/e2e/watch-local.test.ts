/**
 * The watch flows off Slurm: the Worker under wrangler dev with its D1, the real login-node agent
 * starting the real `torc run` in the background (submit_workflow, then the watch's own
 * resubmissions), the real torc-server, a local webhook receiver; between the chat's calls that
 * start it and the end, nothing but cron ticks (wrangler dev's /cdn-cgi/local/scheduled).
 * test/e2e/watch-slurm.test.ts runs the same flows on the real Slurm.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ALWAYS_137, hogSpec, hold } from '../helpers/runner-specs.ts'
import { createAndSubmit, expectSigned, finished, historyLines, startWatch, tickUntilEnded } from './watch-flows.ts'
import { notified, startWatchStack, type WatchStack } from './watch-stack.ts'

describe('watch flows with torc run through the agent', () => {
  let stack: WatchStack

  beforeAll(async () => {
    stack = await startWatchStack()
  }, 300_000)
  afterAll(async () => stack?.stop(), 120_000)

  it('flow 1: an OOM kill is recovered and resubmitted by the watch, and completes with no further tool call', async () => {
    stack.receiver.received.length = 0
    const wf = await createAndSubmit(stack, hogSpec('watch-e2e-oom', hold(160, 3)))
    const id = await startWatch(stack, { workflow_id: wf, destinations: ['ops'], max_retries: 2 })
    const shown = await tickUntilEnded(stack, id, 240_000)
    expect(shown.watch).toMatchObject({ state: 'completed', retries: 1 })
    expect(notified(stack)).toEqual(['ops:recovered', 'ops:completed'])
    expectSigned(stack)
    const lines = historyLines(shown)
    expect(lines).toContainEqual(expect.stringMatching(/^diagnosis: 1 job\(s\) did not succeed: 1 out of memory/))
    expect(lines).toContainEqual(expect.stringMatching(/^change: Recovered: 1 job\(s\) reset for run 2/))
    expect(lines).toContainEqual(expect.stringMatching(/^change: resubmitted: torc run started on the login node/))
    expect(lines).toContainEqual('delivery: delivered recovered to ops (attempt 1)')
    expect(lines).toContainEqual(expect.stringMatching(/^state: completed: all 2 job\(s\) finished without failure/))
    expect(stack.audit.filter((a) => a.action === 'run').length).toBe(2)
  }, 300_000)

  it('flow 2: a workflow that keeps failing reaches max_retries; the watch stops and says "gave up" once', async () => {
    stack.receiver.received.length = 0
    const wf = await createAndSubmit(stack, hogSpec('watch-e2e-gives-up', ALWAYS_137))
    const id = await startWatch(stack, { workflow_id: wf, destinations: ['ops', 'team'], max_retries: 2 })
    const shown = await tickUntilEnded(stack, id, 300_000)
    expect(shown.watch).toMatchObject({ state: 'gave_up', retries: 2 })
    for (let i = 0; i < 3; i++) await stack.tick()
    expect(
      notified(stack)
        .filter((n) => n.endsWith(':gave_up'))
        .sort()
    ).toEqual(['ops:gave_up', 'team:gave_up'])
    expect((await stack.torcGet<{ run_id: number }>(`/workflows/${wf}`)).run_id).toBe(3)
  }, 360_000)

  it('flow 3: two scheduled runs at once on the same failed workflow apply one recovery', async () => {
    const wf = await createAndSubmit(stack, hogSpec('watch-e2e-race', ALWAYS_137))
    expect(await finished(stack, wf, 120_000)).toMatchObject({ failed: 1, completed: 1 })
    const id = await startWatch(stack, { workflow_id: wf, resubmit: false })
    await Promise.all([stack.tick(), stack.tick()])
    expect((await stack.torcGet<{ run_id: number }>(`/workflows/${wf}`)).run_id).toBe(2)
    const rr = await stack.torcGet<{ items: { name: string; memory: string }[] }>(
      `/resource_requirements?workflow_id=${wf}`
    )
    expect(rr.items.find((r) => r.name === 'hog_rr')?.memory).toBe('96m')
    const shown = await stack.ok('get_watch', { watch_id: id })
    expect(shown.watch.retries).toBe(1)
    expect(historyLines(shown).filter((l) => l.startsWith('change: Recovered'))).toHaveLength(1)
  }, 240_000)

  it('flow 4: the Worker restarted between ticks: the watch goes on from D1', async () => {
    stack.receiver.received.length = 0
    const wf = await createAndSubmit(stack, hogSpec('watch-e2e-restart', hold(160, 3)))
    const id = await startWatch(stack, { workflow_id: wf, destinations: ['ops'] })
    expect(await finished(stack, wf, 120_000)).toMatchObject({ failed: 1, completed: 1 })
    await stack.tick()
    const before = await stack.ok('get_watch', { watch_id: id })
    expect(before.watch).toMatchObject({ state: 'active', retries: 1 })
    await stack.restart()
    const shown = await tickUntilEnded(stack, id, 240_000)
    expect(shown.watch).toMatchObject({ state: 'completed', retries: 1 })
    expect(shown.history.slice(0, before.history.length)).toEqual(before.history)
    expect(notified(stack)).toEqual(['ops:recovered', 'ops:completed'])
  }, 300_000)
})
