/**
 * The tick's bounds and failure handling: Torc calls per tick for 1, 100 and 1,000 watched
 * workflows (one status call per checked workflow, at most TORC_EDGE_WATCH_PER_TICK), round-robin
 * oldest-checked first, a recovery deferred when the budget cannot pay for it, Torc unreachable
 * (recorded, one notification after the configured time, one when it is back), deliveries retried
 * with backoff and given up after MAX_ATTEMPTS.
 */
import { describe, expect, it } from 'vitest'
import { MAX_ATTEMPTS } from '../../../src/watch/notify.ts'
import { resolvePolicy, WatchPolicySchema } from '../../../src/watch/policy.ts'
import { ScriptedTorc, type Sent } from '../../helpers/scripted-torc.ts'
import { eventsOf, harness, MIN, T0 } from './harness.ts'
import { TorcWorld } from './torc-world.ts'

/** Workflows 1..n, each with 2,000 jobs running (the aggregate costs one call whatever the size). */
function runningTorc(): ScriptedTorc {
  const torc = new ScriptedTorc()
  torc.on('GET', /^\/workflows\/\d+\/status$/, (sent: Sent) => ({
    workflow_id: Number(sent.path.split('/')[2]),
    workflow_name: `wf${sent.path.split('/')[2]}`,
    workflow_user: 'tester',
    total_jobs: 2000,
    jobs_by_status: {
      uninitialized: 0,
      blocked: 1000,
      ready: 0,
      pending: 0,
      running: 500,
      completed: 500,
      failed: 0,
      canceled: 0,
      terminated: 0,
      disabled: 0,
      pending_failed: 0,
    },
    is_complete: false,
    is_canceled: false,
    total_exec_time_minutes: 10,
    active_compute_nodes: 4,
    pending_scheduled_nodes: 0,
    active_scheduled_nodes: 1,
  }))
  return torc
}

async function addWatches(h: ReturnType<typeof harness>, n: number) {
  const policy = resolvePolicy(WatchPolicySchema.parse({ destinations: ['ops'] }))
  for (let id = 1; id <= n; id++)
    await h.store.create({ workflow_id: id, owner: 'alice', policy, workflow_name: `wf${id}`, now: T0 })
}

describe('Torc calls per tick', () => {
  it.each([
    [1, 1],
    [100, 50],
    [1000, 50],
  ])('%i watched workflows of 2,000 jobs each: %i status calls, nothing else', async (watched, expected) => {
    const torc = runningTorc()
    const h = harness(torc)
    await addWatches(h, watched)
    const report = await h.tick()
    expect(report.spent.torc).toBe(expected)
    expect(torc.calls().every((c) => /^GET \/workflows\/\d+\/status$/.test(c))).toBe(true)
    // D1: the claim, one batch per check, the outbox claim.
    expect(report.spent.d1).toBe(expected + 2)
    expect(report.total).toBeLessThanOrEqual(h.config.TORC_EDGE_WATCH_SUBREQUESTS)
    console.info(
      `${watched} watched: ${report.spent.torc} Torc calls, ${report.spent.d1} D1 calls, ${report.total} subrequests`
    )
  })

  it('round-robin: the least recently checked go first, so 5 watches at 2 per tick are all checked in 3 ticks', async () => {
    const h = harness(runningTorc(), { TORC_EDGE_WATCH_PER_TICK: '2' })
    await addWatches(h, 5)
    const order: number[] = []
    for (let i = 0; i < 3; i++) {
      h.clock.now += MIN
      order.push(...(await h.tick()).checks.map((c) => c.workflow_id))
    }
    expect(order.slice(0, 5).sort()).toEqual([1, 2, 3, 4, 5])
    expect(order[5]).toBe(1)
  })

  it('a recovery the rest of the budget cannot pay for waits for the next tick, first in line', async () => {
    const world = new TorcWorld([12, 8])
    const h = harness(world.torc, { TORC_EDGE_WATCH_SUBREQUESTS: '50' })
    await h.watch({ workflow_id: 1 })
    world.run()
    const report = await h.tick()
    expect(report.checks[0]).toMatchObject({ decision: 'deferred' })
    expect(world.workflow.run_id).toBe(1)
    expect(report.total).toBeLessThanOrEqual(50)
    expect((await h.store.get(1))?.checked_at).toBe(0)
  })
})

describe('Torc unreachable', () => {
  it('is recorded on every tick as one history row, notified once after 15 minutes, and once when it is back', async () => {
    const world = new TorcWorld([8])
    const h = harness(world.torc)
    const id = await h.watch({ workflow_id: 1, destinations: ['ops'] })
    world.down = true
    for (const minute of [0, 5, 10, 15, 20, 25]) {
      const report = await h.tick({ at: T0 + minute * MIN })
      expect(report.checks[0]?.decision).toBe('unreachable')
    }
    world.down = false
    world.run()
    await h.tick({ at: T0 + 30 * MIN })
    await h.tick({ at: T0 + 31 * MIN })
    expect(eventsOf(h.hooks)).toEqual(['unreachable', 'reachable', 'completed'])
    const history = (await h.store.events(id, { after: 0, limit: 100 })).items
    const down = history.filter((e) => e.kind === 'check' && e.summary.startsWith('Torc unreachable'))
    expect(down).toHaveLength(1)
    expect(down[0]?.repeats).toBe(6)
    expect(history.filter((e) => e.kind === 'unreachable').map((e) => e.summary)).toEqual([
      expect.stringMatching(/^Torc unreachable: Torc is unreachable \(GET \/workflows\/\{?1/),
      'Torc answers again after 30 min',
    ])
    expect(JSON.parse(h.hooks[0]!.body).text).toContain('Torc has been unreachable for 15 min')
  })

  it('once Torc fails, the rest of the tick does not call it again (at most the checks already in flight)', async () => {
    const torc = new ScriptedTorc()
    torc.on('GET', /.*/, { fault: 'refused' })
    const h = harness(torc)
    await addWatches(h, 12)
    const report = await h.tick()
    expect(report.checks.map((c) => c.decision)).toEqual(Array(12).fill('unreachable'))
    expect(report.spent.torc).toBeLessThanOrEqual(4)
  })
})

describe('deliveries', () => {
  it('are retried with backoff on later ticks, recorded each time, and given up after MAX_ATTEMPTS', async () => {
    const world = new TorcWorld([8])
    const h = harness(world.torc)
    const id = await h.watch({ workflow_id: 1, destinations: ['ops'] })
    world.run()
    h.answers.push(...Array(MAX_ATTEMPTS).fill(500))
    // A tick a minute for three hours: the backoff spaces the attempts out (1, 2, 4, 8, 15, 30, 60 min).
    for (let minute = 0; minute <= 180; minute++) await h.tick({ at: T0 + minute * MIN })
    const attempts = h.hooks.map((x) => x.headers['X-Torc-Edge-Delivery'])
    expect(attempts).toHaveLength(MAX_ATTEMPTS)
    expect(new Set(attempts)).toEqual(new Set([`w${id}:completed:ops`]))
    const deliveries = (await h.store.events(id, { after: 0, limit: 100 })).items.filter((e) => e.kind === 'delivery')
    expect(deliveries.map((e) => Math.round((e.at - T0) / MIN))).toEqual([0, 1, 3, 7, 15, 30, 60, 120])
    expect(deliveries.at(-1)?.summary).toBe(
      `could not deliver completed to ops (attempt ${MAX_ATTEMPTS}): HTTP 500; giving up on it`
    )
  })

  it('a 2xx after failures delivers once; the same body and signature each time', async () => {
    const world = new TorcWorld([8])
    const h = harness(world.torc)
    await h.watch({ workflow_id: 1, destinations: ['ops'] })
    world.run()
    h.answers.push(503, 200)
    for (let minute = 0; minute <= 10; minute++) await h.tick({ at: T0 + minute * MIN })
    expect(h.hooks).toHaveLength(2)
    expect(h.hooks[0]!.body).toBe(h.hooks[1]!.body)
    expect(h.hooks[0]!.headers['X-Torc-Edge-Signature']).toBe(h.hooks[1]!.headers['X-Torc-Edge-Signature'])
  })
})
