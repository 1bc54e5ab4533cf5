/**
 * The Worker's reader of the output site server (site/app.ts), through the same Transport seam as
 * Torc: a direct URL (tunnel hostname + Access headers + bearer) or a service binding. Bodies stay
 * streams; only bounded range reads are buffered. Every failure is a ToolError naming the site's
 * host. A missing workflow or file resolves `undefined` (callers word it for their context), or,
 * with `{ required: true }`, throws not_found in plain words.
 */
import type { z } from 'zod'
import { concatBytes } from '../bytes.ts'
import { ToolError } from '../errors.ts'
import { type AgentInfo, AgentInfoSchema, type JournalListing, JournalListingSchema } from '../site-protocol/actions.ts'
import {
  type FileKind,
  type FileListing,
  FileListingSchema,
  type FileStat,
  FileStatSchema,
} from '../site-protocol/schemas.ts'
import type { Transport } from '../transport.ts'
import { missingFileMessage, missingLogsMessage, siteError, statusError } from './errors.ts'
import { withIdleTimeout } from './idle.ts'

export type { FileKind, FileListing, FileStat, ListedFile } from '../site-protocol/schemas.ts'

/** Narrows a listing or bundle to some jobs, one run, or some kinds of file (site/filter.ts). */
export interface FileFilter {
  job_ids?: readonly number[] | undefined
  run_id?: number | undefined
  kinds?: readonly FileKind[] | undefined
}

const isFiltering = (f: FileFilter | undefined) => workflowQuery(f) !== ''

/** `?all=1&job=1,2&run=3&kind=…` for the site's workflow routes ('' when nothing is asked). */
function workflowQuery(filter: FileFilter = {}, all = false): string {
  const params = new URLSearchParams()
  if (all) params.set('all', '1')
  if (filter.job_ids?.length) params.set('job', filter.job_ids.join(','))
  if (filter.run_id !== undefined) params.set('run', String(filter.run_id))
  if (filter.kinds?.length) params.set('kind', filter.kinds.join(','))
  const text = params.toString()
  return text ? `?${text.replaceAll('%2C', ',')}` : ''
}

export interface RangeRead {
  text: string
  /** File size when read. */
  size: number
  /** Offset of the first byte returned. */
  start: number
}

export interface RangeBytes {
  bytes: Uint8Array
  /** Offset of the first byte and of the last (inclusive; start - 1 when empty). */
  start: number
  end: number
  /** File size when read. */
  size: number
  /** The site's maxReadBytes cut the range short. */
  capped: boolean
}

/** `{ start, end? }` (end inclusive) or `{ last }`: the final `last` bytes, the cheap tail. */
export type ByteRange = { start: number; end?: number } | { last: number }

export interface OutputClientOptions {
  /** Reaching the site and its answer's headers; a whole range read. Default 30 s. */
  timeoutMs?: number
  /** Silence allowed mid-bundle while the reader waits. Default: timeoutMs. */
  idleTimeoutMs?: number
}

interface BundleOptions {
  filter?: FileFilter | undefined
}
interface ListOptions extends BundleOptions {
  /** Every Torc file of the workflow, not just its logs. */
  all?: boolean | undefined
}
interface Optional {
  required?: false
}
interface Required {
  required: true
}

export class OutputClient {
  private readonly transport: Transport
  private readonly timeoutMs: number
  private readonly idleTimeoutMs: number

  constructor(transport: Transport, options: number | OutputClientOptions = {}) {
    const o = typeof options === 'number' ? { timeoutMs: options } : options
    this.transport = transport
    this.timeoutMs = o.timeoutMs ?? 30_000
    this.idleTimeoutMs = o.idleTimeoutMs ?? this.timeoutMs
  }

  /** A workflow's log files (`all`: every Torc file of it), so tools can find runs, attempts and Slurm jobs. */
  async listFiles(workflowId: number, options?: ListOptions & Optional): Promise<FileListing | undefined>
  async listFiles(workflowId: number, options: ListOptions & Required): Promise<FileListing>
  async listFiles(
    workflowId: number,
    options: ListOptions & { required?: boolean } = {}
  ): Promise<FileListing | undefined> {
    const res = await this.send(
      `/v1/workflows/${workflowId}/files${workflowQuery(options.filter, options.all)}`,
      {},
      'list files'
    )
    if (res.status === 404)
      return this.missing(res, options.required, missingLogsMessage(workflowId, isFiltering(options.filter)))
    return this.json(res, FileListingSchema, 'list files')
  }

  /** Size, mtime and Torc kind of one file under the output directory. */
  async stat(path: string, options?: Optional): Promise<FileStat | undefined>
  async stat(path: string, options: Required): Promise<FileStat>
  async stat(path: string, options: { required?: boolean } = {}): Promise<FileStat | undefined> {
    const res = await this.send(`/v1/stat?path=${encodeURIComponent(path)}`, {}, `stat ${path}`)
    if (res.status === 404) return this.missing(res, options.required, missingFileMessage(path))
    return this.json(res, FileStatSchema, `stat ${path}`)
  }

  /** The site's output root, enabled cluster actions and warnings (GET /v1/info, read token). */
  async info(): Promise<AgentInfo> {
    return this.json(await this.send('/v1/info', {}, 'describe itself'), AgentInfoSchema, 'describe itself')
  }

  /** torc's offline-drain journals of a workflow under the output directory, with their pending completions. */
  async journals(workflowId: number): Promise<JournalListing> {
    const what = 'list offline journals'
    return this.json(await this.send(`/v1/workflows/${workflowId}/journals`, {}, what), JournalListingSchema, what)
  }

  /** Bytes of a file with one Range request (`{ last: n }` for a tail). */
  async readRange(path: string, range: ByteRange, options?: Optional): Promise<RangeBytes | undefined>
  async readRange(path: string, range: ByteRange, options: Required): Promise<RangeBytes>
  async readRange(
    path: string,
    range: ByteRange,
    options: { required?: boolean } = {}
  ): Promise<RangeBytes | undefined> {
    const header = 'last' in range ? `bytes=-${range.last}` : `bytes=${range.start}-${range.end ?? ''}`
    const wanted = 'last' in range ? range.last : range.end === undefined ? Infinity : range.end - range.start + 1
    if (!(wanted > 0)) throw new ToolError('invalid_input', 'a byte range must name at least one byte')
    const what = `read ${path}`
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.timeoutMs)
    try {
      const res = await this.send(
        `/v1/files?path=${encodeURIComponent(path)}`,
        { headers: { Range: header } },
        what,
        controller
      )
      if (res.status === 404) return this.missing(res, options.required, missingFileMessage(path))
      if (res.status === 416) {
        await res.body?.cancel()
        const size = Number(/\/(\d+)$/.exec(res.headers.get('Content-Range') ?? '')?.[1] ?? 0)
        return { bytes: new Uint8Array(0), start: size, end: size - 1, size, capped: false }
      }
      if (!res.ok) throw await statusError(res, this.transport.host, what)
      const declared = Number(res.headers.get('Content-Length') ?? NaN)
      const bytes = await readAtMost(res, Number.isFinite(declared) ? declared : wanted, this.transport.host)
      const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers.get('Content-Range') ?? '')
      const capped = res.headers.has('Torc-Edge-Truncated')
      if (m) return { bytes, start: Number(m[1]), end: Number(m[2]), size: Number(m[3]), capped }
      return { bytes, start: 0, end: bytes.length - 1, size: bytes.length, capped }
    } catch (err) {
      throw controller.signal.aborted ? this.timeout(what) : err
    } finally {
      clearTimeout(timer)
    }
  }

  /** The last `maxBytes` of a file as text (one request); src/logs/tail.ts turns it into lines. */
  async tail(path: string, maxBytes: number, options?: Optional): Promise<RangeRead | undefined>
  async tail(path: string, maxBytes: number, options: Required): Promise<RangeRead>
  async tail(path: string, maxBytes: number, options: { required?: boolean } = {}): Promise<RangeRead | undefined> {
    const read = options.required
      ? await this.readRange(path, { last: maxBytes }, { required: true })
      : await this.readRange(path, { last: maxBytes })
    if (!read) return undefined
    return {
      text: new TextDecoder().decode(read.bytes),
      size: read.size,
      start: read.bytes.length === 0 ? 0 : read.start,
    }
  }

  /** All of a workflow's logs as one framed stream (src/logs/bundle.ts reads it): one subrequest. */
  async bundle(workflowId: number, options?: BundleOptions & Optional): Promise<ReadableStream<Uint8Array> | undefined>
  async bundle(workflowId: number, options: BundleOptions & Required): Promise<ReadableStream<Uint8Array>>
  async bundle(
    workflowId: number,
    options: BundleOptions & { required?: boolean } = {}
  ): Promise<ReadableStream<Uint8Array> | undefined> {
    const what = 'stream the log bundle'
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.timeoutMs)
    let res: Response
    try {
      res = await this.send(`/v1/workflows/${workflowId}/bundle${workflowQuery(options.filter)}`, {}, what, controller)
    } catch (err) {
      throw controller.signal.aborted ? this.timeout(what) : err
    } finally {
      clearTimeout(timer)
    }
    if (res.status === 404)
      return this.missing(res, options.required, missingLogsMessage(workflowId, isFiltering(options.filter)))
    if (!res.ok) throw await statusError(res, this.transport.host, what)
    if (!res.body) throw siteError('upstream_error', 'the output site sent an empty bundle', this.transport.host)
    return withIdleTimeout(res.body, this.transport.host, this.idleTimeoutMs, () => controller.abort())
  }

  /** One request; network failures and the headers timeout become ToolErrors. */
  private async send(path: string, init: RequestInit, what: string, outer?: AbortController): Promise<Response> {
    const controller = outer ?? new AbortController()
    const timer = outer ? undefined : setTimeout(() => controller.abort(), this.timeoutMs)
    try {
      return await this.transport.fetch(path, { ...init, redirect: 'manual', signal: controller.signal })
    } catch (err) {
      if (controller.signal.aborted) throw this.timeout(what)
      const code = (err as { cause?: { code?: unknown } }).cause?.code
      const reason = typeof code === 'string' ? ` (${code})` : ''
      const message = `the output site is unreachable${reason}: could not ${what}`
      throw siteError('upstream_unavailable', message, this.transport.host, err)
    } finally {
      if (timer !== undefined) clearTimeout(timer)
    }
  }

  private async json<S extends z.ZodType>(res: Response, schema: S, what: string): Promise<z.output<S>> {
    if (!res.ok) throw await statusError(res, this.transport.host, what)
    let body: unknown
    try {
      body = await res.json()
    } catch {
      const message = `the output site answered "${what}" with something that is not JSON`
      throw siteError('upstream_error', message, this.transport.host)
    }
    const parsed = schema.safeParse(body)
    if (!parsed.success)
      throw siteError(
        'upstream_error',
        `the output site answered "${what}" in an unexpected shape`,
        this.transport.host
      )
    return parsed.data
  }

  private async missing(res: Response, required: boolean | undefined, message: string): Promise<undefined> {
    await res.body?.cancel().catch(() => undefined)
    if (required) throw new ToolError('not_found', message)
    return undefined
  }

  private timeout(what: string): ToolError {
    const message = `the output site did not answer within ${this.timeoutMs} ms (trying to ${what})`
    return siteError('upstream_timeout', message, this.transport.host)
  }
}

/** The body, refusing more than `limit` bytes (a range read is bounded; a misbehaving proxy is not). */
async function readAtMost(res: Response, limit: number, host: string): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(0)
  const reader = res.body.getReader()
  const parts: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > limit) {
      await reader.cancel().catch(() => undefined)
      throw siteError('upstream_error', 'the output site sent more bytes than the range it announced', host)
    }
    parts.push(value)
  }
  return concatBytes(parts, total)
}
