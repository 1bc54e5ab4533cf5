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
  conflict: 409,
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
