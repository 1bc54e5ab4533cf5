import { type RunningSite, startSiteServer } from '../../../scripts/site-server.ts'
import type { SiteLimits } from '../../../site/app.ts'

export interface TestSite extends RunningSite {
  /** Events the site logged, in order. */
  events: { event: string; detail: Record<string, unknown> }[]
  get(path: string, headers?: Record<string, string>): Promise<Response>
}

/** The site server in-process on a free loopback port, logging into `events` instead of stderr. */
export async function startTestSite(root: string, limits?: Partial<SiteLimits>): Promise<TestSite> {
  const events: TestSite['events'] = []
  const site = await startSiteServer(root, { limits, log: (event, detail) => void events.push({ event, detail }) })
  return {
    ...site,
    events,
    get: (path, headers = {}) =>
      fetch(`${site.url}${path}`, { headers: { Authorization: `Bearer ${site.token}`, ...headers } }),
  }
}
