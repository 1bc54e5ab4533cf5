/**
 * Issue 15's five flows on the real Slurm test bed: workflows in `execution_config.mode: slurm`
 * submitted from the chat (submit_workflow through the login-node agent), then left to the watch:
 * cron ticks only, as Cloudflare fires them (wrangler dev's /cdn-cgi/local/scheduled). The watch
 * recovers through recover_workflow, whose apply regenerates and submits the allocations through the
 * agent; Slurm's cgroup and time limit do the failing. torc's own recovery test workflows
 * (tests/workflows/oom_auto_recovery_test, timeout_auto_recovery_test in the crate), scaled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { haveSlurm } from '../setup/slurm.ts'
import { oomSpec, slurmScheduler, timeoutSpec } from './slurm-specs.ts'
import { createAndSubmit, expectSigned, finished, historyLines, startWatch, tickUntilEnded } from './watch-flows.ts'
import { notified, startWatchStack, type WatchStack } from './watch-stack.ts'

/** A job that always fails as if killed for memory. */
const ALWAYS_FAILS = `
name: watch-keeps-failing
execution_config:
  mode: slurm
resource_requirements:
  - name: work_resources
    num_cpus: 1
    memory: 100m
    runtime: PT5M
jobs:
  - name: doomed
    command: exit 137
    resource_requirements: work_resources
  - name: fine
    command: echo fine
    resource_requirements: work_resources
${slurmScheduler('00:30:00')}`

const MINUTES = 60_000

describe.runIf(haveSlurm())('issue 15 flows: watched from the edge on the real Slurm', () => {
  let stack: WatchStack

  beforeAll(async () => {
    stack = await startWatchStack({ slurm: true })
  }, 300_000)
  afterAll(async () => stack?.stop(), 120_000)

  const memoryOf = async (wf: number) => {
    const rr = await stack.torcGet<{ items: { name: string; memory: string }[] }>(
      `/resource_requirements?workflow_id=${wf}`
    )
    return rr.items.find((r) => r.name === 'work_resources')?.memory
  }

  const recoveredThenCompleted = (shown: any) => {
    expect(shown.watch).toMatchObject({ state: 'completed', retries: 1 })
    const lines = historyLines(shown)
    expect(lines).toContainEqual(
      expect.stringMatching(/^change: Recovered: \d+ job\(s\) reset for run 2\. Submitted \d+ new Slurm allocation/)
    )
    expect(lines).toContainEqual(expect.stringMatching(/^state: completed: all \d+ job\(s\) finished without failure/))
    expect(lines.filter((l) => l.startsWith('delivery: delivered'))).toHaveLength(2)
  }

  it(
    'flow 1: the OOM test workflow, submitted and watched, reaches completion with no further tool call',
    async () => {
      stack.receiver.received.length = 0
      const wf = await createAndSubmit(stack, oomSpec('watch-oom', 6))
      const id = await startWatch(stack, { workflow_id: wf, destinations: ['ops'], memory_multiplier: 3.5 })
      const shown = await tickUntilEnded(stack, id, 10 * MINUTES, 5000)
      recoveredThenCompleted(shown)
      expect(historyLines(shown)).toContainEqual(
        expect.stringMatching(/^diagnosis: 6 job\(s\) did not succeed: 6 out of memory/)
      )
      expect(notified(stack)).toEqual(['ops:recovered', 'ops:completed'])
      expectSigned(stack)
      expect(await memoryOf(wf)).toBe('350m')
    },
    15 * MINUTES
  )

  it(
    'flow 5: the timeout test workflow is recovered the same way',
    async () => {
      stack.receiver.received.length = 0
      const wf = await createAndSubmit(stack, timeoutSpec('watch-timeout'))
      const id = await startWatch(stack, { workflow_id: wf, destinations: ['ops'], runtime_multiplier: 2 })
      const shown = await tickUntilEnded(stack, id, 12 * MINUTES, 5000)
      recoveredThenCompleted(shown)
      expect(historyLines(shown)).toContainEqual(
        expect.stringMatching(/^diagnosis: 1 job\(s\) did not succeed: 1 timed out/)
      )
      expect(notified(stack)).toEqual(['ops:recovered', 'ops:completed'])
      const schedulers = await stack.torcGet<{ items: { walltime: string }[] }>(`/slurm_schedulers?workflow_id=${wf}`)
      expect(schedulers.items.map((s) => s.walltime)).toContain('00:03:00')
    },
    15 * MINUTES
  )

  it(
    'flow 2: a workflow that keeps failing reaches max_retries; the watch stops and says "gave up" once',
    async () => {
      stack.receiver.received.length = 0
      const wf = await createAndSubmit(stack, ALWAYS_FAILS)
      const id = await startWatch(stack, { workflow_id: wf, destinations: ['ops', 'team'], max_retries: 1 })
      const shown = await tickUntilEnded(stack, id, 10 * MINUTES, 5000)
      expect(shown.watch).toMatchObject({ state: 'gave_up', retries: 1 })
      for (let i = 0; i < 3; i++) await stack.tick()
      expect(
        notified(stack)
          .filter((n) => n.endsWith(':gave_up'))
          .sort()
      ).toEqual(['ops:gave_up', 'team:gave_up'])
      expect((await stack.torcGet<{ run_id: number }>(`/workflows/${wf}`)).run_id).toBe(2)
    },
    15 * MINUTES
  )

  it(
    'flow 3: two scheduled runs at once on the same failed workflow: one recovery applied',
    async () => {
      const wf = await createAndSubmit(stack, ALWAYS_FAILS.replace('watch-keeps-failing', 'watch-race'))
      expect(await finished(stack, wf, 5 * MINUTES)).toMatchObject({ failed: 1, completed: 1 })
      const id = await startWatch(stack, { workflow_id: wf })
      await Promise.all([stack.tick(), stack.tick()])
      expect((await stack.torcGet<{ run_id: number }>(`/workflows/${wf}`)).run_id).toBe(2)
      // Raised once (100m x 1.5), not twice.
      expect(await memoryOf(wf)).toBe('150m')
      const shown = await stack.ok('get_watch', { watch_id: id })
      expect(shown.watch.retries).toBe(1)
      const recovered = historyLines(shown).filter((l) => l.startsWith('change: Recovered'))
      expect(recovered).toHaveLength(1)
      // One regenerate: the allocations of run 2 were submitted once.
      const regenerated = stack.audit.filter(
        (a) => a.action === 'regenerate' && (a.argv as string[][] | undefined)?.[0]?.at(-1) === String(wf)
      )
      expect(regenerated).toHaveLength(1)
      await stack.apply('unwatch_workflow', { watch_id: id })
    },
    10 * MINUTES
  )

  it(
    'flow 4: the Worker restarted between ticks: the watch goes on from D1',
    async () => {
      stack.receiver.received.length = 0
      const wf = await createAndSubmit(stack, oomSpec('watch-restart', 2))
      const id = await startWatch(stack, { workflow_id: wf, destinations: ['ops'], memory_multiplier: 3.5 })
      expect(await finished(stack, wf, 5 * MINUTES)).toMatchObject({ failed: 2 })
      await stack.tick()
      const before = await stack.ok('get_watch', { watch_id: id })
      expect(before.watch).toMatchObject({ state: 'active', retries: 1 })
      await stack.restart()
      const shown = await tickUntilEnded(stack, id, 10 * MINUTES, 5000)
      recoveredThenCompleted(shown)
      expect(shown.history.slice(0, before.history.length)).toEqual(before.history)
      expect(notified(stack)).toEqual(['ops:recovered', 'ops:completed'])
    },
    15 * MINUTES
  )
})
