import type { Context } from 'hono'
import type { AppEnv } from './app-env.ts'
import { toToolError } from './errors.ts'
import { logEvent } from './log.ts'
import { TorcClient } from './torc/client.ts'
import { VersionSchema } from './torc/schemas.ts'
import { torcTransport } from './transport.ts'
import { VERSION } from './version.ts'

/**
 * Public: the Worker's version and whether Torc answers. 503 when Torc does not. It names neither
 * Torc's address nor a credential (anyone may ask); the reason Torc failed is in the message,
 * worded without addresses like every client-facing error.
 */
export async function health(c: Context<AppEnv>): Promise<Response> {
  const config = c.get('config')
  const torc = new TorcClient(torcTransport(config, c.env), { timeoutMs: 3000, retries: 0 })
  try {
    const v = await torc.get('/version', VersionSchema)
    return c.json({
      status: 'ok',
      version: VERSION,
      torc: { reachable: true, version: v.version, api_version: v.api_version },
    })
  } catch (err) {
    const error = toToolError(err)
    // The client's answer names no address; the log line keeps it (the cause).
    logEvent('health_degraded', { code: error.code, message: error.message, cause: error.cause })
    return c.json({ status: 'degraded', version: VERSION, torc: { reachable: false, error: error.message } }, 503)
  }
}
