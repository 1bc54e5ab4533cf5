import type { ContentfulStatusCode } from 'hono/utils/http-status'

/**
 * The one error taxonomy. Handlers and the Torc client throw ToolError; the MCP and REST
 * adapters map it in one place (`toErrorBody`), so both faces say the same thing.
 */
export const ERROR_STATUS = {
  invalid_input: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  too_large: 413,
  upstream_unavailable: 502,
  upstream_error: 502,
  upstream_timeout: 504,
  internal: 500,
} as const satisfies Record<string, ContentfulStatusCode>

export type ErrorCode = keyof typeof ERROR_STATUS

export class ToolError extends Error {
  override readonly name = 'ToolError'
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code]
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string }
}

/** Unexpected errors keep their detail out of responses; it goes to the log line only. */
export function toToolError(err: unknown): ToolError {
  if (err instanceof ToolError) return err
  return new ToolError('internal', 'internal error (see the server log)', { cause: err })
}

export function toErrorBody(err: ToolError): ErrorBody {
  return { error: { code: err.code, message: err.message } }
}

/** Throws a ToolError unless `condition` holds. */
export function check(condition: unknown, code: ErrorCode, message: string): asserts condition {
  if (!condition) throw new ToolError(code, message)
}

/** How much of an upstream's own message (Torc's, the output site's) a client may see. */
export const UPSTREAM_TEXT_MAX = 300

const ADDRESSES: readonly RegExp[] = [
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>()]+/gi, // URLs
  /\[[0-9a-f:.]+\](?::\d{1,5})?/gi, // [IPv6]:port
  /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g, // IPv4[:port]
  /\b(?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*:\d{2,5}\b/gi, // host:port
]

/**
 * An upstream's text as a client may see it: one line, no URL or host:port (nor `hosts`, the
 * deployment's own upstream hosts, however written), at most UPSTREAM_TEXT_MAX characters. The
 * structured log line keeps the original (as the ToolError's cause).
 */
export function upstreamText(text: string, hosts: readonly string[] = []): string {
  // Only what can be shown is scrubbed: the host:port pattern is superlinear on long dotted runs.
  let out = text.slice(0, UPSTREAM_TEXT_MAX * 3)
  for (const host of hosts) {
    // The host as configured (with its port, if any), and its dotted name alone.
    const name = host.replace(/:\d+$/, '')
    for (const h of name.includes('.') && name !== host ? [host, name] : [host]) {
      if (h) out = out.split(h).join('<upstream>')
    }
  }
  for (const pattern of ADDRESSES) out = out.replace(pattern, '<upstream>')
  out = out.replace(/\s+/g, ' ').trim()
  return out.length > UPSTREAM_TEXT_MAX ? `${out.slice(0, UPSTREAM_TEXT_MAX - 1)}…` : out
}
