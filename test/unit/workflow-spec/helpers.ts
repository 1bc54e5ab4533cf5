import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { TORC_ROOT, torcBin } from '../../../scripts/torc-paths.ts'
import { TORC_VERSION } from '../../../scripts/torc-version.ts'
import { formatFromFileName, type SpecFormat } from '../../../src/workflow-spec/index.ts'

const run = promisify(execFile)

/** The pinned crate's unpacked source (examples/), or undefined when cargo never fetched it. */
export function crateDir(): string | undefined {
  const registry = join(process.env['CARGO_HOME'] ?? join(homedir(), '.cargo'), 'registry', 'src')
  if (!existsSync(registry)) return undefined
  for (const index of readdirSync(registry)) {
    const dir = join(registry, index, 'torc-1.0.0')
    if (existsSync(join(dir, 'examples'))) return dir
  }
  return undefined
}

export const CRATE = crateDir()

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

export const TORC = torcBin('torc')
export const TORC_SERVER = torcBin('torc-server')
/** TORC_SPEC_NO_CLI=1 runs the suite as if the binaries were not built (what CI without cargo sees). */
const forcedOff = process.env['TORC_SPEC_NO_CLI'] === '1'
export const HAS_CLI = !forcedOff && existsSync(TORC) && CRATE !== undefined
export const HAS_SERVER = !forcedOff && existsSync(TORC_SERVER)
export const CLI_SKIP = `torc ${TORC_VERSION} CLI not built in ${TORC_ROOT}/bin (run scripts/torc-install.ts); comparison skipped`

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

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => done(port))
    })
  })
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
