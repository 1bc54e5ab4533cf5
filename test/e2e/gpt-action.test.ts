import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyEntry, mintApiKey } from '../../scripts/api-key.ts'
import { DEFAULT_PUBLIC_URL, OPENAPI_FILE, renderOpenApi } from '../../scripts/gen-openapi.ts'
import { type RunningSite, startSiteServer } from '../../scripts/site-server.ts'
import { installTorc } from '../../scripts/torc-install.ts'
import { ROOT } from '../../scripts/torc-paths.ts'
import { createWorkflow, drive, torcApiAt, type WorkflowFixture } from '../../scripts/torc-seed.ts'
import { freePort, type RunningTorc, startTorcServer } from '../../scripts/torc-server.ts'
import { type RunningWorker, startWorker } from '../../scripts/wrangler-dev.ts'

/** GPT Actions' limits: a response over 100,000 characters is refused (OpenAI's Actions docs). */
const GPT_ACTION_MAX_CHARS = 100_000
const scratch = mkdtempSync(join(tmpdir(), 'torc-edge-gpt-action-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** Runs the generator as `npm run gen` does, writing to a scratch file instead of the committed one. */
function generate(publicUrl: string | undefined) {
  const out = join(scratch, `openapi-${Math.random().toString(36).slice(2)}.json`)
  const env: Record<string, string | undefined> = { ...process.env, TORC_EDGE_PUBLIC_URL: publicUrl }
  if (publicUrl === undefined) delete env.TORC_EDGE_PUBLIC_URL
  const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'gen-openapi.ts'), '--out', out], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  })
  let doc: { servers: { url: string }[]; paths: Record<string, unknown> } | undefined
  try {
    doc = JSON.parse(readFileSync(out, 'utf8'))
  } catch {
    doc = undefined
  }
  return { status: run.status, stderr: run.stderr, doc }
}

describe('scripts/gen-openapi.ts: the servers URL a GPT Action calls', () => {
  it('comes from TORC_EDGE_PUBLIC_URL (normalized to its origin), the rest as committed', () => {
    const run = generate('https://torc.hpc.example.org/')
    expect(run.status, run.stderr).toBe(0)
    expect(run.doc!.servers).toEqual([{ url: 'https://torc.hpc.example.org' }])
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'))
    expect(Object.keys(run.doc!.paths)).toEqual(Object.keys(committed.paths))
    expect(JSON.stringify(run.doc)).toBe(JSON.stringify(JSON.parse(renderOpenApi('https://torc.hpc.example.org'))))
  })

  it('is the placeholder without TORC_EDGE_PUBLIC_URL', () => {
    const run = generate(undefined)
    expect(run.status, run.stderr).toBe(0)
    expect(run.doc!.servers).toEqual([{ url: DEFAULT_PUBLIC_URL }])
  })

  it('refuses a URL OpenAI could not call, naming the variable', () => {
    for (const bad of ['torc.hpc.example.org', 'http://torc.hpc.example.org', 'ftp://torc.hpc.example.org']) {
      const run = generate(bad)
      expect(run.status, bad).toBe(2)
      expect(run.stderr, bad).toContain('TORC_EDGE_PUBLIC_URL')
      expect(run.doc, bad).toBeUndefined()
    }
    expect(generate('http://127.0.0.1:8787').doc!.servers).toEqual([{ url: 'http://127.0.0.1:8787' }])
  })
})

/**
 * The largest answers a GPT Action can realistically ask for, over the REST face of the Worker
 * under `wrangler dev`, against a real torc-server holding a 10,000-job parameter sweep in which
 * every job ran over its memory request, every 100th was OOM-killed and every 100th (another) is
 * pending_failed with a long stderr in the site server's root.
 */
describe("REST answers stay under GPT Actions' 100,000 characters at 10,000 jobs", () => {
  const JOBS = 10_000
  const key = mintApiKey('gpt', 'read').key
  const outputDir = join(scratch, 'output')
  let torc: RunningTorc
  let site: RunningSite
  let worker: RunningWorker
  let wf: WorkflowFixture
  const index = (name: string) => Number(name.slice('sweep_'.length))

  beforeAll(async () => {
    installTorc()
    torc = await startTorcServer()
    mkdirSync(join(outputDir, 'job_stdio'), { recursive: true })
    site = await startSiteServer(outputDir)
    const api = torcApiAt(torc.apiUrl)
    const starting = startWorker({
      port: await freePort(),
      stdio: 'ignore',
      persistTo: join(scratch, 'wrangler-state'),
      vars: {
        TORC_API_URL: torc.apiUrl,
        TORC_EDGE_ALLOWED_HOSTS: 'localhost,127.0.0.1,[::1]',
        TORC_EDGE_API_KEYS: keyEntry('gpt', 'read', key),
        TORC_OUTPUT_URL: site.url,
        TORC_OUTPUT_TOKEN: site.token,
      },
    })
    wf = await createWorkflow(api, {
      name: 'sweep-10k',
      resources: { sweep: { num_cpus: 2, memory: '2g', runtime: 'PT20M' } },
      jobs: Array.from({ length: JOBS }, (_, i) => ({
        name: `sweep_${String(i).padStart(5, '0')}`,
        command: `python sweep.py --index ${i}`,
        resources: 'sweep',
      })),
    })
    const gib = (n: number) => Math.round(n * 1024 ** 3)
    await drive(
      api,
      wf,
      (name) =>
        index(name) % 100 === 99
          ? { status: 'failed', return_code: 137, exec_time_minutes: 3, peak_memory_bytes: gib(2.6) }
          : index(name) % 100 === 98
            ? { status: 'pending_failed', return_code: 1, exec_time_minutes: 2, peak_memory_bytes: gib(2.5) }
            : { status: 'completed', return_code: 0, exec_time_minutes: 4, peak_memory_bytes: gib(2.5) },
      { start: false }
    )
    // The job runner's part: a long stderr (300 lines of 150 characters) for each pending_failed job.
    const line = (i: number) =>
      `${`step ${i}: solver residual above tolerance, retrying with a smaller time step `.padEnd(149, '.')}\n`
    const stderr = Array.from({ length: 300 }, (_, i) => line(i)).join('')
    for (const [name, id] of wf.jobIds) {
      if (index(name) % 100 === 98)
        writeFileSync(join(outputDir, 'job_stdio', `job_wf${wf.id}_j${id}_r${wf.runId}_a1.e`), stderr)
    }
    worker = await starting
  }, 300_000)

  afterAll(async () => {
    await worker?.stop()
    await site?.stop()
    await torc?.stop()
  })

  const SPEC = `name: sweep-10k
resource_requirements:
  - { name: work, num_cpus: 2, memory: 2g, runtime: PT20M }
jobs:
  - { name: preprocess, command: python prep.py }
  - name: "sweep_{i:05d}"
    command: "python sweep.py --index {i}"
    depends_on: [preprocess]
    resource_requirements: work
    parameters: { i: "0:9999" }
  - { name: collect, command: python collect.py, depends_on_regexes: ['^sweep_'] }
`

  async function rest(tool: string, input: Record<string, unknown>): Promise<{ status: number; text: string }> {
    const res = await fetch(`${worker.url}/v1/tools/${tool}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    })
    return { status: res.status, text: await res.text() }
  }

  /** [label, tool, input, what the answer must also show] */
  const calls: [string, string, () => Record<string, unknown>, (body: any) => void][] = [
    [
      'list_results',
      'list_results',
      () => ({ workflow_id: wf.id, limit: 10_000 }),
      (b) => expect(b).toMatchObject({ total: JOBS, size_limited: true, has_more: true }),
    ],
    [
      'list_jobs_by_status',
      'list_jobs_by_status',
      () => ({ workflow_id: wf.id, status: 'completed', limit: 1000 }),
      (b) => expect(b).toMatchObject({ total: 9800, size_limited: true }),
    ],
    [
      'list_failed_jobs',
      'list_failed_jobs',
      () => ({ workflow_id: wf.id, limit: 1000 }),
      (b) => expect(b.total).toBe(200),
    ],
    [
      'list_pending_failed_jobs',
      'list_pending_failed_jobs',
      () => ({ workflow_id: wf.id, limit: 100, tail_lines: 200 }),
      (b) => expect(b).toMatchObject({ total: 100, logs_available: true, size_limited: true, has_more: true }),
    ],
    [
      'check_resource_utilization',
      'check_resource_utilization',
      () => ({ workflow_id: wf.id }),
      (b) => expect(b.over_utilization_count).toBeGreaterThan(9000),
    ],
    [
      'get_execution_plan (workflow id)',
      'get_execution_plan',
      () => ({ spec_or_id: wf.id }),
      (b) => expect(b.total_jobs).toBe(JOBS),
    ],
    [
      'get_execution_plan (spec)',
      'get_execution_plan',
      () => ({ spec_or_id: SPEC, format: 'yaml' }),
      (b) => expect(b.total_jobs).toBe(JOBS + 2),
    ],
    [
      'create_workflow (validate)',
      'create_workflow',
      () => ({ spec: SPEC, format: 'yaml', action: 'validate' }),
      (b) => expect(b.valid).toBe(true),
    ],
    [
      'create_workflow (save_spec_file)',
      'create_workflow',
      () => ({ spec: SPEC, format: 'yaml', action: 'save_spec_file' }),
      (b) => expect(b.valid).toBe(true),
    ],
  ]
  for (const [label, tool, input, check] of calls) {
    it(`${label}: under budget`, async () => {
      const { status, text } = await rest(tool, input())
      expect(status, text.slice(0, 300)).toBe(200)
      check(JSON.parse(text))
      expect(text.length).toBeLessThan(GPT_ACTION_MAX_CHARS)
    })
  }
})
