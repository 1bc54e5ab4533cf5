/**
 * torc-edge as it would be deployed, in plain workerd: the `wrangler deploy --dry-run` bundle under
 * Miniflare with wrangler.toml's compatibility settings, on a loopback port, without wrangler dev's
 * proxy Worker and the inspector it relays logs over (which cost ~2 ms per log line there). Next to
 * it, a minimal Worker (nothing of torc-edge) that makes bare Torc REST calls and times them with
 * workerd's clock, the way invoke() times a tool call: the runtime's own cost of those fetches.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { convertV4MiniflareOptions, Miniflare } from 'miniflare'
import { ROOT } from '../scripts/torc-paths.ts'

const toml = readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')
const setting = <T>(name: string, fallback: T): T => {
  const value = new RegExp(`^${name}\\s*=\\s*(.+)$`, 'm').exec(toml)?.[1]
  return value === undefined ? fallback : (JSON.parse(value) as T)
}
const runtime = {
  compatibilityDate: setting('compatibility_date', '2026-11-01'),
  compatibilityFlags: setting<string[]>('compatibility_flags', []),
}

export interface EdgeInWorkerd {
  url: string
  /** duration_ms of the tool_call lines the Worker logged (invoke(): validation, handler, Torc calls), by face. */
  toolMs: { mcp: number[]; rest: number[] }
  stop(): Promise<void>
}

/** Bundles the Worker as `wrangler deploy` would and serves it with only `vars` bound. */
export async function startEdgeInWorkerd(vars: Record<string, string>): Promise<EdgeInWorkerd> {
  const out = mkdtempSync(join(tmpdir(), 'torc-edge-bundle-'))
  const built = spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, WRANGLER_SEND_METRICS: 'false' } }
  )
  if (built.status !== 0) throw new Error(`wrangler deploy --dry-run failed: ${built.stderr.slice(-2000)}`)
  const toolMs = { mcp: [] as number[], rest: [] as number[] }
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...runtime,
      modules: true,
      modulesRoot: out,
      scriptPath: join(out, 'index.js'),
      bindings: vars,
      host: '127.0.0.1',
      port: 0,
      handleStructuredLogs: ({ message }: { message: string }) => {
        const line = /"event":"tool_call".*"face":"(mcp|rest)".*"duration_ms":(\d+)/.exec(message)
        if (line) toolMs[line[1] as 'mcp' | 'rest'].push(Number(line[2]))
      },
    })
  )
  const url = (await mf.ready).origin
  return {
    url,
    toolMs,
    async stop() {
      await mf.dispose()
      rmSync(out, { recursive: true, force: true })
    },
  }
}

// Each run sends every path of one group at once (like the tools' Promise.all) and reads every body.
// POST /time times n runs inside the Worker; POST /answer is one run answered with the bodies, so
// a whole request to it is the least any Worker making these calls can cost.
const BARE = `export default {
  async fetch(request) {
    const { base, paths, n } = await request.json()
    const run = () =>
      Promise.all(paths.map((p) => fetch(base + p, { headers: { Accept: 'application/json' } }).then((r) => r.json())))
    if (new URL(request.url).pathname === '/answer') return Response.json(await run())
    const ms = []
    for (let i = 0; i < n; i++) {
      const started = Date.now()
      await run()
      ms.push(Date.now() - started)
    }
    return Response.json(ms)
  },
}`

export interface BareInWorkerd {
  /** Durations in ms (workerd's clock counts whole milliseconds) of `n` runs of `paths` against Torc. */
  time(paths: readonly string[], n: number): Promise<number[]>
  /** One request from here that makes the calls and answers their bodies: a whole request's floor. */
  answer(paths: readonly string[]): Promise<unknown>
  stop(): Promise<void>
}

export async function startBareInWorkerd(torcApiUrl: string): Promise<BareInWorkerd> {
  // Served on a loopback port like the edge, so a request to it takes the same way in.
  const mf = new Miniflare(
    convertV4MiniflareOptions({ ...runtime, modules: true, script: BARE, host: '127.0.0.1', port: 0 })
  )
  const url = (await mf.ready).origin
  const post = async (path: string, paths: readonly string[], n = 1) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', body: JSON.stringify({ base: torcApiUrl, paths, n }) })
    if (!res.ok) throw new Error(`bare calls in workerd: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`)
    return res.json()
  }
  return {
    time: (paths, n) => post('/time', paths, n) as Promise<number[]>,
    answer: (paths) => post('/answer', paths),
    stop: () => mf.dispose(),
  }
}
