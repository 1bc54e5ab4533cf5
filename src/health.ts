import type { Context } from 'hono'
import type { AppEnv } from './app-env.ts'
import { toToolError } from './errors.ts'
import { TorcClient } from './torc/client.ts'
import { VersionSchema } from './torc/schemas.ts'
import { torcTransport } from './transport.ts'
import { VERSION } from './version.ts'

/** The Torc URL without userinfo or query, safe to show. */
export function displayUrl(url: string): string {
  const u = new URL(url)
  return `${u.protocol}//${u.host}${u.pathname}`
}

/** Public: the Worker's version and whether Torc answers (never a credential). 503 when Torc does not. */
export async function health(c: Context<AppEnv>): Promise<Response> {
  const config = c.get('config')
  const torc = new TorcClient(torcTransport(config, c.env), { timeoutMs: 3000, retries: 0 })
  const base = { version: VERSION, torc: { url: displayUrl(config.TORC_API_URL) } }
  try {
    const v = await torc.get('/version', VersionSchema)
    return c.json({
      status: 'ok',
      ...base,
      torc: { ...base.torc, reachable: true, version: v.version, api_version: v.api_version },
    })
  } catch (err) {
    const error = toToolError(err)
    return c.json({ status: 'degraded', ...base, torc: { ...base.torc, reachable: false, error: error.message } }, 503)
  }
}
