/** Starts the site server in-process on a free loopback port (tests, `npm run dev`, benchmarks). */
import { serve } from '@hono/node-server'
import { randomBytes } from 'node:crypto'
import { createSiteApp, type SiteLimits } from '../site/app.ts'
import { freePort } from './torc-server.ts'

export interface RunningSite {
  url: string
  token: string
  stop(): Promise<void>
}

export async function startSiteServer(root: string, limits?: Partial<SiteLimits>): Promise<RunningSite> {
  const token = randomBytes(24).toString('base64url')
  const port = await freePort()
  const app = createSiteApp({ root, token, ...(limits ? { limits } : {}) })
  const server = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' })
  await new Promise((resolve) => server.once('listening', resolve))
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
