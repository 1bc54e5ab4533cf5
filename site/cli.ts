/**
 * Starts the torc-edge site server next to Torc's output directory:
 *   TORC_EDGE_SITE_TOKEN=<secret> node site/cli.ts --root /path/to/output [--port 8090] [--host 127.0.0.1]
 * Binds to loopback by default; the Cloudflare Tunnel publishes it.
 */
import { serve } from '@hono/node-server'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { createSiteApp } from './app.ts'

const { values } = parseArgs({
  options: { root: { type: 'string' }, port: { type: 'string', default: '8090' }, host: { type: 'string', default: '127.0.0.1' } },
})
const args = z
  .object({
    root: z.string({ message: '--root <output directory> is required' }).min(1),
    port: z.coerce.number().int().min(1).max(65535),
    host: z.string().min(1),
    token: z.string({ message: 'set TORC_EDGE_SITE_TOKEN' }).min(16, 'TORC_EDGE_SITE_TOKEN must be at least 16 characters'),
  })
  .safeParse({ ...values, token: process.env.TORC_EDGE_SITE_TOKEN })
if (!args.success) {
  console.error(args.error.issues.map((i) => i.message).join('\n'))
  process.exit(2)
}
const app = createSiteApp({ root: args.data.root, token: args.data.token })
serve({ fetch: app.fetch, port: args.data.port, hostname: args.data.host }, (info) =>
  console.error(`torc-edge site server: ${args.data.root} on http://${args.data.host}:${info.port}`)
)
