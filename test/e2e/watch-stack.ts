/**
 * The watch flows' stack, as an operator runs it: a torc-server of the test's own, the site server
 * as login-node agent (slurm-stack.ts's startAgent: site/cli.ts with --allow, the torc 1.0.0
 * binaries on its PATH), the local webhook receiver, and the Worker under wrangler dev with its D1
 * (migrations applied with `wrangler d1 migrations apply --local` into the persist folder, as an
 * operator applies them) and two destinations. Cron ticks are fired as wrangler dev offers them
 * (GET /cdn-cgi/local/scheduled, the Worker's own `scheduled` handler); `restart()` stops wrangler
 * dev and starts it again on the same folder (flow 4). With `slurm`, the real Slurm test bed too.
 */
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { keyEntry, mintApiKey } from '../../scripts/api-key.ts'
import { installTorc } from '../../scripts/torc-install.ts'
import { ROOT, torcBin } from '../../scripts/torc-paths.ts'
import { freePort, type RunningTorc, startTorcServer } from '../../scripts/torc-server.ts'
import { type RunningWorker, startWorker } from '../../scripts/wrangler-dev.ts'
import { slurmBed, type TestBed } from '../setup/slurm.ts'
import { ALL_ACTIONS, startAgent, until } from './slurm-stack.ts'
import { type Receiver, startReceiver, WEBHOOK_SECRET } from './watch-receiver.ts'

export { until }

export interface WatchStack {
  bed: TestBed | null
  torc: RunningTorc
  receiver: Receiver
  audit: Record<string, unknown>[]
  url(): string
  call(tool: string, args: Record<string, unknown>): Promise<{ status: number; body: any }>
  ok(tool: string, args: Record<string, unknown>): Promise<any>
  /** Preview, then send the preview's confirm call: the applied answer. */
  apply(tool: string, args: Record<string, unknown>): Promise<any>
  torcGet<T>(path: string): Promise<T>
  /** One cron tick, as wrangler dev fires it. */
  tick(): Promise<void>
  /** wrangler dev stopped and started again on the same D1 folder. */
  restart(): Promise<void>
  stop(): Promise<void>
}

/** `wrangler d1 migrations apply WATCHES --local` into `persistTo`: what an operator runs before dev. */
export function applyMigrations(persistTo: string, config = join(ROOT, 'wrangler.toml')): void {
  const wrangler = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')
  const out = spawnSync(
    process.execPath,
    [wrangler, 'd1', 'migrations', 'apply', 'WATCHES', '--local', '--persist-to', persistTo, '--config', config],
    {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
    }
  )
  if (out.status !== 0) throw new Error(`wrangler d1 migrations apply failed: ${out.stderr}${out.stdout}`)
}

/**
 * The Worker's sources as they are now, copied: wrangler dev rebuilds on every change under its
 * tree, and in a checkout others are editing a half-written file would stop it mid-flow.
 */
function snapshotWorker(dir: string): string {
  mkdirSync(dir)
  for (const part of ['src', 'migrations', 'wrangler.toml', 'package.json', 'tsconfig.json'])
    cpSync(join(ROOT, part), join(dir, part), { recursive: true })
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'))
  return join(dir, 'wrangler.toml')
}

export async function startWatchStack(options: { slurm?: boolean; allow?: string } = {}): Promise<WatchStack> {
  const scratch = mkdtempSync(join(tmpdir(), 'torc-edge-watch-e2e-'))
  const root = join(scratch, 'torc_output')
  const workdir = join(scratch, 'work')
  const persistTo = join(scratch, 'wrangler-state')
  mkdirSync(root)
  mkdirSync(workdir)
  installTorc()
  const bed = options.slurm ? await slurmBed() : null
  const torc = await startTorcServer()
  const readToken = `read-${Math.random().toString(36).slice(2)}-token`
  const agentToken = `agent-${Math.random().toString(36).slice(2)}-token`
  const audit: Record<string, unknown>[] = []
  const base = bed?.env ?? process.env
  const env = { ...base, PATH: `${dirname(torcBin('torc'))}${delimiter}${base.PATH}` }
  const agent = await startAgent({
    root,
    workdir,
    torcUrl: torc.apiUrl,
    env,
    allow: options.allow ?? ALL_ACTIONS,
    readToken,
    agentToken,
    audit,
    extra: [],
  })
  const receiver = await startReceiver()
  const config = snapshotWorker(join(scratch, 'worker'))
  applyMigrations(persistTo, config)
  const key = mintApiKey('watch-e2e', 'write').key
  const port = await freePort()
  const start = () =>
    startWorker({
      port,
      config,
      stdio: process.env.TORC_EDGE_E2E_VERBOSE ? 'inherit' : 'ignore',
      persistTo,
      vars: {
        TORC_API_URL: torc.apiUrl,
        TORC_EDGE_WRITES: 'true',
        TORC_EDGE_ALLOWED_HOSTS: 'localhost,127.0.0.1,[::1]',
        TORC_EDGE_API_KEYS: keyEntry('watch-e2e', 'write', key),
        TORC_OUTPUT_URL: agent.url,
        TORC_OUTPUT_TOKEN: readToken,
        TORC_OUTPUT_AGENT_TOKEN: agentToken,
        TORC_EDGE_WEBHOOKS: receiver.destinations('ops', 'team'),
        TORC_EDGE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
    })
  let worker: RunningWorker = await start()
  const call = async (tool: string, args: Record<string, unknown>) => {
    const res = await fetch(`${worker.url}/v1/tools/${tool}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    })
    return { status: res.status, body: (await res.json()) as any }
  }
  const ok = async (tool: string, args: Record<string, unknown>) => {
    const { status, body } = await call(tool, args)
    if (status !== 200) throw new Error(`${tool} answered ${status}: ${JSON.stringify(body).slice(0, 2000)}`)
    return body
  }
  return {
    bed,
    torc,
    receiver,
    audit,
    url: () => worker.url,
    call,
    ok,
    async apply(tool, args) {
      const preview = await ok(tool, args)
      if (!preview.confirm) throw new Error(`${tool} cannot be applied: ${JSON.stringify(preview.blockers)}`)
      return ok(preview.confirm.tool, preview.confirm.arguments)
    },
    async torcGet<T>(path: string) {
      const res = await fetch(`${torc.apiUrl}${path}`)
      if (!res.ok) throw new Error(`GET ${path}: ${res.status}`)
      return (await res.json()) as T
    },
    async tick() {
      const res = await fetch(`${worker.url}/cdn-cgi/local/scheduled?cron=${encodeURIComponent('* * * * *')}`)
      const text = await res.text()
      if (!res.ok) throw new Error(`the scheduled handler failed (${res.status}): ${text.slice(0, 500)}`)
    },
    async restart() {
      await worker.stop()
      worker = await start()
    },
    async stop() {
      await worker.stop()
      agent.child.kill('SIGTERM')
      await receiver.stop()
      await torc.stop()
      await bed?.stop()
      rmSync(scratch, { recursive: true, force: true })
    },
  }
}

/** The notifications the receiver got, as `destination:event`. */
export const notified = (stack: WatchStack) =>
  stack.receiver.received.map(
    (r) => `${r.name}:${(JSON.parse(r.body) as { torc_edge: { event: string } }).torc_edge.event}`
  )
