import { OAuthResourceServer } from '@cloudflare/workers-oauth-provider'
import type { Context, Hono } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { ToolError, toErrorBody } from '../errors.ts'
import { approve, showConsent } from './authorize.tsx'
import { listGrants, revokeGrant } from './grants.ts'
import { tokenWithReuseDetection } from './refresh-reuse.ts'
import { registrationGate } from './registration.ts'
import { authorizationServer } from './server.ts'
import { OAUTH_PATHS, type OAuthSite, oauthSite, SCOPES } from './site.ts'

/** OAuth for this request, when it is on (OAUTH_KV bound, usable origin). */
function siteOf(c: Context<AppEnv>): OAuthSite | undefined {
  return oauthSite(c.get('config'), c.env, c.req.url)
}

function oauthOff(c: Context<AppEnv>): Response {
  const error = new ToolError('not_found', 'OAuth is not enabled on this deployment (no OAUTH_KV binding)')
  return c.json(toErrorBody(error), 404)
}

type ProviderContext = Parameters<OAuthResourceServer['fetch']>[2]

/** Hono's ExecutionContext getter throws when there is none (app.request in unit tests). */
function executionContext(c: Context<AppEnv>): ProviderContext {
  try {
    return c.executionCtx as ProviderContext
  } catch {
    return { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ProviderContext
  }
}

/** Discovery, token, refresh, revocation and registration: the library's own endpoints. */
function serverEndpoint(c: Context<AppEnv>): Promise<Response> | Response {
  const site = siteOf(c)
  return site ? authorizationServer(site).fetch(c.req.raw, site.env, executionContext(c)) : oauthOff(c)
}

/** Registration: the library's, behind the size and rate limits of registration.ts. */
async function registerEndpoint(c: Context<AppEnv>): Promise<Response> {
  const site = siteOf(c)
  if (!site) return oauthOff(c)
  const refused = await registrationGate(c.req.raw, c.env)
  return refused ?? authorizationServer(site).fetch(c.req.raw, site.env, executionContext(c))
}

/** The token endpoint: the library's, behind refresh-token reuse detection (refresh-reuse.ts). */
function tokenEndpoint(c: Context<AppEnv>): Promise<Response> | Response {
  const site = siteOf(c)
  if (!site) return oauthOff(c)
  const server = authorizationServer(site)
  return tokenWithReuseDetection(c.req.raw, site, (request) => server.fetch(request, site.env, executionContext(c)))
}

/**
 * RFC 9728 metadata for /mcp, from the library's resource server (which only serves metadata here:
 * /mcp itself is gated by requireApiKey so that API keys and the error envelope keep working). The
 * root form is an alias for clients that probe only `/.well-known/oauth-protected-resource`.
 */
function protectedResourceMetadata(c: Context<AppEnv>): Promise<Response> | Response {
  const site = siteOf(c)
  if (!site) return oauthOff(c)
  const metadata = new OAuthResourceServer<OAuthSite['env'], unknown>({
    resourceMetadata: {
      resource: site.resource,
      authorization_servers: [site.issuer],
      resource_name: 'torc-edge: Torc HPC workflows',
    },
    requiredScopes: [SCOPES.read],
    validateToken: () => async () => null,
    handler: { fetch: () => new Response(null, { status: 404 }) },
  })
  return metadata.fetch(new Request(site.metadataUrl, c.req.raw), site.env, executionContext(c))
}

/** Mounts the OAuth endpoints; they 404 when OAuth is off, and /mcp then takes API keys only. */
export function mountOAuth(app: Hono<AppEnv>): void {
  const { resourceMetadata, serverMetadata, token, register, authorize, grants, resource } = OAUTH_PATHS
  app.on(['GET', 'HEAD', 'OPTIONS'], [resourceMetadata, `${resourceMetadata}${resource}`], protectedResourceMetadata)
  app.on(['GET', 'HEAD', 'OPTIONS'], serverMetadata, serverEndpoint)
  app.all(token, tokenEndpoint)
  app.all(register, registerEndpoint)
  app.get(authorize, (c) => {
    const site = siteOf(c)
    return site ? showConsent(c, site) : oauthOff(c)
  })
  app.post(authorize, (c) => {
    const site = siteOf(c)
    return site ? approve(c, site) : oauthOff(c)
  })
  app.get(grants, (c) => {
    const site = siteOf(c)
    return site ? listGrants(c, site) : oauthOff(c)
  })
  app.delete(`${grants}/:id`, (c) => {
    const site = siteOf(c)
    return site ? revokeGrant(c, site, c.req.param('id')) : oauthOff(c)
  })
}
