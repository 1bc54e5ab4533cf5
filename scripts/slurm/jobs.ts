/** What the bed asks of slurmctld once it runs: the node's state, and jobs to cancel. */
import { NODE } from './config.ts'
import { run, waitFor } from './procs.ts'

/** `idle`, `mixed`, `down*`, `drained`… as sinfo prints it; undefined while slurmctld does not answer. */
export async function nodeState(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const r = await run('sinfo', ['-h', '-N', '-n', NODE, '-o', '%T'], { env, timeoutMs: 10_000 })
  return r.status === 0 ? r.stdout.trim() || undefined : undefined
}

/**
 * Whether the slurmd started at `sinceMs` has registered: slurmctld restores the node's last state from
 * disk, so sinfo alone can show `idle` before slurmd speaks. SlurmdStartTime is local time, whole seconds.
 */
export async function slurmdRegistered(env: NodeJS.ProcessEnv, sinceMs: number): Promise<boolean> {
  const r = await run('scontrol', ['-o', 'show', 'node', NODE], { env, timeoutMs: 10_000 })
  const started = /\bSlurmdStartTime=(\S+)/.exec(r.stdout)?.[1]
  const ms = started ? new Date(started).getTime() : Number.NaN
  return r.status === 0 && ms >= Math.floor(sinceMs / 1000) * 1000 - 1000
}

/** Waits until the node is idle; resumes it once if an earlier run left it drained or down. */
export async function waitNodeIdle(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<void> {
  let resumed = false
  let last: string | undefined
  await waitFor(
    `node ${NODE} to be idle in sinfo`,
    timeoutMs,
    async () => {
      last = await nodeState(env)
      if (last === 'idle') return true
      // "down" without "*" means slurmd answers but the node was marked down; "drain…" survives restarts.
      if (!resumed && last && (/^drain/.test(last) || last === 'down')) {
        resumed = true
        await run('scontrol', ['update', `NodeName=${NODE}`, 'State=RESUME'], { env, timeoutMs: 10_000 })
      }
      return undefined
    },
    100
  ).catch((err: Error) => {
    throw new Error(`${err.message} (last state: ${last ?? 'no answer'}; see the bed's log/slurmd.log)`)
  })
}

/** IDs of every job slurmctld still lists as pending, running, suspended or completing. */
export async function activeJobs(env: NodeJS.ProcessEnv): Promise<string[]> {
  const r = await run('squeue', ['-h', '-o', '%i'], { env, timeoutMs: 10_000 })
  if (r.status !== 0) throw new Error(`squeue failed: ${r.stderr.trim()}`)
  return r.stdout.split('\n').filter(Boolean)
}

/**
 * Cancels every listed job and waits for squeue to drop them (KillWait=5 bounds a job that ignores
 * SIGTERM). On start this clears ghosts: after an unclean stop slurmctld may list jobs as RUNNING forever.
 */
export async function cancelAll(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string[]> {
  const ids = await activeJobs(env)
  if (ids.length === 0) return ids
  await run('scancel', ids, { env, timeoutMs: 10_000 })
  await waitFor(`jobs ${ids.join(', ')} to leave squeue after scancel`, timeoutMs, async () =>
    (await activeJobs(env)).length === 0 ? true : undefined
  )
  return ids
}
