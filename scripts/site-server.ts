/** Starts the site server in-process on a free loopback port (tests, `npm run dev`, benchmarks). */
import { randomBytes } from 'node:crypto'
import { createSiteApp, type SiteLimits } from '../site/app.ts'
import { close, listen } from '../site/listen.ts'
import type { SiteLog } from '../site/log.ts'
import { freePort } from './torc-server.ts'

export interface RunningSite {
  url: string
  token: string
  stop(): Promise<void>
}

export interface SiteServerOptions {
  limits?: Partial<SiteLimits> | undefined
  /** Where the site's events go (default: JSON lines on stderr). */
  log?: SiteLog | undefined
}

export async function startSiteServer(root: string, options: SiteServerOptions = {}): Promise<RunningSite> {
  const token = randomBytes(24).toString('base64url')
  const port = await freePort()
  const app = createSiteApp({ root, token, limits: options.limits, log: options.log })
  const server = await listen(app, port, '127.0.0.1')
  return { url: `http://127.0.0.1:${port}`, token, stop: () => close(server) }
}
