/**
 * Builds the pinned Torc release's binaries from crates.io into <cache>/torc-<version>/bin (see
 * torc-paths.ts). Idempotent: when the binaries are there it returns at once.
 *
 * Features: server-bin (torc-server), client + tui + plot_resources (the torc CLI),
 * mcp-server (torc-mcp-server, for benchmarks) and slurm-runner. Nothing is turned off.
 * SQLX_OFFLINE: the crate ships .sqlx query data but also a .env whose DATABASE_URL points at a
 * database that does not exist, which makes sqlx's macros fail without it.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { CACHE_ROOT, TORC_ROOT, torcBin } from './torc-paths.ts'
import { TORC_VERSION } from './torc-version.ts'

export const TORC_BINARIES = ['torc-server', 'torc', 'torc-mcp-server', 'torc-slurm-job-runner'] as const
const FEATURES = 'server-bin,client,tui,plot_resources,mcp-server,slurm-runner'

export function torcInstalled(): boolean {
  return TORC_BINARIES.every((name) => existsSync(torcBin(name)))
}

export function installTorc(): void {
  if (torcInstalled()) return
  console.error(`building torc ${TORC_VERSION} from crates.io (first run only; about 15-25 minutes on 2 cores)…`)
  const result = spawnSync(
    'cargo',
    ['install', `torc@${TORC_VERSION}`, '--locked', '--root', TORC_ROOT, '--features', FEATURES],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, SQLX_OFFLINE: 'true', CARGO_TARGET_DIR: join(CACHE_ROOT, 'cargo-target') },
    }
  )
  if (result.error) throw new Error(`could not run cargo: ${result.error.message}`)
  if (result.status !== 0) throw new Error(`cargo install torc@${TORC_VERSION} failed (exit ${result.status})`)
  if (!torcInstalled())
    throw new Error(`cargo install finished but ${TORC_BINARIES.join(', ')} are not all in ${TORC_ROOT}/bin`)
}

if (import.meta.main) installTorc()
