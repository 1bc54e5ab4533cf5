/**
 * Tool logic without a torc build: a Transport that answers from a script of routes, and a
 * ToolContext around it, so a tool group's edge cases (4xx, 5xx, timeouts, bad data, paging) run
 * in milliseconds in the unit project. The integration project checks the same tools against the
 * real torc-server; this one pins what the tools do with answers a real server will not give on
 * demand. Unmatched requests fail the test, naming the request.
 */
import { parseConfig } from '../../src/config.ts'
import type { ToolContext } from '../../src/registry.ts'
import { TorcClient } from '../../src/torc/client.ts'
import { JOB_STATUSES, type JobStatus } from '../../src/torc/schemas.ts'
import type { Transport } from '../../src/transport.ts'
import { localLedger } from './local-ledger.ts'

export interface Sent {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
  /** The request's headers (the output site's Range, the agent's caller). */
  headers: Headers
}

/** Answered by a route that lets the next matching route (one added before it) answer instead. */
export const PASS: unique symbol = Symbol('pass')

/** One route's answer: a JSON body (status 200), a full Response, a fault to raise, or PASS. */
export type Answer = unknown | Response | { fault: 'refused' | 'hang' } | typeof PASS
type Responder = (sent: Sent) => Answer | Promise<Answer>

interface Route {
  method: string
  path: RegExp
  respond: Responder
  times: number
}

export class ScriptedTorc implements Transport {
  readonly baseUrl = 'http://torc.internal:8080/torc-service/v1'
  readonly host = 'torc.internal:8080'
  readonly sent: Sent[] = []
  private readonly routes: Route[] = []

  /** Answers `method path` (path a string for an exact path, or a RegExp) `times` times (default always). */
  on(method: string, path: string | RegExp, respond: Responder, times?: number): this
  on(method: string, path: string | RegExp, answer: Answer, times?: number): this
  on(method: string, path: string | RegExp, respond: Responder | Answer, times = Number.POSITIVE_INFINITY): this {
    const pattern = typeof path === 'string' ? new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : path
    const responder =
      typeof respond === 'function'
        ? (respond as Responder)
        : respond instanceof Response
          ? replay(respond)
          : () => respond
    this.routes.unshift({ method, path: pattern, respond: responder, times })
    return this
  }

  /** A paged Torc list endpoint over `items`, honouring offset and limit as torc-server does. */
  list(path: string, items: readonly unknown[]): this {
    return this.on('GET', path, (sent: Sent) => {
      const offset = Number(sent.query.get('offset') ?? 0)
      const limit = Number(sent.query.get('limit') ?? 10_000)
      const page = items.slice(offset, offset + limit)
      return {
        items: page,
        offset,
        max_limit: 10_000,
        count: page.length,
        total_count: items.length,
        has_more: offset + page.length < items.length,
      }
    })
  }

  async fetch(pathAndQuery: string, init: RequestInit): Promise<Response> {
    const url = new URL(`${this.baseUrl}${pathAndQuery}`)
    const path = url.pathname.slice(new URL(this.baseUrl).pathname.length)
    const method = init.method ?? 'GET'
    const sent: Sent = {
      method,
      path,
      query: url.searchParams,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      headers: new Headers(init.headers),
    }
    this.sent.push(sent)
    let answer: Answer = PASS
    for (const route of this.routes) {
      if (route.method !== method || !route.path.test(path) || route.times <= 0) continue
      answer = await route.respond(sent)
      if (answer === PASS) continue
      route.times--
      break
    }
    if (answer === PASS) throw new Error(`unscripted Torc request: ${method} ${path}${url.search}`)
    if (answer instanceof Response) return answer
    if (answer && typeof answer === 'object' && 'fault' in answer) {
      if (answer.fault === 'refused') throw new TypeError('fetch failed: connect ECONNREFUSED')
      return new Promise((_, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason ?? new Error('aborted')))
      })
    }
    return Response.json(answer)
  }

  /** Answers the `nth` request matching `method path` (1-based, counted from now) with `answer`, once. */
  nth(method: string, path: string | RegExp, nth: number, answer: Answer): this {
    let seen = 0
    return this.on(method, path, () => (++seen === nth ? answer : PASS), Number.POSITIVE_INFINITY)
  }

  /** The requests sent so far as `METHOD /path`, for asserting what a tool did. */
  calls(): string[] {
    return this.sent.map((s) => `${s.method} ${s.path}`)
  }
}

/**
 * A Response can be read once: each call answers a fresh copy of it (a retried GET reads it again).
 * Not clone(): cancelling one branch of a tee'd body waits for the other, which nobody reads.
 */
function replay(response: Response): Responder {
  const body = response.arrayBuffer()
  return async () => {
    const bytes = await body
    return new Response(bytes.byteLength ? bytes : null, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  }
}

/** Torc's error body, as torc-server 1.0.0 sends it. */
/** Torc's GET /workflows/{id}/status for workflow `id` named `wf-<id>`, with these job counts (default 2 completed). */
export function workflowStatus(id: number, over: Partial<Record<JobStatus, number>> = { completed: 2 }) {
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, over[s] ?? 0]))
  return {
    workflow_id: id,
    workflow_name: `wf-${id}`,
    workflow_user: 'alice',
    total_jobs: Object.values(counts).reduce((a, b) => a + b, 0),
    jobs_by_status: counts,
    is_complete: true,
    is_canceled: false,
    total_exec_time_minutes: 3,
    active_compute_nodes: 0,
    pending_scheduled_nodes: 0,
    active_scheduled_nodes: 0,
  }
}

export const torcError = (status: number, message: string) =>
  Response.json({ error: { message } }, { status, headers: { 'Content-Type': 'application/json' } })

/** A ToolContext on the scripted Torc: a write caller on a deployment with writes on, its own ledger. */
export function scriptedContext(
  torc: ScriptedTorc,
  options: { scope?: 'read' | 'write'; timeoutMs?: number; env?: Record<string, string> } = {}
): ToolContext {
  const config = parseConfig({ TORC_API_URL: torc.baseUrl, TORC_EDGE_WRITES: 'true', ...options.env })
  const signal = new AbortController().signal
  return {
    torc: new TorcClient(torc, { timeoutMs: options.timeoutMs ?? 500, retries: 1, retryDelayMs: 1, signal }),
    output: undefined,
    config,
    caller: { id: 'tester', scope: options.scope ?? 'write' },
    ledger: localLedger(),
    signal,
    progress: async () => {},
  }
}
