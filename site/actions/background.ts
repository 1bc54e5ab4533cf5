/**
 * The `run` action's job runner: `torc run <id>` started in the background, detached from the agent
 * (its own session: it keeps running when the agent restarts), its output in a log file in the
 * agent's private state folder. The agent watches it for a short grace period so an immediate
 * failure (a finished workflow, a wrong URL) is answered as such, and starts at most one runner per
 * workflow at a time, so a retried request finds the one already running instead of a second.
 */
import { spawn } from 'node:child_process'
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { CommandRun } from '../../src/site-protocol/actions.ts'

interface Runner {
  pid: number
  startedAt: string
  exited: boolean
}

export interface StartOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  /** How long to wait for an early exit before answering "started". */
  graceMs: number
  logDir: string
  shown: string[]
}

export interface Started {
  run: CommandRun
  background: { pid: number; already_running: boolean; started_at: string } | null
}

const TAIL_BYTES = 64 * 1024

function tail(path: string): string {
  let fd: number | undefined
  try {
    fd = openSync(path, 'r')
    const size = statSync(path).size
    const length = Math.min(size, TAIL_BYTES)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    return buffer.toString('utf8')
  } catch {
    return ''
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

export class BackgroundRunners {
  readonly #runners = new Map<number, Runner>()

  /** The runner started for `workflowId` that is still running, if any. */
  running(workflowId: number): Runner | undefined {
    const runner = this.#runners.get(workflowId)
    return runner && !runner.exited ? runner : undefined
  }

  start(workflowId: number, argv: readonly string[], options: StartOptions): Promise<Started> {
    const existing = this.running(workflowId)
    const base = { argv: options.shown, signal: null, timed_out: false, output_capped: false, stdout: '', error: null }
    if (existing) {
      return Promise.resolve({
        run: { ...base, exit_code: null, duration_ms: 0, stderr: '' },
        background: { pid: existing.pid, already_running: true, started_at: existing.startedAt },
      })
    }
    const started = performance.now()
    const startedAt = new Date().toISOString()
    const log = join(options.logDir, `run_wf${workflowId}_${startedAt.replace(/[:.]/g, '-')}.log`)
    const fd = openSync(log, 'a', 0o600)
    const [file, ...args] = argv
    const child = spawn(file as string, args, {
      cwd: options.cwd,
      env: options.env,
      shell: false,
      detached: true,
      stdio: ['ignore', fd, fd],
    })
    closeSync(fd)
    child.unref()
    const runner: Runner = { pid: child.pid ?? -1, startedAt, exited: false }
    const elapsed = () => Math.round(performance.now() - started)
    return new Promise((resolve) => {
      let answered = false
      const grace = setTimeout(() => {
        answered = true
        this.#runners.set(workflowId, runner)
        resolve({
          run: { ...base, exit_code: null, duration_ms: elapsed(), stderr: tail(log) },
          background: { pid: runner.pid, already_running: false, started_at: startedAt },
        })
      }, options.graceMs)
      child.once('error', (err: NodeJS.ErrnoException) => {
        runner.exited = true
        if (answered) return
        answered = true
        clearTimeout(grace)
        const error = err.code === 'ENOENT' ? `${file} was not found (not on the agent's PATH?)` : err.message
        resolve({ run: { ...base, exit_code: null, duration_ms: elapsed(), stderr: '', error }, background: null })
      })
      child.once('exit', (code, signal) => {
        runner.exited = true
        if (answered) return
        answered = true
        clearTimeout(grace)
        resolve({
          run: { ...base, exit_code: code, signal, duration_ms: elapsed(), stderr: tail(log) },
          background: null,
        })
      })
    })
  }
}
