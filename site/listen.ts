/**
 * Serves the site app over HTTP (site/cli.ts in production, scripts/site-server.ts in tests and dev;
 * test/cluster.ts serves its harness the same way).
 */

import type { Server } from 'node:http'
import { serve } from '@hono/node-server'

/**
 * Idle keep-alive sockets outlive the clients' (undici keeps them 4 s, cloudflared's origin pool
 * 90 s), so the client always drops an idle socket first and never reuses one the site is closing
 * (Node's default of 5 s races undici and shows up as ECONNRESET).
 */
const KEEP_ALIVE_MS = 120_000

export async function listen(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  port: number,
  host: string
): Promise<Server> {
  const server = serve({ fetch: app.fetch, port, hostname: host }) as Server
  server.keepAliveTimeout = KEEP_ALIVE_MS
  server.headersTimeout = KEEP_ALIVE_MS + 1_000
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', reject)
  })
  return server
}

/**
 * Stops accepting and resolves once every socket is gone: idle ones at once, requests still in
 * flight (a bundle being streamed) get `graceMs` to finish before their sockets are cut.
 */
export function close(server: Server, graceMs = 0): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => {
      clearTimeout(timer)
      resolve()
    })
    server.closeIdleConnections()
    const timer = setTimeout(() => server.closeAllConnections(), graceMs)
  })
}
