/**
 * One cron tick: lease the least recently checked active watches (at most TORC_EDGE_WATCH_PER_TICK,
 * and no more than the subrequest budget pays for), check each (check.ts), then send due
 * notifications. Work is bounded twice: by the number of watches, and by the budget, which every
 * Torc call, D1 round trip, ledger call, agent action and webhook delivery draws on; a watch whose
 * recovery the rest of the budget cannot pay for waits, first in line, for the next tick.
 */
import { mapConcurrent } from '../concurrency.ts'
import type { Config } from '../config.ts'
import { logEvent } from '../log.ts'
import type { ToolContext } from '../registry.ts'
import { type Budget, CHECK_COST, type SpendKind } from './budget.ts'
import { type CheckOutcome, checkWatch, type TickState } from './check.ts'
import { deliver, retryAt } from './notify.ts'
import type { Watch, WatchStore } from './store.ts'

/** A watch's lease: longer than any tick takes, so only a tick that died leaves one to expire. */
export const WATCH_LEASE_MS = 10 * 60_000
const OUTBOX_LEASE_MS = 2 * 60_000
/** Kept back from checks for the tick's own D1 calls and its deliveries. */
const RESERVE = 40
const MAX_DELIVERIES = 25
const CONCURRENCY = 4

export interface TickDeps {
  config: Config
  store: WatchStore
  budget: Budget
  /** A ToolContext acting as the watch (caller `watch:<id>`), every call counted in the budget. */
  context: (watch: Watch) => ToolContext
  tickId: string
  now?: () => number
  fetcher?: typeof fetch
}

export interface TickReport {
  tick: string
  claimed: number
  checks: CheckOutcome[]
  deliveries: { delivered: number; failed: number }
  spent: Record<SpendKind, number>
  total: number
  limit: number
}

export async function runTick(deps: TickDeps): Promise<TickReport> {
  const now = deps.now ?? Date.now
  const { budget, config, store } = deps
  const affordable = Math.max(0, Math.floor((budget.left - RESERVE) / CHECK_COST))
  const limit = Math.min(config.TORC_EDGE_WATCH_PER_TICK, affordable)
  const watches = limit > 0 ? await store.claim(now(), limit, WATCH_LEASE_MS, deps.tickId) : []
  const state: TickState = { torcDown: null }
  const checkDeps = { ...deps, now }
  const checks = await mapConcurrent(watches, CONCURRENCY, async (watch): Promise<CheckOutcome> => {
    try {
      return await checkWatch(watch, checkDeps, state)
    } catch (err) {
      // A check that broke (D1 down, a bug) leaves its lease to expire: the watch is checked again then.
      logEvent('watch_check_error', { watch_id: watch.id, message: err instanceof Error ? err.message : String(err) })
      return { watch_id: watch.id, workflow_id: watch.workflow_id, decision: 'error', note: 'check failed' }
    }
  })
  const deliveries = await deliverDue(deps, now)
  const report: TickReport = {
    tick: deps.tickId,
    claimed: watches.length,
    checks,
    deliveries,
    spent: { ...budget.spent },
    total: budget.total,
    limit: budget.limit,
  }
  logEvent('watch_tick', {
    tick: report.tick,
    claimed: report.claimed,
    decisions: countBy(checks.map((c) => c.decision)),
    deliveries,
    spent: report.spent,
    total: report.total,
  })
  return report
}

const countBy = (items: string[]) =>
  items.reduce<Record<string, number>>((acc, item) => {
    acc[item] = (acc[item] ?? 0) + 1
    return acc
  }, {})

/** Sends the notifications that are due (new ones, and retries whose backoff has passed). */
async function deliverDue(deps: TickDeps, now: () => number): Promise<{ delivered: number; failed: number }> {
  const { budget, config, store } = deps
  // Each delivery is a POST and a D1 write.
  const room = Math.min(MAX_DELIVERIES, Math.floor((budget.left - 1) / 2))
  if (room <= 0) return { delivered: 0, failed: 0 }
  const due = await store.claimOutbox(now(), room, OUTBOX_LEASE_MS)
  let delivered = 0
  let failed = 0
  for (const row of due) {
    const target = config.TORC_EDGE_WEBHOOKS.find((h) => h.name === row.destination)
    const secret = config.TORC_EDGE_WEBHOOK_SECRET
    const attempt = `${row.event} to ${row.destination} (attempt ${row.attempts})`
    if (!target || !secret) {
      failed++
      const error = target ? 'TORC_EDGE_WEBHOOK_SECRET is not set' : 'the destination is no longer configured'
      await store.delivered(row, now(), { ok: false, error, retryAt: null, summary: `not sent ${attempt}: ${error}` })
      continue
    }
    budget.count('webhook')
    const result = await deliver(target.url, row.body, { event: row.event, delivery: row.key, secret }, deps.fetcher)
    if (result.ok) {
      delivered++
      await store.delivered(row, now(), { ok: true, summary: `delivered ${attempt}` })
      continue
    }
    failed++
    const next = retryAt(now(), row.attempts)
    const when = next === null ? 'giving up on it' : `retrying in ${Math.round((next - now()) / 60_000)} min`
    await store.delivered(row, now(), {
      ok: false,
      error: result.error,
      retryAt: next,
      summary: `could not deliver ${attempt}: ${result.error}; ${when}`,
    })
  }
  return { delivered, failed }
}
