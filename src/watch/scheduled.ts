/**
 * The Worker's `scheduled` handler (wrangler.toml `[triggers] crons`): one tick over the watches in
 * D1. Everything it uses is built from the bindings for this invocation, every subrequest counted in
 * the tick's budget; nothing survives it but what it wrote to D1.
 */
import { durableLedger } from '../changes/ledger.ts'
import { parseConfig, type ServiceBinding, type WorkerEnv } from '../config.ts'
import { logEvent } from '../log.ts'
import { agentClient } from '../output/agent.ts'
import { OutputClient } from '../output/client.ts'
import type { ToolContext } from '../registry.ts'
import { TorcClient } from '../torc/client.ts'
import { outputTransport, torcTransport } from '../transport.ts'
import { Budget, countedLedger, countedTransport } from './budget.ts'
import { counted } from './db.ts'
import { WatchStore } from './store.ts'
import { runTick, type TickDeps, type TickReport } from './tick.ts'

/** A service binding (or the global fetch, when there is none) whose requests are counted. */
function countedBinding(binding: ServiceBinding | undefined, count: () => void): ServiceBinding {
  return {
    fetch(request) {
      count()
      return binding ? binding.fetch(request) : fetch(request)
    },
  }
}

/** The tick's dependencies from the Worker's bindings, or null when watches are not set up (no WATCHES). */
export function tickDeps(env: WorkerEnv, tickId: string = crypto.randomUUID()): TickDeps | null {
  if (!env.WATCHES) return null
  const config = parseConfig(env)
  const budget = new Budget(config.TORC_EDGE_WATCH_SUBREQUESTS)
  const signal = new AbortController().signal
  const torc = new TorcClient(
    countedTransport(torcTransport(config, env), () => budget.count('torc')),
    { timeoutMs: config.TORC_TIMEOUT_MS, signal }
  )
  const ledger = env.CHANGES ? countedLedger(durableLedger(env.CHANGES), () => budget.count('ledger')) : undefined
  // The site server (its /v1/info says which actions the agent allows) and the agent's actions: one host.
  const site = { ...env, OUTPUT: countedBinding(env.OUTPUT, () => budget.count('agent')) }
  const outputSite = outputTransport(config, site)
  const output = outputSite && new OutputClient(outputSite, config.TORC_TIMEOUT_MS)
  const agent = agentClient(config, site)
  const context = (watch: { id: number }): ToolContext => ({
    torc,
    output,
    agent,
    config,
    caller: { id: `watch:${watch.id}`, scope: 'write' },
    ledger,
    signal,
    progress: async () => {},
  })
  const store = new WatchStore(counted(env.WATCHES, () => budget.count('d1')))
  return { config, store, budget, context, tickId }
}

/** One tick over the watches in `env`, answering what it did (tests and `npm run dev` read this). */
export async function tick(env: WorkerEnv): Promise<TickReport | null> {
  const deps = tickDeps(env)
  if (!deps) {
    logEvent('watch_tick', { skipped: 'no WATCHES binding (D1): watches are not set up on this deployment' })
    return null
  }
  return runTick(deps)
}

/** What the Worker exports as `scheduled`: the cron trigger's entry point. */
export async function scheduled(_controller: unknown, env: WorkerEnv): Promise<void> {
  await tick(env)
}
