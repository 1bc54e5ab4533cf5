import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { ToolError, toErrorBody } from './errors.ts'

/**
 * The one request body cap of both faces (/mcp and /v1): 4 MiB, the MCP SDK's own default, which
 * src/mcp.ts passes to the SDK so the two can never differ.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024

/**
 * 413 in the error envelope for a body over the cap: refused on its Content-Length without reading
 * it, and a chunked body counted as it arrives (buffered up to the cap, never more).
 */
export function limitBody(maxBytes = MAX_REQUEST_BYTES): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      c.json(
        toErrorBody(new ToolError('too_large', `request body over ${maxBytes} bytes (${maxBytes / 1024 / 1024} MiB)`)),
        413
      ),
  })
}
