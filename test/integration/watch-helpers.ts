/**
 * What the watch integration tests share: miniflare's D1 (WATCHES) with migrations/ applied and
 * emptied between tests, the tick run as the Worker runs it (its `scheduled` export, or tick() for
 * its report), the local webhook receiver (test/e2e/watch-receiver.ts, a real HTTP server in the
 * vitest process), the real torc job runner, and Torc's REST API for assertions.
 */
import { applyD1Migrations, createScheduledController, type D1Migration } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { expect, inject } from 'vitest'
import type { WorkerEnv } from '../../src/config.ts'
import worker from '../../src/index.ts'
import { tickDeps } from '../../src/watch/scheduled.ts'
import { runTick as run, type TickReport } from '../../src/watch/tick.ts'
import { torcApi } from '../helpers/worker-torc.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    webhookUrl: string
  }
}

declare global {
  namespace Cloudflare {
    interface Env {
      WATCHES: D1Database
      WATCH_MIGRATIONS: D1Migration[]
    }
  }
}

export const WEBHOOK_SECRET = 'watch-test-secret'

export async function freshWatches(): Promise<void> {
  await applyD1Migrations(env.WATCHES, env.WATCH_MIGRATIONS)
  await env.WATCHES.batch(
    ['watch_outbox', 'watch_events', 'watches'].map((t) => env.WATCHES.prepare(`DELETE FROM ${t}`))
  )
  await fetch(`${inject('webhookUrl')}/reset`, { method: 'POST' })
}

/**
 * One tick over the deployment's bindings (with `extra` vars), as scheduled() runs it, answering its
 * report; `at` moves its clock (the outage tests), else it runs now.
 */
export async function runTick(extra: Record<string, unknown> = {}, at?: number): Promise<TickReport> {
  const deps = tickDeps({ ...(env as unknown as WorkerEnv), ...extra })
  expect(deps).not.toBeNull()
  return run(at === undefined ? deps! : { ...deps!, now: () => at })
}

/** The cron trigger's own entry point: the Worker's `scheduled` export, called as Cloudflare calls it. */
export async function scheduledRun(): Promise<void> {
  const controller = createScheduledController({ cron: '* * * * *', scheduledTime: Date.now() })
  await worker.scheduled(controller, env as unknown as WorkerEnv)
}

export interface Received {
  name: string
  headers: Record<string, string>
  body: string
}

export async function received(): Promise<(Received & { event: string; payload: any })[]> {
  const all = (await (await fetch(`${inject('webhookUrl')}/received`)).json()) as Received[]
  return all.map((r) => {
    const payload = JSON.parse(r.body)
    return { ...r, payload, event: payload.torc_edge.event }
  })
}

/** The receiver answers these statuses to the next notifications of `name`. */
export async function script(name: string, status: number[]): Promise<void> {
  await fetch(`${inject('webhookUrl')}/script`, { method: 'POST', body: JSON.stringify({ name, status }) })
}

/** Recomputes X-Torc-Edge-Signature as a receiver does: HMAC-SHA256 over the exact body. */
export async function signatureOf(body: string): Promise<string> {
  const enc = new TextEncoder()
  const key = await crypto.subtle.importKey(
    'raw',
    enc.encode(WEBHOOK_SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign']
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(body)))
  return `sha256=${[...mac].map((b) => b.toString(16).padStart(2, '0')).join('')}`
}

/** The real torc job runner over the workflow (test/setup/cluster.ts): `torc run <id>` to the end. */
export async function runOnCluster(workflowId: number): Promise<{ status: number; log: string }> {
  const res = await fetch(`${inject('clusterUrl')}/run?workflow_id=${workflowId}`, { method: 'POST' })
  expect(res.ok).toBe(true)
  return res.json()
}

export const statusOf = (id: number) =>
  torcApi<{ jobs_by_status: Record<string, number>; run_id?: number }>('GET', `/workflows/${id}/status`)
export const workflowOf = (id: number) => torcApi<{ run_id: number }>('GET', `/workflows/${id}`)

/** A watch's history from D1, oldest first, as `kind: summary` lines. */
export async function historyOf(watchId: number): Promise<string[]> {
  const rows = await env.WATCHES.prepare('SELECT kind, summary FROM watch_events WHERE watch_id = ? ORDER BY id')
    .bind(watchId)
    .all<{ kind: string; summary: string }>()
  return rows.results.map((r) => `${r.kind}: ${r.summary}`)
}
