/**
 * `npm run dev`: the whole stack on this machine.
 * - Torc: TORC_API_URL when it answers; otherwise a local torc-server from the cache
 *   (built on first use) with its database in .cache/dev.
 * - The site server over TORC_OUTPUT_DIR (default ./output, where `torc run` writes logs), wired to
 *   the Worker, so the log tools work.
 * - The Worker under `wrangler dev` on PORT (default 8787), writes enabled, one API key:
 *   TORC_EDGE_DEV_KEY or a freshly minted one, printed with the MCP URL.
 * - Watches: D1's migrations applied (`wrangler d1 migrations apply WATCHES --local`) and the cron
 *   tick run every minute, as wrangler dev offers it (GET /cdn-cgi/local/scheduled); webhook
 *   destinations from TORC_EDGE_WEBHOOKS and TORC_EDGE_WEBHOOK_SECRET when set (docs/watch.md).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { keyEntry, mintApiKey } from './api-key.ts'
import { type RunningSite, startSiteServer } from './site-server.ts'
import { installTorc } from './torc-install.ts'
import { ROOT } from './torc-paths.ts'
import { type RunningTorc, startTorcServer } from './torc-server.ts'
import { type RunningWorker, startWorker } from './wrangler-dev.ts'

const port = Number(process.env.PORT ?? 8787)
let torc: RunningTorc | undefined
let worker: RunningWorker | undefined
let site: RunningSite | undefined
let ticks: ReturnType<typeof setInterval> | undefined

async function answers(apiUrl: string): Promise<boolean> {
  try {
    return (await fetch(`${apiUrl}/version`, { signal: AbortSignal.timeout(2000) })).ok
  } catch {
    return false
  }
}

async function torcUrl(): Promise<string> {
  const configured = process.env.TORC_API_URL ?? 'http://127.0.0.1:8080/torc-service/v1'
  if (await answers(configured)) return configured
  if (process.env.TORC_API_URL) throw new Error(`TORC_API_URL=${configured} does not answer GET /version`)
  installTorc()
  torc = await startTorcServer({ dir: join(ROOT, '.cache', 'dev', 'torc'), completionCheckSecs: 1 })
  console.log(`started torc-server ${torc.apiUrl} (database in .cache/dev/torc)`)
  return torc.apiUrl
}

async function shutdown(code: number): Promise<never> {
  clearInterval(ticks)
  await worker?.stop()
  await site?.stop()
  await torc?.stop()
  process.exit(code)
}

const apiUrl = await torcUrl()
const outputDir = resolve(process.env.TORC_OUTPUT_DIR ?? 'output')
mkdirSync(outputDir, { recursive: true })
site = await startSiteServer(outputDir)
const key = process.env.TORC_EDGE_DEV_KEY ?? mintApiKey('dev', 'write').key
const vars: Record<string, string> = {
  TORC_API_URL: apiUrl,
  TORC_EDGE_WRITES: 'true',
  // A local server is what DNS rebinding targets: serve only the loopback names.
  TORC_EDGE_ALLOWED_HOSTS: 'localhost,127.0.0.1,[::1]',
  TORC_EDGE_API_KEYS: keyEntry('dev', 'write', key),
  TORC_OUTPUT_URL: site.url,
  TORC_OUTPUT_TOKEN: site.token,
}
for (const name of ['TORC_EDGE_WEBHOOKS', 'TORC_EDGE_WEBHOOK_SECRET'] as const) {
  const value = process.env[name]
  if (value) vars[name] = value
}
// The watches' tables in wrangler dev's local D1 (.wrangler/state), as an operator applies them.
const migrated = spawnSync(
  process.execPath,
  [join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'd1', 'migrations', 'apply', 'WATCHES', '--local'],
  { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } }
)
if (migrated.status !== 0) throw new Error('wrangler d1 migrations apply WATCHES --local failed')
process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))
worker = await startWorker({ port, vars })
worker.process.on('exit', (code) => void shutdown(code ?? 0))
// wrangler dev does not fire cron triggers by itself: the tick runs every minute, as the deployed cron does.
const runTick = () =>
  fetch(`http://127.0.0.1:${port}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * *')}`).then(
    async (res) => {
      if (!res.ok) console.error(`watch tick failed (${res.status}): ${(await res.text()).slice(0, 300)}`)
    },
    (err: Error) => console.error(`watch tick failed: ${err.message}`)
  )
ticks = setInterval(runTick, 60_000)

console.log(`
torc-edge dev
  MCP      http://127.0.0.1:${port}/mcp
  REST     http://127.0.0.1:${port}/v1/tools/<name>
  OpenAPI  http://127.0.0.1:${port}/openapi.json
  Torc     ${apiUrl}
  Logs     ${outputDir} (site server ${site.url})
  Watches  checked every minute (the cron tick, GET /cdn-cgi/local/scheduled); D1 in .wrangler/state
  API key  ${key}
Try: curl -s -X POST http://127.0.0.1:${port}/v1/tools/list_workflows -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' -d '{}'
`)
