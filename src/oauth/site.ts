import { z } from 'zod'
import type { Config, KvBinding, WorkerEnv } from '../config.ts'
import type { Caller } from '../registry.ts'

/** OAuth scopes: every grant has `torc:read`; a grant made with a write key also has `torc:write`. */
export const SCOPES = { read: 'torc:read', write: 'torc:write' } as const

/** Where the OAuth endpoints live; the protected resource is the MCP endpoint. */
export const OAUTH_PATHS = {
  resource: '/mcp',
  authorize: '/authorize',
  token: '/oauth/token',
  register: '/oauth/register',
  grants: '/oauth/grants',
  resourceMetadata: '/.well-known/oauth-protected-resource',
  serverMetadata: '/.well-known/oauth-authorization-server',
} as const

/** The KV namespace as torc-edge's own OAuth state uses it (refresh reuse, registration limits). */
export interface OAuthKv extends KvBinding {
  get(key: string): Promise<string | null>
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>
}

/** What the provider needs of the environment. */
export interface OAuthEnv {
  OAUTH_KV: OAuthKv
}

/** The deployment's OAuth identity for one request: the issuer and its one resource (/mcp). */
export interface OAuthSite {
  issuer: string
  resource: string
  /** RFC 9728 path-aware metadata URL of the resource, named in every /mcp challenge. */
  metadataUrl: string
  env: OAuthEnv
  tokenTtl: { access: number; refresh: number }
}

/** What a grant stores (encrypted) and hands back on every request: the caller it acts as. */
export const GrantProps = z.object({ id: z.string().min(1), scope: z.enum(['read', 'write']) })

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/

/** OAuth needs https, or http on a loopback host (wrangler dev); any other origin gets API keys only. */
function usableOrigin(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname))
}

/**
 * OAuth for this request, or undefined when it is off: no OAUTH_KV binding, or an origin OAuth
 * cannot use. The issuer is TORC_EDGE_PUBLIC_URL's origin, else the request's (the Host guard
 * limits which hosts reach here). Computed per request: nothing mutable at module scope.
 */
export function oauthSite(config: Config, env: WorkerEnv, requestUrl: string): OAuthSite | undefined {
  const kv = env.OAUTH_KV
  if (!kv) return undefined
  const base = new URL(config.TORC_EDGE_PUBLIC_URL ?? requestUrl)
  if (!usableOrigin(base)) return undefined
  const issuer = base.origin
  return {
    issuer,
    resource: `${issuer}${OAUTH_PATHS.resource}`,
    metadataUrl: `${issuer}${OAUTH_PATHS.resourceMetadata}${OAUTH_PATHS.resource}`,
    // config.ts types the binding by what it needs to detect; it is a KV namespace.
    env: { OAUTH_KV: kv as OAuthKv },
    tokenTtl: { access: config.TORC_EDGE_OAUTH_ACCESS_TOKEN_TTL, refresh: config.TORC_EDGE_OAUTH_REFRESH_TOKEN_TTL },
  }
}

/** The scopes a grant gets for a caller: inherited from the key (or identity), never from the client. */
export function scopesFor(caller: Caller): string[] {
  return caller.scope === 'write' ? [SCOPES.read, SCOPES.write] : [SCOPES.read]
}
