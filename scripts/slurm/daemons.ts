/**
 * The five daemons of the test bed, in start order, each with how to start it, how to know it serves,
 * and how long it may take to stop. All run in the foreground (detached from the starter), so the PID
 * we spawn is the daemon's own.
 */
import { existsSync as exists, existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { ACCOUNT, CLUSTER_NAME, type Layout, NODE } from './config.ts'
import { alive, run, startDaemon, waitFor } from './procs.ts'

export const DAEMONS = ['munged', 'mariadbd', 'slurmdbd', 'slurmctld', 'slurmd'] as const
export type DaemonName = (typeof DAEMONS)[number]

export interface DaemonContext {
  paths: Layout
  /** The daemons' and clients' environment: SLURM_CONF points at this bed. */
  env: NodeJS.ProcessEnv
  ports: { mariadb: number }
  dbPassword: string
  user: string
}

/** Seconds a daemon gets between SIGTERM and SIGKILL. */
export const GRACE_MS: Record<DaemonName, number> = {
  munged: 5_000,
  mariadbd: 30_000,
  slurmdbd: 15_000,
  slurmctld: 15_000,
  slurmd: 15_000,
}

const logOf = (ctx: DaemonContext, name: string) => join(ctx.paths.log, `${name}.out`)

/** The last lines a daemon wrote to its own log or to its output file. */
function tail(ctx: DaemonContext, name: DaemonName): string {
  const own = join(ctx.paths.log, `${name === 'mariadbd' ? 'mariadb' : name}.log`)
  const file = exists(own) ? own : logOf(ctx, name)
  const text = exists(file) ? readFileSync(file, 'utf8') : ''
  return text.trim().split('\n').slice(-8).join('\n')
}

/** Waits until `probe` succeeds; fails at once, with its log, if the daemon exits meanwhile. */
async function ready(
  ctx: DaemonContext,
  name: DaemonName,
  pid: number,
  timeoutMs: number,
  probe: () => Promise<boolean>
): Promise<number> {
  await waitFor(
    `${name} to answer`,
    timeoutMs,
    async () => {
      if (await probe()) return true
      if (!alive(pid, name, ctx.paths.dir)) throw new Error(`${name} exited during start-up:\n${tail(ctx, name)}`)
      return undefined
    },
    100
  )
  return pid
}

const sql = (ctx: DaemonContext, statement: string) =>
  run('mariadb', ['--no-defaults', `--socket=${ctx.paths.mysqlSocket}`, '-u', 'root', '-N', '-e', statement], {
    env: ctx.env,
    timeoutMs: 10_000,
  })

/** Fails with the command's output unless it exited 0. */
async function must(what: string, result: Promise<{ status: number | null; stdout: string; stderr: string }>) {
  const r = await result
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${r.stderr.trim() || r.stdout.trim()}`)
  return r.stdout
}

export async function startMunged(ctx: DaemonContext): Promise<number> {
  const { paths } = ctx
  // A stale socket or lock from an unclean stop makes munged refuse to start.
  for (const stale of [paths.mungeSocket, `${paths.mungeSocket}.lock`]) rmSync(stale, { force: true })
  const pid = startDaemon(
    'munged',
    [
      '--foreground',
      `--socket=${paths.mungeSocket}`,
      `--key-file=${paths.mungeKey}`,
      `--pid-file=${join(paths.run, 'munged.pid')}`,
      `--log-file=${join(paths.log, 'munged.log')}`,
      `--seed-file=${join(paths.munge, 'munged.seed')}`,
      '--origin=127.0.0.1',
    ],
    logOf(ctx, 'munged'),
    ctx.env
  )
  return ready(
    ctx,
    'munged',
    pid,
    20_000,
    async () => (await run('munge', ['-n', '-S', paths.mungeSocket], { env: ctx.env, timeoutMs: 5_000 })).status === 0
  )
}

export async function startMariadb(ctx: DaemonContext): Promise<number> {
  const { paths } = ctx
  if (!existsSync(join(paths.mysqlData, 'mysql'))) {
    await must(
      'mariadb-install-db',
      run(
        'mariadb-install-db',
        [
          '--no-defaults',
          `--datadir=${paths.mysqlData}`,
          `--user=${ctx.user}`,
          '--auth-root-authentication-method=socket',
          '--skip-test-db',
        ],
        { env: ctx.env, timeoutMs: 120_000 }
      )
    )
  }
  rmSync(paths.mysqlSocket, { force: true })
  const pid = startDaemon(
    'mariadbd',
    [
      '--no-defaults',
      `--datadir=${paths.mysqlData}`,
      `--socket=${paths.mysqlSocket}`,
      `--port=${ctx.ports.mariadb}`,
      '--bind-address=127.0.0.1',
      `--pid-file=${join(paths.run, 'mariadbd.pid')}`,
      `--log-error=${join(paths.log, 'mariadb.log')}`,
      `--user=${ctx.user}`,
      '--skip-name-resolve',
      '--innodb-buffer-pool-size=64M',
    ],
    logOf(ctx, 'mariadbd'),
    ctx.env
  )
  await ready(ctx, 'mariadbd', pid, 60_000, async () => (await sql(ctx, 'SELECT 1')).status === 0)
  // slurmdbd connects over TCP with a password (root is socket-authenticated only).
  const pw = ctx.dbPassword
  await must(
    'creating the slurm database user',
    sql(
      ctx,
      `CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '${pw}'; ALTER USER ` +
        `'slurm'@'127.0.0.1' IDENTIFIED BY '${pw}'; GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';`
    )
  )
  return pid
}

const sacctmgr = (ctx: DaemonContext, args: string[]) => run('sacctmgr', args, { env: ctx.env, timeoutMs: 20_000 })

export async function startSlurmdbd(ctx: DaemonContext): Promise<number> {
  const pid = startDaemon('slurmdbd', ['-D'], logOf(ctx, 'slurmdbd'), ctx.env)
  return ready(
    ctx,
    'slurmdbd',
    pid,
    60_000,
    async () => (await sacctmgr(ctx, ['-n', '-P', 'list', 'cluster', 'format=cluster'])).status === 0
  )
}

/** The cluster, the tutorial's account and the current user in it (its default account); idempotent. */
export async function registerAccounts(ctx: DaemonContext): Promise<void> {
  const list = async (args: string[]) =>
    (await must('sacctmgr list', sacctmgr(ctx, ['-n', '-P', 'list', ...args]))).trim()
  if (!(await list(['cluster', 'format=cluster'])).split('\n').includes(CLUSTER_NAME))
    await must('sacctmgr add cluster', sacctmgr(ctx, ['-i', 'add', 'cluster', CLUSTER_NAME]))
  if (!(await list(['account', ACCOUNT, 'format=account'])))
    await must(
      'sacctmgr add account',
      sacctmgr(ctx, ['-i', 'add', 'account', ACCOUNT, `cluster=${CLUSTER_NAME}`, 'description=torc-edge test bed'])
    )
  const assoc = await list(['association', `user=${ctx.user}`, `account=${ACCOUNT}`, 'format=account'])
  if (!assoc)
    await must(
      'sacctmgr add user',
      sacctmgr(ctx, ['-i', 'add', 'user', ctx.user, `account=${ACCOUNT}`, `cluster=${CLUSTER_NAME}`])
    )
  const defaults = await list(['user', ctx.user, 'format=defaultaccount'])
  if (defaults !== ACCOUNT)
    await must(
      'sacctmgr set default account',
      sacctmgr(ctx, ['-i', 'modify', 'user', ctx.user, 'set', `defaultaccount=${ACCOUNT}`])
    )
}

export async function startSlurmctld(ctx: DaemonContext): Promise<number> {
  const pid = startDaemon('slurmctld', ['-D'], logOf(ctx, 'slurmctld'), ctx.env)
  return ready(ctx, 'slurmctld', pid, 60_000, async () =>
    /is UP/.test((await run('scontrol', ['ping'], { env: ctx.env, timeoutMs: 10_000 })).stdout)
  )
}

export async function startSlurmd(ctx: DaemonContext): Promise<number> {
  return startDaemon('slurmd', ['-D', '-N', NODE], logOf(ctx, 'slurmd'), ctx.env)
}

export const START: Record<DaemonName, (ctx: DaemonContext) => Promise<number>> = {
  munged: startMunged,
  mariadbd: startMariadb,
  slurmdbd: startSlurmdbd,
  slurmctld: startSlurmctld,
  slurmd: startSlurmd,
}
