import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import type { ApiKey } from './config.ts'
import { ToolError, toErrorBody } from './errors.ts'
import { sha256Hex } from './hash.ts'
import { OAUTH_PATHS, type OAuthSite, oauthSite, SCOPES } from './oauth/site.ts'
import type { Caller } from './registry.ts'

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

/** The bearer token of an `Authorization: Bearer <token>` header, if that is what was sent. */
export function bearerToken(header: string | undefined): string | undefined {
  return header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined
}

type ChallengeError = 'invalid_token' | 'insufficient_scope'

/**
 * RFC 6750 challenge. On /mcp with OAuth on it also names the RFC 9728 metadata and the scope to
 * ask for, which is how claude.ai and ChatGPT find the authorization server.
 */
function challenge(site: OAuthSite | undefined, error?: ChallengeError): string {
  const parts = ['realm="torc-edge"']
  if (site) parts.push(`resource_metadata="${site.metadataUrl}"`, `scope="${SCOPES.read}"`)
  if (error) parts.push(`error="${error}"`)
  return `Bearer ${parts.join(', ')}`
}

/** 401 in the REST error envelope, with the Bearer challenge (naming the OAuth metadata when on /mcp). */
export function unauthorized(c: Context<AppEnv>, message: string, site?: OAuthSite, error?: ChallengeError): Response {
  c.header('WWW-Authenticate', challenge(site, error))
  return c.json(toErrorBody(new ToolError('unauthorized', message)), 401)
}

const isResourcePath = (path: string) => path === OAUTH_PATHS.resource || path.startsWith(`${OAUTH_PATHS.resource}/`)

/** The REST face (GPT Actions): it takes the same OAuth access tokens as /mcp. */
const isRestPath = (path: string) => path.startsWith('/v1/')

/** Tokens this Worker issues look like `<user>:<grant>:<secret>`; API keys never contain a colon. */
const isIssuedToken = (token: string) => token.split(':').length === 3

/**
 * Validates an access token with the OAuth library, loaded on first use: it imports
 * `cloudflare:workers`, which the Node scripts that build the OpenAPI document from createApp()
 * cannot load.
 */
async function callerForAccessToken(
  site: OAuthSite,
  token: string
): Promise<Caller | 'insufficient_scope' | undefined> {
  const { callerForAccessToken } = await import('./oauth/server.ts')
  return callerForAccessToken(site, token)
}

/**
 * Every route but /health, /openapi.json and the OAuth endpoints needs a credential: a torc-edge
 * API key as a bearer token anywhere, or, on /mcp and /v1, an OAuth access token this Worker
 * issued (the grant's props are the caller, so scopes work exactly as for keys).
 *
 * Audience: every token is issued for the one protected resource `<origin>/mcp`, which is also
 * what a client gets when it names no `resource` (GPT Actions never do). /v1 is the same tool
 * registry and caller behind another face, so it takes the same tokens; a token minted for any
 * other resource is refused on both. Only /mcp's 401 names the RFC 9728 metadata, since that is the
 * resource it describes; GPT Actions configure OAuth from the OpenAPI document instead.
 */
export function requireApiKey(): MiddlewareHandler<AppEnv> {
  return async function requireApiKey(c, next) {
    const config = c.get('config')
    const onMcp = isResourcePath(c.req.path)
    const oauth = onMcp || isRestPath(c.req.path) ? oauthSite(config, c.env, c.req.url) : undefined
    const site = onMcp ? oauth : undefined
    const header = c.req.header('Authorization')
    const expected = oauth ? 'torc-edge API key or OAuth access token' : 'torc-edge API key'
    if (!header) return unauthorized(c, `missing credential: send "Authorization: Bearer <${expected}>"`, site)
    const token = bearerToken(header)
    let caller = token ? await findApiKey(config.TORC_EDGE_API_KEYS, token) : undefined
    if (!caller && token && oauth && isIssuedToken(token)) {
      const resolved = await callerForAccessToken(oauth, token)
      if (resolved === 'insufficient_scope') {
        c.header('WWW-Authenticate', challenge(site, 'insufficient_scope'))
        return c.json(toErrorBody(new ToolError('forbidden', `the access token lacks the ${SCOPES.read} scope`)), 403)
      }
      caller = resolved
    }
    if (!caller) {
      const message = oauth
        ? 'invalid credential: the bearer token is neither a torc-edge ' +
          'API key nor a live OAuth access token of this deployment'
        : 'invalid credential: the bearer token is not a known torc-edge API key'
      return unauthorized(c, message, site, token ? 'invalid_token' : undefined)
    }
    c.set('caller', caller)
    await next()
  }
}
