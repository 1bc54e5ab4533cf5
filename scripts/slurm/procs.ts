/**
 * Processes for the Slurm test bed: run a client command, start a daemon that outlives its starter,
 * tell honestly whether a daemon still runs, and stop one.
 */
import { execFile, spawn } from 'node:child_process'
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs'

export interface RunResult {
  status: number | null
  stdout: string
  stderr: string
}

/** Runs a command to its end (killed after `timeoutMs`); never throws for a non-zero exit. */
export function run(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string } = {}
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      {
        env: options.env,
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 16 * 1024 * 1024,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? null : 0
        resolve({ status: code, stdout: String(stdout), stderr: String(stderr || error?.message || '') })
      }
    )
    if (options.input !== undefined) child.stdin?.end(options.input)
  })
}

/**
 * Starts a daemon in the foreground of its own process group, output appended to `log`, detached so it
 * outlives this process (`npx node scripts/slurm/up.ts` exits while the cluster stays up).
 */
export function startDaemon(cmd: string, args: string[], log: string, env: NodeJS.ProcessEnv): number {
  const fd = openSync(log, 'a')
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd], env })
    child.unref()
    if (child.pid === undefined) throw new Error(`could not start ${cmd}`)
    return child.pid
  } finally {
    closeSync(fd)
  }
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
}

/** The command name of a process (what /proc/PID/stat holds in parentheses, at most 15 characters). */
function commOf(pid: number): string | undefined {
  const stat = read(`/proc/${pid}/stat`)
  return stat?.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
}

/**
 * Whether `pid` is the daemon `comm` started for `marker` (a path in its command line or environment,
 * so a reused PID is not mistaken for ours) and has a thread that is not a zombie. `kill -0` is not
 * enough here: PID 1 reaps late, and a daemon's main thread can be a zombie while its other threads
 * still shut down and hold their ports.
 */
export function alive(pid: number, comm: string, marker: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  if (commOf(pid) !== comm.slice(0, 15)) return false
  const cmdline = read(`/proc/${pid}/cmdline`) ?? ''
  const environ = read(`/proc/${pid}/environ`) ?? ''
  if (!cmdline.includes(marker) && !environ.includes(marker)) return false
  return running(pid)
}

/** Whether any thread of `pid` is neither a zombie nor dead. */
export function running(pid: number): boolean {
  let tasks: string[]
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return false
  }
  return tasks.some((task) => {
    const state = /^State:\s+(\S)/m.exec(read(`/proc/${pid}/task/${task}/status`) ?? '')?.[1]
    return state !== undefined && state !== 'Z' && state !== 'X'
  })
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `probe` every `everyMs` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
  everyMs = 100
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`)
    await sleep(everyMs)
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // already gone
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when no thread of the daemon is left running. */
export async function stopDaemon(pid: number, comm: string, marker: string, graceMs: number): Promise<void> {
  if (!alive(pid, comm, marker)) return
  signal(pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (alive(pid, comm, marker) && Date.now() < deadline) await sleep(50)
  if (!alive(pid, comm, marker)) return
  signal(pid, 'SIGKILL')
  await waitFor(`${comm} (pid ${pid}) to end after SIGKILL`, 10_000, () =>
    alive(pid, comm, marker) ? undefined : true
  )
}

/** PIDs of running processes named `comm` that carry `marker` (see `alive`). */
export function findDaemons(comm: string, marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => alive(pid, comm, marker))
}

/** SIGKILLs `pid` and every process below it (a slurmstepd and the job it runs). */
export function killTree(pid: number): void {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = read(`/proc/${entry}/stat`)
    const ppid = Number(stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (ppid) children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
  }
  const doomed: number[] = []
  const walk = (p: number) => {
    doomed.push(p)
    for (const child of children.get(p) ?? []) walk(child)
  }
  walk(pid)
  for (const p of doomed) signal(p, 'SIGKILL')
}
