import { createApp } from './app.ts'
import { mountOAuth } from './oauth/routes.ts'
import { scheduled } from './watch/scheduled.ts'

const app = createApp()
mountOAuth(app)

/**
 * The Worker: MCP at /mcp, REST at /v1/tools/<name>, OpenAPI at /openapi.json, health at /health,
 * and, when OAUTH_KV is bound, the OAuth 2.1 authorization server for /mcp (discovery under
 * /.well-known, /authorize with its consent page, /oauth/token, /oauth/register, /oauth/grants).
 * `scheduled` is the cron tick that checks watches (src/watch/scheduled.ts); the default export
 * stays the Hono app, so `fetch` (and app.request in tests) work as before.
 */
export default Object.assign(app, { scheduled })
export { ChangeLedger } from './changes/ledger-object.ts'
