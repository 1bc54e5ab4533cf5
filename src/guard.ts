import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import { toErrorBody, ToolError } from './errors.ts'

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
    if (origin && !originAllowed(origin, url, config.TORC_EDGE_ALLOWED_ORIGINS)) {
      return c.json(toErrorBody(new ToolError('forbidden', `origin ${origin} is not allowed (TORC_EDGE_ALLOWED_ORIGINS)`)), 403)
    }
    await next()
  }
}

function originAllowed(origin: string, url: URL, allowed: readonly string[]): boolean {
  if (allowed.includes(origin)) return true
  let parsed: URL
  try {
    parsed = new URL(origin)
  } catch {
    return false
  }
  if (parsed.host === url.host) return true
  return LOOPBACK.has(parsed.hostname) && LOOPBACK.has(url.hostname)
}
