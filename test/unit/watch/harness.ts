/**
 * Ticks over a scripted Torc world, node:sqlite D1 and the local change ledger, with a clock the
 * test moves and a webhook receiver that records what it got (an HTTP server stands in for none:
 * deliveries go through the `fetcher` the tick takes).
 */
import { randomUUID } from 'node:crypto'
import { parseConfig } from '../../../src/config.ts'
import type { AgentClient } from '../../../src/output/agent.ts'
import type { ToolContext } from '../../../src/registry.ts'
import { watchWorkflow } from '../../../src/tools/watch.ts'
import { TorcClient } from '../../../src/torc/client.ts'
import type { Transport } from '../../../src/transport.ts'
import { Budget, countedLedger, countedTransport } from '../../../src/watch/budget.ts'
import { counted } from '../../../src/watch/db.ts'
import { WatchStore } from '../../../src/watch/store.ts'
import { runTick, type TickReport } from '../../../src/watch/tick.ts'
import { localLedger } from '../../helpers/local-ledger.ts'
import { localD1 } from './local-d1.ts'

export const SECRET = 'unit-secret'
export const T0 = Date.parse('2026-03-01T08:00:00Z')
export const MIN = 60_000

export interface Hook {
  url: string
  body: string
  headers: Record<string, string>
}

export function harness(transport: Transport, env: Record<string, string> = {}, agent?: AgentClient) {
  const config = parseConfig({
    TORC_API_URL: transport.baseUrl,
    TORC_EDGE_WRITES: 'true',
    TORC_EDGE_WEBHOOKS: 'ops=https://hooks.example.org/ops,team=https://hooks.example.org/team',
    TORC_EDGE_WEBHOOK_SECRET: SECRET,
    ...env,
  })
  const d1 = localD1()
  const ledger = localLedger()
  const store = new WatchStore(d1)
  const clock = { now: T0 }
  const hooks: Hook[] = []
  /** What the receiver answers next (default 200); a test can make it fail. */
  const answers: number[] = []
  const fetcher = (async (url: string, init: RequestInit) => {
    hooks.push({ url, body: String(init.body), headers: init.headers as Record<string, string> })
    return new Response(null, { status: answers.shift() ?? 200 })
  }) as typeof fetch
  const context = (torc: TorcClient, caller: string, count?: () => void): ToolContext => ({
    torc,
    output: undefined,
    agent,
    config,
    caller: { id: caller, scope: 'write' },
    ledger: count ? countedLedger(ledger, count) : ledger,
    watches: store,
    signal: new AbortController().signal,
    progress: async () => {},
  })
  const client = (t: Transport) => new TorcClient(t, { timeoutMs: 2000, retries: 0, retryDelayMs: 1 })

  /** One tick as the cron runs it, at the harness clock (or `at`). */
  async function tick(options: { at?: number; tickId?: string } = {}): Promise<TickReport> {
    const budget = new Budget(config.TORC_EDGE_WATCH_SUBREQUESTS)
    const torc = client(countedTransport(transport, () => budget.count('torc')))
    const at = options.at ?? clock.now
    return runTick({
      config,
      store: new WatchStore(counted(d1, () => budget.count('d1'))),
      budget,
      context: (w) => context(torc, `watch:${w.id}`, () => budget.count('ledger')),
      tickId: options.tickId ?? randomUUID(),
      now: () => at,
      fetcher,
    })
  }

  /** watch_workflow previewed then applied by `caller`, as a person does it. */
  async function watch(input: Record<string, unknown>, caller = 'alice') {
    const ctx = context(client(transport), caller)
    const preview = await watchWorkflow.handler(watchWorkflow.input.parse(input), ctx)
    if (!preview.can_apply) throw new Error(`watch_workflow blocked: ${JSON.stringify(preview.blockers)}`)
    const applied = await watchWorkflow.handler(
      watchWorkflow.input.parse((preview.confirm as { arguments: Record<string, unknown> }).arguments),
      ctx
    )
    return (applied.applied as { watch_id: number }).watch_id
  }

  return { config, d1, ledger, store, clock, hooks, answers, tick, watch, context, client }
}

/** The notifications' `torc_edge.event`s, in the order the receiver got them. */
export const eventsOf = (hooks: Hook[]) =>
  hooks.map((h) => (JSON.parse(h.body) as { torc_edge: { event: string } }).torc_edge.event)
