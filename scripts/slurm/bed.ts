/**
 * A real Slurm 22.05 cluster of one node on loopback (munged, MariaDB, slurmdbd, slurmctld, slurmd),
 * all state under one folder: the importable API behind scripts/slurm/up.ts and down.ts.
 *
 *   const bed = await upSlurm()            // or upSlurm({ dir }) to keep or share the folder
 *   spawn('sbatch', [...], { env: { ...process.env, ...bed.env } })
 *   await bed.stop()
 *
 * `upSlurm` on a folder whose cluster runs reuses it (`reused: true`); on a folder left by an unclean
 * stop it restarts the daemons on fresh ports, keeping the database and Slurm's state, and cancels the
 * jobs slurmctld still lists. Clients find the cluster through SLURM_CONF alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../torc-server.ts'
import {
  ACCOUNT,
  CLUSTER_NAME,
  cgroupConf,
  type Layout,
  layout,
  PARTITION,
  parseSlurmdC,
  slurmConf,
  slurmdbdConf,
} from './config.ts'
import { DAEMONS, type DaemonContext, type DaemonName, GRACE_MS, registerAccounts, START } from './daemons.ts'
import { cancelAll, nodeState, slurmdRegistered, waitNodeIdle } from './jobs.ts'
import { missingPrerequisites } from './prereqs.ts'
import { alive, findDaemons, killTree, run, stopDaemon, waitFor } from './procs.ts'
import { type BedState, createBed, readState, withLock, writeState } from './state.ts'

export interface SlurmEnv {
  SLURM_CONF: string
  /** torc's Slurm interface reads USER; unset, `torc submit` fails. */
  USER: string
}

export interface SlurmBed {
  dir: string
  env: SlurmEnv
  clusterName: string
  account: string
  partition: string
  /** True when the cluster was already up in `dir` and this call only checked it. */
  reused: boolean
  /** Milliseconds per bring-up step, and `total`. */
  timings: Record<string, number>
  /** Stops the cluster; removes the folder when `upSlurm` created it as a temporary one. */
  stop(): Promise<Stopped>
}

export interface UpOptions {
  /** State folder; a new temporary one (removed by stop) by default. */
  dir?: string
  /** The node's RealMemory in MB (at most what slurmd -C finds): 4096 by default, the machine is shared. */
  memoryMb?: number
  log?: (line: string) => void
}

const LOCK_WAIT_MS = 180_000
/** Comm names as /proc shows them. */
const COMM: Record<DaemonName, string> = {
  munged: 'munged',
  mariadbd: 'mariadbd',
  slurmdbd: 'slurmdbd',
  slurmctld: 'slurmctld',
  slurmd: 'slurmd',
}

export function slurmEnv(dir: string): SlurmEnv {
  return { SLURM_CONF: layout(dir).slurmConf, USER: process.env.USER || userInfo().username }
}

/** `base` without Slurm variables of another cluster or job, plus this bed's. */
export function clientEnv(dir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(base).filter(([key]) => !key.startsWith('SLURM_')))
  return { ...env, ...slurmEnv(dir) }
}

const isAlive = (paths: Layout, state: BedState, name: DaemonName) => {
  const pid = state.pids[name]
  return pid !== undefined && alive(pid, COMM[name], paths.dir)
}

async function stopDaemons(paths: Layout, state: BedState): Promise<void> {
  for (const name of [...DAEMONS].reverse()) {
    const pid = state.pids[name]
    if (pid !== undefined) await stopDaemon(pid, COMM[name], paths.dir, GRACE_MS[name])
    delete state.pids[name]
    writeState(paths, state)
  }
}

async function hardware(memoryMb: number | undefined) {
  const r = await run('slurmd', ['-C'], { timeoutMs: 10_000 })
  if (r.status !== 0) throw new Error(`slurmd -C failed: ${r.stderr.trim()}`)
  const node = parseSlurmdC(r.stdout)
  return { ...node, memoryMb: Math.min(node.memoryMb, memoryMb ?? 4096) }
}

async function freshPorts() {
  return {
    slurmctld: await freePort(),
    slurmd: await freePort(),
    slurmdbd: await freePort(),
    mariadb: await freePort(),
  }
}

async function bringUp(
  paths: Layout,
  options: UpOptions
): Promise<{ reused: boolean; timings: Record<string, number> }> {
  const log = options.log ?? (() => {})
  const t0 = performance.now()
  const timings: Record<string, number> = {}
  const step = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const start = performance.now()
    const value = await body()
    timings[name] = Math.round(performance.now() - start)
    log(`slurm bed: ${name} ${timings[name]} ms`)
    return value
  }
  const env = clientEnv(paths.dir)
  let state = readState(paths)
  if (state && DAEMONS.every((name) => isAlive(paths, state!, name))) {
    const answer = await nodeState(env)
    if (answer && !answer.endsWith('*')) {
      timings.total = Math.round(performance.now() - t0)
      return { reused: true, timings }
    }
  }
  if (state) await step('stop leftovers', () => stopDaemons(paths, state!))
  const ports = await freshPorts()
  const user = env.USER as string
  state = state ? { ...state, ports } : createBed(paths, await hardware(options.memoryMb), ports)
  const input = { paths, ports, node: state.node, firstJobId: state.firstJobId, dbPassword: state.dbPassword, user }
  writeFileSync(paths.slurmConf, slurmConf(input))
  writeFileSync(paths.cgroupConf, cgroupConf())
  writeFileSync(paths.slurmdbdConf, slurmdbdConf(input), { mode: 0o600 })
  writeState(paths, state)
  const ctx: DaemonContext = { paths, env, ports, dbPassword: state.dbPassword, user }
  let slurmdStart = 0
  for (const name of DAEMONS) {
    if (name === 'slurmctld') await step('sacctmgr', () => registerAccounts(ctx))
    slurmdStart = Date.now()
    state.pids[name] = await step(name, () => START[name](ctx))
    writeState(paths, state)
  }
  await step('node registered', () =>
    waitFor('slurmd to register with slurmctld', 60_000, async () => {
      if (!isAlive(paths, state!, 'slurmd')) throw new Error(`slurmd exited; see ${paths.log}/slurmd.log`)
      return (await slurmdRegistered(env, slurmdStart)) ? true : undefined
    })
  )
  const ghosts = await step('cancel ghosts', () => cancelAll(env, 60_000))
  if (ghosts.length) log(`slurm bed: cancelled jobs left by an earlier run: ${ghosts.join(', ')}`)
  await step('node idle', () => waitNodeIdle(env, 60_000))
  timings.total = Math.round(performance.now() - t0)
  return { reused: false, timings }
}

export async function upSlurm(options: UpOptions = {}): Promise<SlurmBed> {
  const missing = missingPrerequisites()
  if (missing.length) throw new Error(`the Slurm test bed cannot run here:\n- ${missing.join('\n- ')}`)
  const temporary = options.dir === undefined
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'torc-edge-slurm-'))
  const paths = layout(dir)
  // Unix socket paths (munge, MariaDB) are limited to 107 bytes.
  if (Buffer.byteLength(paths.mungeSocket) > 100) throw new Error(`slurm bed folder path too long for sockets: ${dir}`)
  let result: { reused: boolean; timings: Record<string, number> }
  try {
    result = await withLock(paths, LOCK_WAIT_MS, () => bringUp(paths, options))
  } catch (err) {
    if (temporary) {
      await downSlurm(dir).catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    }
    throw err
  }
  return {
    dir,
    env: slurmEnv(dir),
    clusterName: CLUSTER_NAME,
    account: ACCOUNT,
    partition: PARTITION,
    ...result,
    stop: async () => {
      const stopped = await downSlurm(dir)
      if (temporary) rmSync(dir, { recursive: true, force: true })
      return stopped
    },
  }
}

/**
 * Stops the cluster in `dir`: cancels its jobs (so no slurmstepd outlives slurmd), then the daemons in
 * reverse start order. After an unclean stop it ends whatever of the bed still runs. Idempotent.
 */
export interface Stopped {
  ms: number
  /** Jobs cancelled before the daemons stopped. */
  cancelled: string[]
  /** slurmstepd PIDs killed because no slurmctld was left to cancel their jobs. */
  orphans: number[]
}

export async function downSlurm(dir: string): Promise<Stopped> {
  const paths = layout(dir)
  const t0 = performance.now()
  return withLock(paths, LOCK_WAIT_MS, async () => {
    const state = readState(paths)
    if (!state) return { ms: 0, cancelled: [], orphans: [] }
    let cancelled: string[] = []
    if (isAlive(paths, state, 'slurmctld') && isAlive(paths, state, 'slurmd'))
      cancelled = await cancelAll(clientEnv(dir), 30_000).catch(() => [])
    await stopDaemons(paths, state)
    // Job steps slurmctld could not cancel (it was gone) outlive slurmd; they inherit its SLURM_CONF.
    const orphans = findDaemons('slurmstepd', paths.dir)
    for (const pid of orphans) killTree(pid)
    await waitFor('orphaned slurmstepd to end', 10_000, () =>
      findDaemons('slurmstepd', paths.dir).length ? undefined : true
    )
    return { ms: Math.round(performance.now() - t0), cancelled, orphans }
  })
}
