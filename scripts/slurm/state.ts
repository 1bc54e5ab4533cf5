/**
 * The bed's record of itself (state.json: ports, node, secrets, daemon PIDs) and the lock that keeps
 * two `up`/`down` calls on one folder from interleaving.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { z } from 'zod'
import { type Layout, NodeHardware, Ports } from './config.ts'
import { running, sleep } from './procs.ts'

export const BedState = z.object({
  version: z.literal(1),
  ports: Ports,
  node: NodeHardware,
  firstJobId: z.number().int().positive(),
  dbPassword: z.string().regex(/^[0-9a-f]{32}$/),
  pids: z.object({
    munged: z.number().int().optional(),
    mariadbd: z.number().int().optional(),
    slurmdbd: z.number().int().optional(),
    slurmctld: z.number().int().optional(),
    slurmd: z.number().int().optional(),
  }),
})
export type BedState = z.infer<typeof BedState>

export function readState(paths: Layout): BedState | undefined {
  if (!existsSync(paths.state)) return undefined
  return BedState.parse(JSON.parse(readFileSync(paths.state, 'utf8')))
}

export function writeState(paths: Layout, state: BedState): void {
  writeFileSync(paths.state, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
}

/** Creates the folders and the secrets a new bed keeps for its whole life (munge key, DB password). */
export function createBed(paths: Layout, node: NodeHardware, ports: Ports): BedState {
  for (const dir of [paths.etc, paths.log, paths.run, paths.mysqlData, paths.ctldSpool, paths.slurmdSpool, paths.tmp])
    mkdirSync(dir, { recursive: true })
  // munged wants every folder above its socket searchable by all (mkdtemp makes 0700), and refuses a
  // key folder that others can read or write.
  chmodSync(paths.dir, 0o755)
  mkdirSync(paths.munge, { recursive: true, mode: 0o700 })
  chmodSync(paths.munge, 0o700)
  if (!existsSync(paths.mungeKey)) writeFileSync(paths.mungeKey, randomBytes(1024), { mode: 0o600 })
  const state: BedState = {
    version: 1,
    ports,
    node,
    // Distinct job IDs per bed: Slurm's cgroup folders are named by job ID, shared by all beds on a machine.
    firstJobId: randomInt(1_000, 60_000) * 1_000,
    dbPassword: randomBytes(16).toString('hex'),
    pids: {},
  }
  writeState(paths, state)
  return state
}

/** Runs `body` holding the folder's lock; waits for another holder that still runs, breaks a dead one's. */
export async function withLock<T>(paths: Layout, timeoutMs: number, body: () => Promise<T>): Promise<T> {
  mkdirSync(paths.dir, { recursive: true })
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      const fd = openSync(paths.lock, 'wx')
      writeFileSync(fd, String(process.pid))
      closeSync(fd)
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      let text: string
      try {
        text = readFileSync(paths.lock, 'utf8').trim()
      } catch {
        continue // released meanwhile
      }
      const holder = Number(text)
      // An empty lock is one being written this instant; a holder that no longer runs left it behind.
      if (text && (!holder || !running(holder))) {
        rmSync(paths.lock, { force: true })
        continue
      }
      if (Date.now() > deadline)
        throw new Error(`${paths.lock} is held by pid ${holder} for over ${timeoutMs / 1000} s`)
      await sleep(200)
    }
  }
  try {
    return await body()
  } finally {
    rmSync(paths.lock, { force: true })
  }
}
