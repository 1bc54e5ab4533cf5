import type { Context, MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import type { AppEnv } from './app-env.ts'
import { ToolError, toErrorBody } from './errors.ts'
import { OAUTH_PATHS } from './oauth/site.ts'

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * DNS-rebinding and cross-origin protection (MCP transports: servers MUST validate Origin).
 * Host must be one of TORC_EDGE_ALLOWED_HOSTS or the host of TORC_EDGE_PUBLIC_URL when either is
 * set (on Cloudflare's edge only the Worker's own routes reach it; `npm run dev` lists the loopback
 * names). A browser Origin must be the same host, a loopback page talking to a loopback server, or
 * listed in TORC_EDGE_ALLOWED_ORIGINS.
 */
export function hostAndOriginGuard(): MiddlewareHandler<AppEnv> {
  return async function hostAndOriginGuard(c, next) {
    const config = c.get('config')
    const url = new URL(c.req.url)
    const allowedHosts = new Set(config.TORC_EDGE_ALLOWED_HOSTS)
    if (config.TORC_EDGE_PUBLIC_URL) allowedHosts.add(new URL(config.TORC_EDGE_PUBLIC_URL).hostname)
    if (allowedHosts.size && !allowedHosts.has(url.hostname)) {
      return c.json(toErrorBody(new ToolError('forbidden', `host ${url.hostname} is not served here`)), 403)
    }
    const origin = c.req.header('Origin')
    if (origin && !originAllowed(origin, url, config.TORC_EDGE_ALLOWED_ORIGINS) && !sameOriginConsent(c)) {
      return c.json(
        toErrorBody(new ToolError('forbidden', `origin ${origin} is not allowed (TORC_EDGE_ALLOWED_ORIGINS)`)),
        403
      )
    }
    await next()
  }
}

/**
 * The consent form posted by our own page from a browser that hid its origin (`Origin: null`, as
 * under a no-referrer policy): Sec-Fetch-Site, which no page can forge, still says same-origin.
 * A null origin from anywhere else (sandboxed frames, data: URLs) comes with `cross-site`.
 */
function sameOriginConsent(c: Context<AppEnv>): boolean {
  return (
    c.req.path === OAUTH_PATHS.authorize &&
    c.req.header('Origin') === 'null' &&
    c.req.header('Sec-Fetch-Site') === 'same-origin'
  )
}

/** Whether a page at `origin` may call this server at `url` (`allowed`: normalized origins). */
export function originAllowed(origin: string, url: URL, allowed: readonly string[]): boolean {
  let parsed: URL
  try {
    parsed = new URL(origin)
  } catch {
    return false
  }
  if (allowed.includes(parsed.origin)) return true
  if (parsed.host === url.host) return true
  return LOOPBACK.has(parsed.hostname) && LOOPBACK.has(url.hostname)
}

/** What a browser MCP client sends (Streamable HTTP, both protocol eras) and must be able to read. */
const MCP_REQUEST_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Mcp-Protocol-Version',
  'Mcp-Session-Id',
  'Mcp-Method',
  'Mcp-Name',
  'Last-Event-ID',
]
const MCP_RESPONSE_HEADERS = ['WWW-Authenticate', 'Mcp-Protocol-Version', 'Mcp-Session-Id', 'Retry-After']

/**
 * CORS for browser MCP clients (the MCP Inspector's web UI, hosted web assistants), on /mcp only:
 * a preflight is answered here, before authentication (it carries no credential), and every answer,
 * a 401 challenge included, lets the page read the headers OAuth discovery and the protocol need.
 * Only origins hostAndOriginGuard admits get here; foreign ones got 403 without CORS headers. The
 * OAuth endpoints get the same from workers-oauth-provider, behind the same guard. No cookies are
 * involved (bearer tokens only), so credentials mode is never allowed.
 */
export function mcpCors(): MiddlewareHandler<AppEnv> {
  return cors({
    origin: (origin, c) =>
      origin && originAllowed(origin, new URL(c.req.url), c.get('config').TORC_EDGE_ALLOWED_ORIGINS) ? origin : null,
    allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
    allowHeaders: MCP_REQUEST_HEADERS,
    exposeHeaders: MCP_RESPONSE_HEADERS,
    maxAge: 7200,
  })
}
