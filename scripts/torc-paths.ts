import { existsSync, readdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { TORC_VERSION } from './torc-version.ts'

export const ROOT = resolve(import.meta.dirname, '..')
/**
 * Where built Torc releases live: outside the clone, so every clone and CI run on this machine reuses
 * one build. `TORC_EDGE_CACHE` overrides; else `$XDG_CACHE_HOME/torc-edge` or `~/.cache/torc-edge`.
 */
export const CACHE_ROOT =
  process.env.TORC_EDGE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'torc-edge')
/** Install root of the pinned release's binaries, keyed by version. */
export const TORC_ROOT = join(CACHE_ROOT, `torc-${TORC_VERSION}`)
export const torcBin = (name: string) => join(TORC_ROOT, 'bin', name)

/** The pinned crate's source as cargo unpacked it (api/openapi.yaml, examples/, the Rust MCP server). */
export function torcCrateSource(): string {
  const cargoHome = process.env.CARGO_HOME ?? join(homedir(), '.cargo')
  const registry = join(cargoHome, 'registry', 'src')
  for (const index of existsSync(registry) ? readdirSync(registry) : []) {
    const dir = join(registry, index, `torc-${TORC_VERSION}`)
    if (existsSync(dir)) return dir
  }
  throw new Error(`torc ${TORC_VERSION} source not found under ${registry}: run "node scripts/torc-install.ts" first`)
}
