/**
 * What the parity tests compare against: the pinned torc 1.0.0 binaries (torc, torc-server) and the
 * crate's source (examples/, src/), and whether each is here. A test file asks with need*(): false
 * skips locally, and under CI a missing one fails the run naming it (test/setup/prerequisites.ts).
 * TORC_SPEC_NO_CLI=1 runs as if the binaries were not built.
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { torcBin } from '../../scripts/torc-paths.ts'
import { freePort } from '../../scripts/torc-server.ts'
import { TORC_VERSION } from '../../scripts/torc-version.ts'
import { formatFromFileName, type SpecFormat } from '../../src/workflow-spec/index.ts'
import { requirePrerequisite } from '../setup/prerequisites.ts'

const run = promisify(execFile)
const INSTALL = 'run node scripts/torc-install.ts'

/** The pinned crate's unpacked source (examples/), or undefined when cargo never fetched it. */
function crateDir(): string | undefined {
  const registry = join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'registry', 'src')
  if (!existsSync(registry)) return undefined
  for (const index of readdirSync(registry)) {
    const dir = join(registry, index, `torc-${TORC_VERSION}`)
    if (existsSync(join(dir, 'examples'))) return dir
  }
  return undefined
}

export const CRATE = crateDir()
export const TORC = torcBin('torc')
export const TORC_SERVER = torcBin('torc-server')
const forcedOff = process.env.TORC_SPEC_NO_CLI === '1'

/** The torc CLI (and the crate it runs the examples from). */
export const needCli = () => requirePrerequisite('torc CLI', !forcedOff && existsSync(TORC), INSTALL) && needCrate()
export const needServer = () => requirePrerequisite('torc-server', !forcedOff && existsSync(TORC_SERVER), INSTALL)
/** The crate's source: cargo unpacks it while building torc. */
export const needCrate = () => requirePrerequisite(`torc ${TORC_VERSION} crate source`, CRATE !== undefined, INSTALL)

export interface Example {
  /** Path relative to examples/, e.g. `yaml/diamond_workflow.yaml`. */
  name: string
  path: string
  format: SpecFormat
  text: string
}

/** Every spec file shipped in examples/{json,json5,yaml,kdl,subgraphs}. */
export function examples(): Example[] {
  if (CRATE === undefined) return []
  const out: Example[] = []
  for (const dir of ['json', 'json5', 'yaml', 'kdl', 'subgraphs']) {
    const full = join(CRATE, 'examples', dir)
    if (!existsSync(full)) continue
    for (const file of readdirSync(full).sort()) {
      const format = formatFromFileName(file)
      if (format === undefined) continue
      const path = join(full, file)
      out.push({ name: `${dir}/${file}`, path, format, text: readFileSync(path, 'utf8') })
    }
  }
  return out
}

/** Reads `parameters_file` tables the way the CLI does when run from the crate root. */
export const readFromCrate = (path: string): string => readFileSync(resolve(CRATE ?? '.', path), 'utf8')

/** Runs the real CLI with `-f json` from `cwd` (default: the crate root) and parses stdout, even on exit code 1. */
export async function torcJson(args: string[], env: Record<string, string> = {}, cwd = CRATE): Promise<unknown> {
  try {
    const { stdout } = await run(TORC, ['-f', 'json', ...args], {
      cwd,
      maxBuffer: 1 << 28,
      env: { ...process.env, ...env },
    })
    return JSON.parse(stdout)
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout ?? ''
    if (stdout.trim().startsWith('{')) return JSON.parse(stdout)
    throw error
  }
}

export interface TorcServer {
  url: string
  stop(): void
}

/** Starts a throw-away torc-server on a loopback port with a temporary SQLite database. */
export async function startServer(): Promise<TorcServer> {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'torc-spec-'))
  const child = spawn(TORC_SERVER, ['run', '--host', '127.0.0.1', '-p', String(port), '-d', join(dir, 'torc.sqlite')], {
    stdio: 'ignore',
  })
  const url = `http://127.0.0.1:${port}/torc-service/v1`
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/version`)).ok) break
    } catch {
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return {
    url,
    stop() {
      if (child.pid !== undefined) child.kill()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Sorts a copy, for comparing collections whose order torc leaves unspecified. */
export const sorted = <T>(list: readonly T[]): T[] => [...list].sort()
