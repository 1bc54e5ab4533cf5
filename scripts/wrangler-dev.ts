/**
 * Runs the Worker under `wrangler dev` (workerd) with the given vars; used by `npm run dev`,
 * `npm run conformance`, the Inspector smoke test and benchmarks.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './torc-paths.ts'
import { freePort } from './torc-server.ts'

export interface RunningWorker {
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

export interface WorkerOptions {
  port: number
  vars: Record<string, string>
  /**
   * 'inherit' (default) shows wrangler's output; 'ignore' keeps a test's output clean; 'pipe' hands it to the caller.
   */
  stdio?: 'inherit' | 'ignore' | 'pipe'
  /** Wrangler configuration file, relative to the repository (default wrangler.toml). */
  config?: string
  /** Directory for local state (KV); default .wrangler/state. Tests pass a temporary one. */
  persistTo?: string
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  // The current Node (24, from the `node` devDependency) rather than whatever `node` is first on PATH.
  const args = [
    join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
    'dev',
    '--port',
    String(options.port),
    '--ip',
    '127.0.0.1',
  ]
  // Unattended (tests, npm run conformance): a free devtools port, so several wrangler dev processes
  // can run at once (and next to npm run dev on 9229), and no hotkey prompt.
  if (options.stdio === 'ignore' || options.stdio === 'pipe')
    args.push('--inspector-port', String(await freePort()), '--show-interactive-dev-session=false')
  if (options.config) args.push('--config', options.config)
  if (options.persistTo) args.push('--persist-to', options.persistTo)
  for (const [name, value] of Object.entries(options.vars)) args.push('--var', `${name}:${value}`)
  const child = spawn(process.execPath, args, {
    stdio: options.stdio === 'pipe' ? ['ignore', 'pipe', 'inherit'] : (options.stdio ?? 'inherit'),
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  })
  const url = `http://127.0.0.1:${options.port}`
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}`)
    try {
      await fetch(`${url}/health`)
      return { url, process: child, stop }
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  await stop()
  throw new Error('wrangler dev did not start within 60 s')
}
