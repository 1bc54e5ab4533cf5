/**
 * The output-access site server: a read-only, token-protected view of Torc's output directory for
 * the Worker, which cannot see the cluster's disk. Runs next to Torc; the tunnel publishes it.
 *
 * Bundle framing (GET /v1/workflows/:id/bundle), parsed incrementally by src/logs/bundle.ts:
 *   for each file: one JSON header line {"path": "...", "size": N} + "\n", then exactly N bytes
 *   (N fixed when the file was listed, so a file still being appended to stays consistent);
 *   finally one line {"end": true, "files": F, "bytes": B, "truncated": bool, "reason"?: "..."}.
 */
import { createReadStream } from 'node:fs'
import { realpathSync } from 'node:fs'
import { timingSafeEqual } from 'node:crypto'
import { Readable } from 'node:stream'
import { Hono } from 'hono'
import { z } from 'zod'
import { confine, PathRefused } from './paths.ts'
import { listWorkflowLogs } from './selection.ts'

export interface SiteLimits {
  /** Files listed or bundled per workflow. */
  maxFiles: number
  /** Bytes a bundle carries in all; files past it are left out and the trailer says so. */
  maxBundleBytes: number
}

export const DEFAULT_LIMITS: SiteLimits = { maxFiles: 100_000, maxBundleBytes: 8 * 1024 ** 3 }

const error = (code: string, message: string) => ({ error: { code, message } })
const WorkflowParam = z.coerce.number().int().positive()

function log(event: string, detail: Record<string, unknown>): void {
  console.error(JSON.stringify({ event, ...detail }))
}

export function createSiteApp(options: { root: string; token: string; limits?: Partial<SiteLimits> }): Hono {
  if (options.token.length < 16) throw new Error('the site token must be at least 16 characters')
  const root = realpathSync(options.root)
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  const expected = Buffer.from(options.token)
  const app = new Hono()

  app.use('*', async function requireToken(c, next) {
    const given = Buffer.from(/^Bearer (\S+)$/.exec(c.req.header('Authorization') ?? '')?.[1] ?? '')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      log('site_unauthorized', { path: c.req.path })
      c.header('WWW-Authenticate', 'Bearer realm="torc-edge-site"')
      return c.json(error('unauthorized', 'missing or wrong site token'), 401)
    }
    await next()
  })

  app.get('/v1/workflows/:id/files', async (c) => {
    const id = WorkflowParam.safeParse(c.req.param('id'))
    if (!id.success) return c.json(error('invalid_input', 'workflow id must be a positive integer'), 400)
    const { files, total } = await listWorkflowLogs(root, id.data, limits.maxFiles)
    if (total === 0) return c.json(error('not_found', `no log files for workflow ${id.data} under the output directory`), 404)
    return c.json({ workflow_id: id.data, total, truncated: total > files.length, limit: limits.maxFiles, files })
  })

  app.get('/v1/files', async (c) => {
    const relative = c.req.query('path') ?? ''
    let file
    try {
      file = await confine(root, relative)
    } catch (err) {
      if (err instanceof PathRefused) {
        log('site_path_refused', { path: relative.slice(0, 200), reason: err.message })
        return c.json(error('invalid_input', `path refused: ${err.message}`), 400)
      }
      throw err
    }
    if (!file) return c.json(error('not_found', `no file ${relative} in the output directory`), 404)
    const headers = { 'Accept-Ranges': 'bytes', 'Last-Modified': new Date(file.mtimeMs).toUTCString(), 'Content-Type': 'application/octet-stream' }
    if (c.req.method === 'HEAD') return c.body(null, 200, { ...headers, 'Content-Length': String(file.size) })
    const range = parseRange(c.req.header('Range'), file.size)
    if (range === 'invalid') return c.body(null, 416, { 'Content-Range': `bytes */${file.size}` })
    if (file.size === 0) return c.body(null, 200, { ...headers, 'Content-Length': '0' })
    const [start, end] = range ?? [0, file.size - 1]
    const body = Readable.toWeb(createReadStream(file.path, { start, end })) as ReadableStream
    return c.body(body, range ? 206 : 200, {
      ...headers,
      'Content-Length': String(end - start + 1),
      ...(range ? { 'Content-Range': `bytes ${start}-${end}/${file.size}` } : {}),
    })
  })

  app.get('/v1/workflows/:id/bundle', async (c) => {
    const id = WorkflowParam.safeParse(c.req.param('id'))
    if (!id.success) return c.json(error('invalid_input', 'workflow id must be a positive integer'), 400)
    const { files, total } = await listWorkflowLogs(root, id.data, limits.maxFiles)
    if (total === 0) return c.json(error('not_found', `no log files for workflow ${id.data} under the output directory`), 404)
    return c.body(bundleStream(root, files, total, limits), 200, { 'Content-Type': 'application/x-torc-edge-bundle' })
  })

  app.notFound((c) => c.json(error('not_found', `no route ${c.req.method} ${c.req.path}`), 404))
  return app
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` (the last n bytes); undefined means the whole file. */
export function parseRange(header: string | undefined, size: number): [number, number] | 'invalid' | undefined {
  if (!header) return undefined
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid'
  if (m[1] === '') {
    const n = Number(m[2])
    if (n === 0 || size === 0) return 'invalid'
    return [Math.max(0, size - n), size - 1]
  }
  const start = Number(m[1])
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1)
  if (start >= size || end < start) return 'invalid'
  return [start, end]
}

function bundleStream(root: string, files: { path: string; size: number }[], total: number, limits: SiteLimits): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      let bytes = 0
      let sent = 0
      let reason: string | undefined = total > files.length ? `more than ${limits.maxFiles} files` : undefined
      for (const file of files) {
        if (bytes + file.size > limits.maxBundleBytes) {
          reason = `bundle limit of ${limits.maxBundleBytes} bytes reached`
          break
        }
        controller.enqueue(encoder.encode(`${JSON.stringify({ path: file.path, size: file.size })}\n`))
        let remaining = file.size
        if (remaining > 0) {
          const stream = createReadStream(`${root}/${file.path}`, { start: 0, end: file.size - 1 })
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            const piece = chunk.subarray(0, remaining)
            remaining -= piece.length
            controller.enqueue(new Uint8Array(piece.buffer, piece.byteOffset, piece.length))
          }
        }
        // A file truncated after listing: pad so the framing stays exact (the header promised size bytes).
        if (remaining > 0) controller.enqueue(new Uint8Array(remaining))
        bytes += file.size
        sent++
      }
      const end = { end: true, files: sent, bytes, truncated: reason !== undefined, ...(reason ? { reason } : {}) }
      controller.enqueue(encoder.encode(`${JSON.stringify(end)}\n`))
      controller.close()
    },
  })
}
