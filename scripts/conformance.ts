/**
 * `npm run conformance`: the official MCP conformance suite (@modelcontextprotocol/conformance)
 * against the conformance build (wrangler.conformance.toml: the real Worker plus the suite's
 * fixtures, no credentials) under `wrangler dev`, once per protocol revision torc-edge serves:
 * 2026-07-28 (stateless, per-request _meta) and 2025-11-25 (initialize handshake). Failures are
 * judged against conformance-baseline.yml; exits non-zero on any failure outside it (or a stale
 * entry). Results (checks.json per scenario) stay in .cache/conformance/<revision>/.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { z } from 'zod'
import { ROOT } from './torc-paths.ts'
import { freePort } from './torc-server.ts'
import { startWorker } from './wrangler-dev.ts'

export const REVISIONS = ['2026-07-28', '2025-11-25'] as const
export type Revision = (typeof REVISIONS)[number]
export const BASELINE_FILE = join(ROOT, 'conformance-baseline.yml')
const PACKAGE = join(ROOT, 'node_modules', '@modelcontextprotocol', 'conformance')
const SUITE = join(PACKAGE, 'dist', 'index.js')

const Requirements = z.object({
  server: z.array(z.string()),
  not_scored: z.array(z.object({ scenario: z.string(), leg: z.string(), reason: z.string() })).default([]),
})

/** The server scenarios a revision requires, and those it runs without scoring (the suite's frozen sets). */
export function requirements(revision: Revision): { required: string[]; notScored: string[] } {
  const file = Requirements.parse(parse(readFileSync(join(PACKAGE, 'requirements', `${revision}.yaml`), 'utf8')))
  return { required: file.server, notScored: file.not_scored.filter((e) => e.leg === 'server').map((e) => e.scenario) }
}

const Check = z.object({ id: z.string(), status: z.enum(['SUCCESS', 'FAILURE', 'WARNING', 'SKIPPED', 'INFO']) })
export type CheckStatus = z.output<typeof Check>['status']

export interface RevisionResult {
  revision: Revision
  /** The suite's verdict against the baseline: 0 when every failure is listed and none is stale. */
  exitCode: number
  /** The suite's printed report. */
  output: string
  /** scenario -> check id -> status, read from the suite's checks.json files. */
  scenarios: Map<string, Map<string, CheckStatus>>
}

export interface ConformanceOptions {
  /** Where each revision's results go (a subfolder per revision); default .cache/conformance. */
  outputDir?: string
  /** Echo the suite's report as it runs (the CLI does; the test keeps it for failure messages). */
  echo?: boolean
}

/** Each scenario's checks from a results folder (`server-<scenario>-<timestamp>/checks.json`). */
function readResults(dir: string): Map<string, Map<string, CheckStatus>> {
  const scenarios = new Map<string, Map<string, CheckStatus>>()
  for (const entry of existsSync(dir) ? readdirSync(dir) : []) {
    const scenario = /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(entry)?.[1]
    const file = join(dir, entry, 'checks.json')
    if (!scenario || !existsSync(file)) continue
    const checks = z.array(Check.loose()).parse(JSON.parse(readFileSync(file, 'utf8')))
    scenarios.set(scenario, new Map(checks.map((c) => [c.id, c.status])))
  }
  return scenarios
}

function runSuite(
  url: string,
  revision: Revision,
  outputDir: string,
  echo: boolean
): Promise<{ exitCode: number; output: string }> {
  const args = [
    SUITE,
    'server',
    '--url',
    url,
    '--requirements',
    revision,
    '--expected-failures',
    BASELINE_FILE,
    '-o',
    outputDir,
  ]
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  })
  let output = ''
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    if (echo) process.stdout.write(chunk)
  }
  child.stdout.on('data', collect)
  child.stderr.on('data', collect)
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ exitCode: code ?? 1, output }))
  })
}

/** Starts the conformance build, runs both revisions against it, stops it. */
export async function runConformance(options: ConformanceOptions = {}): Promise<RevisionResult[]> {
  const outputRoot = options.outputDir ?? join(ROOT, '.cache', 'conformance')
  const worker = await startWorker({
    port: await freePort(),
    config: 'wrangler.conformance.toml',
    // The HMAC key for multi-round-trip requestState: fresh per run, never stored.
    vars: { TORC_EDGE_CONFORMANCE_STATE_KEY: randomBytes(32).toString('base64url') },
    stdio: 'ignore',
  })
  try {
    const results: RevisionResult[] = []
    for (const revision of REVISIONS) {
      const dir = join(outputRoot, revision)
      rmSync(dir, { recursive: true, force: true })
      mkdirSync(dir, { recursive: true })
      const run = await runSuite(`${worker.url}/mcp`, revision, dir, options.echo ?? false)
      results.push({ revision, ...run, scenarios: readResults(dir) })
    }
    return results
  } finally {
    await worker.stop()
  }
}

if (import.meta.main) {
  const results = await runConformance({ echo: true })
  console.log('\ntorc-edge conformance (results in .cache/conformance/)')
  for (const r of results) {
    const { required, notScored } = requirements(r.revision)
    // The suite holds WARNINGs to a baseline as it does FAILUREs.
    const failing = (names: string[]) =>
      names.filter((n) => [...(r.scenarios.get(n)?.values() ?? [])].some((s) => s === 'FAILURE' || s === 'WARNING'))
        .length
    const verdict =
      r.exitCode === 0 ? 'ok: every failure is in conformance-baseline.yml' : 'FAILED: see the report above'
    console.log(
      `  ${r.revision}: ${required.length} required scenarios (${failing(required)} with baselined ` +
        `failures or warnings), ${notScored.length} not scored (${failing(notScored)} failing): ${verdict}`
    )
  }
  process.exit(results.every((r) => r.exitCode === 0) ? 0 : 1)
}
