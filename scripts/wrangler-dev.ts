/** Runs the Worker under `wrangler dev` (workerd) with the given vars; used by `npm run dev` and benchmarks. */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { ROOT } from './torc-paths.ts'

export interface RunningWorker {
  url: string
  process: ChildProcess
  stop(): Promise<void>
}

export async function startWorker(options: {
  port: number
  vars: Record<string, string>
  stdio?: 'inherit' | 'ignore'
}): Promise<RunningWorker> {
  // The current Node (24, from the `node` devDependency) rather than whatever `node` is first on PATH.
  const args = [join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'), 'dev', '--port', String(options.port), '--ip', '127.0.0.1']
  for (const [name, value] of Object.entries(options.vars)) args.push('--var', `${name}:${value}`)
  const child = spawn(process.execPath, args, {
    stdio: options.stdio ?? 'inherit',
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
  })
  const url = `http://127.0.0.1:${options.port}`
  const stop = async () => {
    if (child.exitCode !== null) return
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
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
