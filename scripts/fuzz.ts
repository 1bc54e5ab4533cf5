/**
 * `npm run fuzz`: Schemathesis against the Worker's own /openapi.json, every check on, with the
 * whole stack real (torc-server, the site server, the docs source and the Worker under `wrangler dev`,
 * set up as `npm run dev` sets it up, in temporary folders). Exits non-zero on any failure Schemathesis
 * reports (a 5xx, a response breaking its schema, an undocumented status...).
 *
 * Schemathesis (PyPI, pinned) lives in a venv under the cache (<cache>/venv), made on first run.
 * FUZZ_MAX_EXAMPLES bounds the examples per operation (default 40).
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDocsServer } from '../test/setup/docs-server.ts'
import { keyEntry, mintApiKey } from './api-key.ts'
import { type RunningSite, startSiteServer } from './site-server.ts'
import { installTorc } from './torc-install.ts'
import { CACHE_ROOT } from './torc-paths.ts'
import { freePort, type RunningTorc, startTorcServer } from './torc-server.ts'
import { type RunningWorker, startWorker } from './wrangler-dev.ts'

export const SCHEMATHESIS_VERSION = '4.32.5'

/**
 * Exemptions from positive_data_acceptance (a schema-valid request must be accepted), where no
 * schema can say what the tool refuses with a 400 naming the fault: a workflow spec is free text
 * whose validity is the tool's own answer, classify_and_resolve_failures' memory/runtime apply to
 * the retry action only, and get_example's offset must fall inside the file it names. Every other
 * check still runs on these operations.
 */
const CONFIG = `[[operations]]
include-operation-id = ["createWorkflow", "confirmCreateWorkflow", "getExecutionPlan", "planAllocations", "classifyAndResolveFailures", "getExample"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "409"]
`

export const VENV = join(CACHE_ROOT, 'venv')
const schemathesis = join(VENV, 'bin', 'schemathesis')

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] })
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`)
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status})`)
}

/** The pinned Schemathesis in the cache's venv: installed from PyPI when missing or of another version. */
export function installSchemathesis(): string {
  const installed = spawnSync(join(VENV, 'bin', 'python'), ['-m', 'pip', 'show', 'schemathesis'], { encoding: 'utf8' })
  if (installed.status === 0 && installed.stdout.includes(`Version: ${SCHEMATHESIS_VERSION}\n`)) return schemathesis
  console.error(`installing schemathesis ${SCHEMATHESIS_VERSION} into ${VENV} (first run only)…`)
  if (!existsSync(join(VENV, 'bin', 'python'))) run('python3', ['-m', 'venv', VENV])
  run(join(VENV, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`])
  return schemathesis
}

async function fuzz(): Promise<number> {
  const binary = installSchemathesis()
  installTorc()
  const scratch = mkdtempSync(join(tmpdir(), 'torc-edge-fuzz-'))
  let torc: RunningTorc | undefined
  let site: RunningSite | undefined
  let worker: RunningWorker | undefined
  let docs: Awaited<ReturnType<typeof startDocsServer>> | undefined
  try {
    torc = await startTorcServer()
    site = await startSiteServer(mkdtempSync(join(scratch, 'output-')))
    docs = await startDocsServer()
    const key = mintApiKey('fuzz', 'write').key
    worker = await startWorker({
      port: await freePort(),
      stdio: 'ignore',
      persistTo: join(scratch, 'wrangler-state'),
      vars: {
        TORC_API_URL: torc.apiUrl,
        TORC_EDGE_WRITES: 'true',
        TORC_EDGE_ALLOWED_HOSTS: 'localhost,127.0.0.1,[::1]',
        TORC_EDGE_API_KEYS: keyEntry('fuzz', 'write', key),
        TORC_OUTPUT_URL: site.url,
        TORC_OUTPUT_TOKEN: site.token,
        TORC_DOCS_URL: docs.url,
      },
    })
    const config = join(scratch, 'schemathesis.toml')
    writeFileSync(config, CONFIG)
    const args = [
      '--config-file',
      config,
      'run',
      `${worker.url}/openapi.json`,
      '--checks',
      'all',
      '--header',
      `Authorization: Bearer ${key}`,
      '--max-examples',
      process.env.FUZZ_MAX_EXAMPLES ?? '40',
      '--workers',
      '2',
      '--request-timeout',
      '30',
      ...process.argv.slice(2),
    ]
    console.error(`schemathesis ${args.join(' ').replace(key, '<key>')}`)
    const child = spawn(binary, args, { stdio: 'inherit', cwd: scratch })
    return await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)))
  } finally {
    await worker?.stop()
    await docs?.stop()
    await site?.stop()
    await torc?.stop()
    rmSync(scratch, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  fuzz().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err)
      process.exit(1)
    }
  )
}
