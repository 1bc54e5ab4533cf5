import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import type { ApiKey } from './config.ts'
import { toErrorBody, ToolError } from './errors.ts'
import type { Caller } from './registry.ts'

const CHALLENGE = 'Bearer realm="torc-edge"'

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** Compares the token's hash with every configured hash, in time independent of where they differ. */
export async function findApiKey(keys: readonly ApiKey[], token: string): Promise<Caller | undefined> {
  const hash = new TextEncoder().encode(await sha256Hex(token))
  let found: Caller | undefined
  for (const key of keys) {
    const expected = new TextEncoder().encode(key.sha256)
    let diff = expected.length ^ hash.length
    for (let i = 0; i < hash.length; i++) diff |= hash[i]! ^ (expected[i] ?? 0)
    if (diff === 0) found = { id: key.id, scope: key.scope }
  }
  return found
}

export function unauthorized(c: Context<AppEnv>, message: string): Response {
  c.header('WWW-Authenticate', CHALLENGE)
  return c.json(toErrorBody(new ToolError('unauthorized', message)), 401)
}

/** Every route but /health and /openapi.json needs an API key as a bearer token. */
export function requireApiKey(): MiddlewareHandler<AppEnv> {
  return async function requireApiKey(c, next) {
    const header = c.req.header('Authorization')
    if (!header) return unauthorized(c, 'missing credential: send "Authorization: Bearer <torc-edge API key>"')
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    const caller = match ? await findApiKey(c.get('config').TORC_EDGE_API_KEYS, match[1]!) : undefined
    if (!caller) return unauthorized(c, 'invalid credential: the bearer token is not a known torc-edge API key')
    c.set('caller', caller)
    await next()
  }
}
