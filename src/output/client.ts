/**
 * The Worker's reader of the site server (site/app.ts), through the same Transport seam as Torc:
 * a direct URL (tunnel hostname + Access headers) or a service binding. Bodies stay streams.
 */
import { z } from 'zod'
import { ToolError } from '../errors.ts'
import type { Transport } from '../torc/transport.ts'

const FileList = z.object({
  workflow_id: z.number().int(),
  total: z.number().int(),
  truncated: z.boolean(),
  files: z.array(z.object({ path: z.string(), size: z.number().int(), mtime: z.string() })),
})
export type FileListing = z.output<typeof FileList>

export interface RangeRead {
  text: string
  /** File size when read. */
  size: number
  /** Offset of the first byte returned. */
  start: number
}

export class OutputClient {
  private readonly transport: Transport
  private readonly timeoutMs: number

  constructor(transport: Transport, timeoutMs: number) {
    this.transport = transport
    this.timeoutMs = timeoutMs
  }

  /** A workflow's log files, or undefined when it has none yet. */
  async listFiles(workflowId: number): Promise<FileListing | undefined> {
    const res = await this.request(`/v1/workflows/${workflowId}/files`, {})
    if (res.status === 404) return undefined
    await this.check(res, 'list files')
    const parsed = FileList.safeParse(await res.json())
    if (!parsed.success) throw new ToolError('upstream_error', `the output site at ${this.transport.host} returned an unexpected file list`)
    return parsed.data
  }

  /** The last `maxBytes` of a file (one Range request), or undefined when the file does not exist. */
  async tail(path: string, maxBytes: number): Promise<RangeRead | undefined> {
    const res = await this.request(`/v1/files?path=${encodeURIComponent(path)}`, { headers: { Range: `bytes=-${maxBytes}` } })
    if (res.status === 404) return undefined
    if (res.status === 416) return { text: '', size: 0, start: 0 }
    await this.check(res, `read ${path}`)
    const range = /^bytes (\d+)-\d+\/(\d+)$/.exec(res.headers.get('Content-Range') ?? '')
    const text = await res.text()
    if (!range) return { text, size: Number(res.headers.get('Content-Length') ?? text.length), start: 0 }
    return { text, start: Number(range[1]), size: Number(range[2]) }
  }

  /** All of a workflow's logs as one framed stream (src/logs/bundle.ts), or undefined when there are none. */
  async bundle(workflowId: number): Promise<ReadableStream<Uint8Array> | undefined> {
    const res = await this.request(`/v1/workflows/${workflowId}/bundle`, {})
    if (res.status === 404) return undefined
    await this.check(res, 'stream the log bundle')
    if (!res.body) throw new ToolError('upstream_error', `the output site at ${this.transport.host} sent an empty bundle`)
    return res.body
  }

  /** The timeout covers reaching the site and its headers; a streaming body may take longer. */
  private async request(path: string, init: RequestInit): Promise<Response> {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.timeoutMs)
    try {
      return await this.transport.fetch(path, { ...init, signal: controller.signal })
    } catch (err) {
      if (controller.signal.aborted) {
        throw new ToolError('upstream_timeout', `the output site at ${this.transport.host} did not answer within ${this.timeoutMs} ms`)
      }
      const reason = err instanceof Error ? err.message : String(err)
      throw new ToolError('upstream_unavailable', `the output site at ${this.transport.host} is unreachable: ${reason}`)
    } finally {
      clearTimeout(timer)
    }
  }

  private async check(res: Response, what: string): Promise<void> {
    if (res.ok) return
    const body = (await res.text().catch(() => '')).slice(0, 300)
    let message = body
    try {
      message = (JSON.parse(body) as { error?: { message?: string } }).error?.message ?? body
    } catch {
      // plain text
    }
    if (res.status === 401 || res.status === 403) {
      throw new ToolError('forbidden', `the output site at ${this.transport.host} refused torc-edge's token (check TORC_OUTPUT_TOKEN)`)
    }
    if (res.status === 400) throw new ToolError('invalid_input', `the output site refused to ${what}: ${message}`)
    throw new ToolError('upstream_error', `the output site at ${this.transport.host} failed to ${what} (HTTP ${res.status}): ${message}`)
  }
}
