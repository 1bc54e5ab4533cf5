/**
 * Runs one command for an action: an argv array, never a shell (`shell: false`), in its own process
 * group so a timeout kills everything it started, with its output capped. Nothing here interprets
 * text: argv[0] is executed as given, every other element is one argument.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import type { CommandRun } from '../../src/site-protocol/actions.ts'

export interface SpawnOptions {
  cwd: string
  env: NodeJS.ProcessEnv
  timeoutMs: number
  /** stdout and stderr bytes kept, each; more and the command is killed. */
  maxOutputBytes: number
  /** How argv is shown in answers and the audit (the torc-server URL masked); default as is. */
  shown?: (argv: readonly string[]) => string[]
}

/** After SIGTERM, how long the group has before SIGKILL. */
const KILL_GRACE_MS = 1_000
/** After the command exits, how long its output pipes may stay open (a child still holding them). */
const DRAIN_MS = 2_000

/** Signals the whole process group (`-pid`); a group already gone is fine. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // ESRCH: nothing left in the group
  }
}

/** Keeps the first `max` bytes (stdout: the JSON's start) or the last (stderr: where errors end up). */
class Capped {
  private readonly parts: Buffer[] = []
  private size = 0
  over = false
  private readonly max: number
  private readonly keepEnd: boolean

  constructor(max: number, keepEnd: boolean) {
    this.max = max
    this.keepEnd = keepEnd
  }

  push(chunk: Buffer): void {
    if (this.size + chunk.length > this.max) this.over = true
    this.parts.push(chunk)
    this.size += chunk.length
    if (!this.keepEnd && this.size > this.max) {
      const all = Buffer.concat(this.parts).subarray(0, this.max)
      this.parts.splice(0, this.parts.length, all)
      this.size = all.length
    }
    if (this.keepEnd && this.size > 2 * this.max) this.trimEnd()
  }

  private trimEnd(): void {
    const all = Buffer.concat(this.parts)
    const kept = all.subarray(Math.max(0, all.length - this.max))
    this.parts.splice(0, this.parts.length, kept)
    this.size = kept.length
  }

  text(): string {
    if (this.keepEnd) this.trimEnd()
    return Buffer.concat(this.parts).toString('utf8')
  }
}

export function runCommand(argv: readonly string[], options: SpawnOptions): Promise<CommandRun> {
  const started = performance.now()
  const shown = options.shown?.(argv) ?? [...argv]
  const [file, ...args] = argv
  return new Promise((resolve) => {
    const stdout = new Capped(options.maxOutputBytes, false)
    const stderr = new Capped(options.maxOutputBytes, true)
    let timedOut = false
    let capped = false
    let error: string | null = null
    let settled = false
    const timers: NodeJS.Timeout[] = []
    const child = spawn(file as string, args, {
      cwd: options.cwd,
      env: options.env,
      shell: false,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const stop = (why: 'timeout' | 'cap') => {
      if (why === 'timeout') timedOut = true
      else capped = true
      killGroup(child, 'SIGTERM')
      timers.push(setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS))
    }
    const onData = (sink: Capped) => (chunk: Buffer) => {
      sink.push(chunk)
      if (sink.over && !capped && !timedOut) stop('cap')
    }
    child.stdout?.on('data', onData(stdout))
    child.stderr?.on('data', onData(stderr))
    timers.push(setTimeout(() => stop('timeout'), options.timeoutMs))
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return
      settled = true
      for (const t of timers) clearTimeout(t)
      // Whatever the command left behind in its group goes with it.
      killGroup(child, 'SIGKILL')
      resolve({
        argv: shown,
        exit_code: code,
        signal,
        timed_out: timedOut,
        output_capped: capped,
        duration_ms: Math.round(performance.now() - started),
        stdout: stdout.text(),
        stderr: stderr.text(),
        error,
      })
    }
    child.once('error', (err: NodeJS.ErrnoException) => {
      error = err.code === 'ENOENT' ? `${file} was not found (not on the agent's PATH?)` : err.message
      finish(null, null)
    })
    child.once('exit', (code, signal) => {
      // Output still in the pipes arrives before 'close'; a grandchild holding them gets DRAIN_MS.
      const drain = setTimeout(() => {
        child.stdout?.destroy()
        child.stderr?.destroy()
        finish(code, signal)
      }, DRAIN_MS)
      child.once('close', () => {
        clearTimeout(drain)
        finish(code, signal)
      })
    })
  })
}
