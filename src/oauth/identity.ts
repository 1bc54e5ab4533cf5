import type { Context } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { bearerToken, findApiKey } from '../auth.ts'
import type { Caller } from '../registry.ts'
import { verifyAccessJwt } from './access.ts'

/**
 * Who approves a grant or manages grants: an operator holding a torc-edge API key, or a
 * Cloudflare Access identity. `userId` keys their grants in OAUTH_KV; `caller` is what the grant
 * acts as (its props), so a grant can never do more than the credential that made it.
 */
export interface Signer {
  caller: Caller
  userId: string
  via: 'api_key' | 'access'
}

/** The operator behind an API key; their grants are listed under the key id. */
export function keySigner(caller: Caller): Signer {
  return { caller, userId: `key.${caller.id}`, via: 'api_key' }
}

/**
 * The Cloudflare Access identity of this request, when Access is configured and its JWT verifies.
 * Emails in TORC_EDGE_ACCESS_WRITERS get the write scope; everyone else reads.
 */
export async function accessSigner(c: Context<AppEnv>): Promise<Signer | undefined> {
  const config = c.get('config')
  const identity = await verifyAccessJwt(config, c.req.header('Cf-Access-Jwt-Assertion'))
  if (!identity) return undefined
  const scope = config.TORC_EDGE_ACCESS_WRITERS.includes(identity.email) ? 'write' : 'read'
  return {
    caller: { id: identity.email, scope },
    userId: `access.${encodeURIComponent(identity.email)}`,
    via: 'access',
  }
}

/** The signer of a management request: a bearer API key, else the Access identity. */
export async function requestSigner(c: Context<AppEnv>): Promise<Signer | undefined> {
  const token = bearerToken(c.req.header('Authorization'))
  const caller = token ? await findApiKey(c.get('config').TORC_EDGE_API_KEYS, token) : undefined
  return caller ? keySigner(caller) : accessSigner(c)
}
