import type { z } from 'zod'
import { mapConcurrent } from '../concurrency.ts'
import { type ErrorCode, ToolError, upstreamText } from '../errors.ts'
import type { Transport } from '../transport.ts'
import { ListPageSchema } from './schemas.ts'

export type Query = Record<string, string | number | boolean | undefined>

export interface ClientOptions {
  timeoutMs: number
  /** Aborts every call when the tool call is cancelled. */
  signal?: AbortSignal | undefined
  /** Extra attempts for idempotent GETs that failed to connect or got 502/503/504. */
  retries?: number
  retryDelayMs?: number
}

export interface ListOptions {
  /** Stop after this many items (all when absent). */
  limit?: number | undefined
  offset?: number | undefined
  pageSize?: number
  concurrency?: number
}

/** Torc answers at most this many rows per page (MAX_RECORD_TRANSFER_COUNT is 100,000 in 1.0). */
const DEFAULT_PAGE_SIZE = 10_000
const DEFAULT_CONCURRENCY = 4
const RETRYABLE = new Set([502, 503, 504])

/**
 * A list page of `itemSchema`, built once per item schema: a zod schema built per call is walked and
 * normalized again on its first parse, which was a good part of a small tool call's own time.
 */
const pageSchemas = new WeakMap<z.ZodType, z.ZodType>()
function pageSchemaOf<S extends z.ZodType>(itemSchema: S) {
  const known = pageSchemas.get(itemSchema) as ReturnType<typeof buildPage<S>> | undefined
  if (known) return known
  const built = buildPage(itemSchema)
  pageSchemas.set(itemSchema, built)
  return built
}
const buildPage = <S extends z.ZodType>(itemSchema: S) => ListPageSchema.extend({ items: itemSchema.array().nullish() })

/**
 * Typed access to the Torc REST API. Every call has a timeout, every body is checked with zod,
 * and every failure becomes a ToolError that names neither Torc's address nor a credential (the
 * address is in its cause, for the log line).
 */
export class TorcClient {
  readonly transport: Transport
  private readonly options: Required<Omit<ClientOptions, 'signal'>> & { signal?: AbortSignal | undefined }

  constructor(transport: Transport, options: ClientOptions) {
    this.transport = transport
    this.options = { retries: 2, retryDelayMs: 150, ...options }
  }

  get<S extends z.ZodType>(path: string, schema: S, query?: Query): Promise<z.output<S>> {
    return this.call('GET', path, schema, { query })
  }

  send<S extends z.ZodType>(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    schema: S,
    options: { query?: Query; body?: unknown } = {}
  ): Promise<z.output<S>> {
    return this.call(method, path, schema, options)
  }

  /** Number of rows a list endpoint would return, from `total_count` of a one-row page. */
  async count(path: string, query: Query): Promise<number> {
    const page = await this.get(path, ListPageSchema, { ...query, offset: 0, limit: 1 })
    return page.total_count
  }

  /**
   * Reads a list endpoint page by page: the first page tells the total, the rest are fetched
   * with bounded concurrency and reassembled in server order.
   */
  async list<S extends z.ZodType>(
    path: string,
    itemSchema: S,
    query: Query,
    options: ListOptions = {}
  ): Promise<{ items: z.output<S>[]; total: number }> {
    const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE
    const start = options.offset ?? 0
    const wanted = options.limit ?? Number.POSITIVE_INFINITY
    const pageSchema = pageSchemaOf(itemSchema)
    const fetchPage = (offset: number, limit: number) => this.get(path, pageSchema, { ...query, offset, limit })

    const first = await fetchPage(start, Math.min(pageSize, wanted))
    const items: z.output<S>[] = [...(first.items ?? [])]
    const end = Math.min(first.total_count, start + wanted)
    const offsets: number[] = []
    for (let o = start + items.length; o < end && items.length > 0; o += pageSize) offsets.push(o)

    const pages = await mapConcurrent(offsets, options.concurrency ?? DEFAULT_CONCURRENCY, async (offset) => {
      const page = await fetchPage(offset, Math.min(pageSize, end - offset))
      return page.items ?? []
    })
    for (const page of pages) items.push(...page)
    return { items: items.slice(0, wanted), total: first.total_count }
  }

  private async call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    { query, body }: { query?: Query | undefined; body?: unknown }
  ): Promise<z.output<S>> {
    const target = `${path}${encodeQuery(query)}`
    const label = `${method} ${path}`
    const attempts = method === 'GET' ? this.options.retries + 1 : 1
    for (let attempt = 1; ; attempt++) {
      const last = attempt === attempts
      let response: Response
      try {
        response = await this.attempt(method, target, body, label)
      } catch (err) {
        // A refused or reset connection is worth another try for a GET; a timeout or a cancel is not.
        if (last || !(err instanceof ToolError) || err.code !== 'upstream_unavailable' || this.options.signal?.aborted)
          throw err
        await sleep(this.options.retryDelayMs * 2 ** (attempt - 1))
        continue
      }
      if (last || !RETRYABLE.has(response.status)) return this.decode(response, schema, label)
      await response.body?.cancel()
      await sleep(this.options.retryDelayMs * 2 ** (attempt - 1))
    }
  }

  private async attempt(method: string, target: string, body: unknown, label: string): Promise<Response> {
    const { timeoutMs, signal } = this.options
    const timeout = timeoutSignal(timeoutMs)
    const init: RequestInit = {
      method,
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      headers: { Accept: 'application/json' },
    }
    if (body !== undefined) {
      init.body = JSON.stringify(body)
      init.headers = { ...init.headers, 'Content-Type': 'application/json' }
    }
    try {
      return await this.transport.fetch(target, init)
    } catch (err) {
      if (timeout.aborted) {
        throw this.failure('upstream_timeout', `Torc did not answer ${label} within ${timeoutMs} ms`, 'timed out')
      }
      if (signal?.aborted) throw new ToolError('upstream_unavailable', `${label} was cancelled`)
      const reason = err instanceof Error ? err.message : String(err)
      const shown = upstreamText(reason, [this.transport.host])
      throw this.failure('upstream_unavailable', `Torc is unreachable (${label}): ${shown}`, reason)
    }
  }

  /**
   * A ToolError whose message names no upstream address (clients see it); the host and the raw
   * detail go to its cause, which the structured log line keeps.
   */
  private failure(code: ErrorCode, message: string, detail: string): ToolError {
    return new ToolError(code, message, { cause: new Error(`Torc at ${this.transport.host}: ${detail}`) })
  }

  private async decode<S extends z.ZodType>(res: Response, schema: S, label: string): Promise<z.output<S>> {
    if (!res.ok) {
      const raw = await readErrorDetail(res)
      const detail = upstreamText(raw, [this.transport.host])
      const suffix = detail ? `: ${detail}` : ''
      const logged = `${label} answered HTTP ${res.status}: ${raw.slice(0, 2000)}`
      // Torc answers 422 when another writer changed a job's status first: a race, not bad input.
      if (res.status === 422 && /concurrently (modified|changed)/i.test(raw)) {
        throw this.failure('conflict', `Torc refused ${label}: changed concurrently by another writer${suffix}`, logged)
      }
      switch (res.status) {
        case 400:
        case 422:
          throw this.failure('invalid_input', `Torc rejected ${label} (HTTP ${res.status})${suffix}`, logged)
        case 401:
        case 403:
          throw this.failure(
            'forbidden',
            `Torc refused ${label} (HTTP ${res.status})${suffix}. ` +
              'Check the Torc credentials configured for torc-edge or the workflow access groups.',
            logged
          )
        case 404:
          throw this.failure('not_found', notFoundMessage(detail, label), logged)
        case 409:
          throw this.failure('conflict', `Torc refused ${label} (HTTP 409)${suffix}`, logged)
        default:
          throw this.failure('upstream_error', `Torc failed ${label} (HTTP ${res.status})${suffix}`, logged)
      }
    }
    let data: unknown
    try {
      data = await res.json()
    } catch {
      throw this.failure('upstream_error', `Torc returned malformed JSON for ${label}`, 'malformed JSON')
    }
    const parsed = schema.safeParse(data)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
      const message = `Torc returned unexpected data for ${label}${where}: ${issue?.message ?? 'invalid'}`
      throw this.failure('upstream_error', message, 'unexpected data')
    }
    return parsed.data
  }
}

/**
 * Torc 1.0 answers a missing workflow with "Workflow not found with ID: N" on every route scoped to
 * it (/workflows/N, /workflows/N/status, /jobs?workflow_id=N ...): said as "workflow N not found",
 * the answer is the same whichever of a tool's parallel calls failed first.
 */
function notFoundMessage(detail: string, label: string): string {
  const named = /^(\w+(?: \w+)?) not found with ID: (\d+)$/i.exec(detail)
  if (named) return `${named[1]!.toLowerCase()} ${named[2]} not found`
  return `not found in Torc: ${label}${detail ? `: ${detail}` : ''}`
}

function encodeQuery(query: Query | undefined): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

/** Torc's error bodies are `{"error":{"message":…}}`, `{"error":"…"}` or plain text: the message in it. */
async function readErrorDetail(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).slice(0, 4000)
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown }
    const inner = body.error
    if (typeof inner === 'string') return inner
    if (inner && typeof inner === 'object' && 'message' in inner) return String(inner.message)
    if (typeof body.message === 'string') return body.message
  } catch {
    // plain-text body
  }
  return text
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * An AbortSignal that aborts after `ms`, held by its own timer. (Node's AbortSignal.timeout is
 * weakly held: once collected, a fetch to a stopped server waited far past its timeout.) The timer
 * also covers reading the body, and never keeps a Node process alive.
 */
function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(new DOMException('timed out', 'TimeoutError')), ms) as unknown as {
    unref?: () => void
  }
  timer.unref?.()
  return controller.signal
}
