/**
 * Starts the pinned torc-server on a free loopback port with a temporary SQLite database,
 * waits until it answers, and returns how to reach and stop it. Used by the test setup,
 * `npm run dev` and the benchmarks.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { torcBin } from './torc-paths.ts'

export interface RunningTorc {
  /** Base URL including /torc-service/v1. */
  apiUrl: string
  port: number
  dir: string
  process: ChildProcess
  stop(): Promise<void>
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export interface StartOptions {
  threads?: number
  completionCheckSecs?: number
  /** Keep the database in this folder (dev); by default a temporary folder removed on stop. */
  dir?: string
  port?: number
}

export async function startTorcServer(options: StartOptions = {}): Promise<RunningTorc> {
  const keep = options.dir !== undefined
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'torc-edge-server-'))
  mkdirSync(dir, { recursive: true })
  const port = options.port ?? (await freePort())
  const log = openSync(join(dir, 'server.log'), 'a')
  const child = spawn(
    torcBin('torc-server'),
    [
      'run',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--database',
      join(dir, 'torc.db'),
      '--threads',
      String(options.threads ?? 2),
      '--log-level',
      'warn',
      // Torc unblocks dependents in a background task (60 s by default); tests and dev want it prompt.
      '--completion-check-interval-secs',
      String(options.completionCheckSecs ?? 0.1),
    ],
    { stdio: ['ignore', log, log], cwd: dir }
  )
  const apiUrl = `http://127.0.0.1:${port}/torc-service/v1`
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM')
      await new Promise((resolve) => child.once('exit', resolve))
    }
    if (!keep) rmSync(dir, { recursive: true, force: true })
  }
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`torc-server exited with ${child.exitCode}; see ${dir}/server.log`)
    try {
      const res = await fetch(`${apiUrl}/version`)
      if (res.ok) return { apiUrl, port, dir, process: child, stop }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await stop()
  throw new Error('torc-server did not answer within 60 s')
}
