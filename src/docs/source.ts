import { ToolError } from '../errors.ts'
import { TextLru } from './cache.ts'

/**
 * Reads a file of the pinned torc release (docs/src/…, examples/…) from the docs source: the base
 * URL TORC_DOCS_URL (by default the release tag on raw.githubusercontent.com; any static server of
 * the release's tree works). Cached twice: in this isolate (TextLru) and, where the runtime has it,
 * in the Cache API, so a colo fetches each file from the source about once an hour.
 * Errors name "the docs source", never its URL (an operator's internal host stays private).
 */
export interface DocsSourceOptions {
  baseUrl: string
  timeoutMs: number
  signal?: AbortSignal | undefined
}

/** The largest file the release has is about 72 kB; anything far larger is not a doc. */
export const MAX_FILE_BYTES = 1024 * 1024
const TTL_SECONDS = 3600
/** All the release's docs and examples together are about 1.8 MB of text. */
const memory = new TextLru(4_000_000, TTL_SECONDS * 1000)

/** The Workers Cache API when this runtime has one (workerd); Node has none. */
function edgeCache(): Cache | undefined {
  const storage = (globalThis as { caches?: { default?: Cache } }).caches
  return storage?.default
}

export async function readReleaseFile(path: string, options: DocsSourceOptions): Promise<string> {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/${path}`
  const remembered = memory.get(url)
  if (remembered !== undefined) return remembered
  const cache = edgeCache()
  const cached = await cache?.match(url).catch(() => undefined)
  if (cached?.ok) {
    const text = await cached.text()
    memory.set(url, text)
    return text
  }
  const text = await fetchText(url, path, options)
  memory.set(url, text)
  if (cache) {
    const stored = new Response(text, {
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': `public, max-age=${TTL_SECONDS}` },
    })
    await cache.put(url, stored).catch(() => undefined) // caching is best effort
  }
  return text
}

/** Empties this isolate's copy (tests that change what the source serves). */
export function forgetReleaseFiles(): void {
  memory.clear()
}

async function fetchText(url: string, path: string, { timeoutMs, signal }: DocsSourceOptions): Promise<string> {
  const timeout = AbortSignal.timeout(timeoutMs)
  let res: Response
  try {
    res = await fetch(url, {
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      headers: { Accept: 'text/plain, text/markdown, */*' },
    })
  } catch {
    if (timeout.aborted) {
      throw new ToolError('upstream_timeout', `the docs source did not answer within ${timeoutMs} ms (${path})`)
    }
    if (signal?.aborted) throw new ToolError('upstream_unavailable', `reading ${path} was cancelled`)
    throw new ToolError('upstream_unavailable', `the docs source is unreachable (${path}); check TORC_DOCS_URL`)
  }
  if (!res.ok) {
    await res.body?.cancel()
    if (res.status === 404) {
      throw new ToolError(
        'upstream_error',
        `the docs source has no ${path}: TORC_DOCS_URL must serve the pinned torc release's files`
      )
    }
    const code = res.status >= 500 || res.status === 429 ? 'upstream_unavailable' : 'upstream_error'
    throw new ToolError(code, `the docs source answered HTTP ${res.status} for ${path}`)
  }
  return readBounded(res, path)
}

/** The body as UTF-8 text, refusing more than MAX_FILE_BYTES (never buffers an unbounded body). */
async function readBounded(res: Response, path: string): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  let bytes = 0
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    bytes += value.byteLength
    if (bytes > MAX_FILE_BYTES) {
      await reader.cancel()
      throw new ToolError('upstream_error', `the docs source sent more than ${MAX_FILE_BYTES} bytes for ${path}`)
    }
    text += decoder.decode(value, { stream: true })
  }
  return text + decoder.decode()
}
