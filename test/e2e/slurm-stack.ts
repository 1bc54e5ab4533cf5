/**
 * The whole stack of the Slurm end-to-end flows, as an operator runs it: the real Slurm test bed
 * (test/setup/slurm.ts), a real torc-server of the test's own, the site server started from its CLI
 * as the login-node agent (site/cli.ts with --allow, --torc-url, --poll-interval, --workdir, the
 * torc 1.0.0 binaries on its PATH as on a login node), and the Worker under wrangler dev pointed at
 * both. Tests talk to the Worker's REST face only; the agent's audit lines (its stdout) are kept.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { keyEntry, mintApiKey } from '../../scripts/api-key.ts'
import { waitFor } from '../../scripts/slurm/procs.ts'
import { installTorc } from '../../scripts/torc-install.ts'
import { ROOT, torcBin } from '../../scripts/torc-paths.ts'
import { freePort, type RunningTorc, startTorcServer } from '../../scripts/torc-server.ts'
import { type RunningWorker, startWorker } from '../../scripts/wrangler-dev.ts'
import { slurmBed, type TestBed } from '../setup/slurm.ts'

export const ALL_ACTIONS = 'submit,sacct,probe,cancel,regenerate,reconcile,run,partitions'

export interface Stack {
  bed: TestBed
  torc: RunningTorc
  worker: RunningWorker
  /** The output directory the agent serves (torc -o). */
  root: string
  /** Where the agent runs commands (jobs' relative paths). */
  workdir: string
  /** The agent's audit lines, parsed. */
  audit: Record<string, unknown>[]
  /** POST /v1/tools/<name> with a write key: status and JSON body. */
  call(tool: string, args: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }>
  /** A tool's answer that must be 200. */
  ok(tool: string, args: Record<string, unknown>): Promise<Record<string, unknown>>
  /** Torc's REST API directly (for assertions only). */
  torcGet<T>(path: string): Promise<T>
  /** Bring-up times in ms. */
  timings: Record<string, number>
  stop(): Promise<void>
}

export async function startAgent(options: {
  root: string
  workdir: string
  torcUrl: string
  env: NodeJS.ProcessEnv
  allow: string
  readToken: string
  agentToken: string
  audit: Record<string, unknown>[]
  extra: string[]
}): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort()
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'site', 'cli.ts'),
      '--root',
      options.root,
      '--port',
      String(port),
      '--allow',
      options.allow,
      '--torc-url',
      options.torcUrl,
      '--poll-interval',
      '1',
      '--workdir',
      options.workdir,
      ...options.extra,
    ],
    {
      env: { ...options.env, TORC_EDGE_SITE_TOKEN: options.readToken, TORC_EDGE_AGENT_TOKEN: options.agentToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  )
  let buffered = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8')
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) if (line.trim()) options.audit.push(JSON.parse(line))
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    if (process.env.TORC_EDGE_E2E_VERBOSE) process.stderr.write(chunk)
  })
  const url = `http://127.0.0.1:${port}`
  await waitFor('the agent to listen', 30_000, async () => {
    if (child.exitCode !== null) throw new Error(`the agent exited with ${child.exitCode}`)
    return fetch(`${url}/v1/health`)
      .then(() => true)
      .catch(() => undefined)
  })
  return { url, child }
}

export async function startStack(
  options: {
    /** The agent's --allow (default: every action). */
    allow?: string
    /** Give the Worker the action token (default true; false: a deployment without the agent). */
    workerAgent?: boolean
    /**
     * torc's binaries on the agent's PATH (default true). false: only `--torc-bin`, so the
     * allocations it submits cannot find torc-slurm-job-runner (sbatch exports the agent's PATH).
     */
    runnerOnPath?: boolean
  } = {}
): Promise<Stack> {
  const timings: Record<string, number> = {}
  const timed = async <T>(name: string, body: () => Promise<T>): Promise<T> => {
    const t0 = performance.now()
    try {
      return await body()
    } finally {
      timings[name] = Math.round(performance.now() - t0)
    }
  }
  const scratch = mkdtempSync(join(tmpdir(), 'torc-edge-slurm-e2e-'))
  const root = join(scratch, 'torc_output')
  const workdir = join(scratch, 'work')
  mkdirSync(root)
  mkdirSync(workdir)
  installTorc()
  const bed = await timed('slurm bed', slurmBed)
  const torc = await timed('torc-server', () => startTorcServer())
  const readToken = `read-${Math.random().toString(36).slice(2)}-token`
  const agentToken = `agent-${Math.random().toString(36).slice(2)}-token`
  const audit: Record<string, unknown>[] = []
  // As on a login node: torc and torc-slurm-job-runner on PATH (sbatch exports it to the allocations).
  const onPath = options.runnerOnPath ?? true
  const env = onPath ? { ...bed.env, PATH: `${dirname(torcBin('torc'))}${delimiter}${bed.env.PATH}` } : bed.env
  const agent = await timed('agent', () =>
    startAgent({
      root,
      workdir,
      torcUrl: torc.apiUrl,
      env,
      allow: options.allow ?? ALL_ACTIONS,
      readToken,
      agentToken,
      audit,
      extra: onPath ? [] : ['--torc-bin', torcBin('torc')],
    })
  )
  const key = mintApiKey('slurm-e2e', 'write').key
  const worker = await timed('wrangler dev', async () =>
    startWorker({
      port: await freePort(),
      stdio: 'ignore',
      persistTo: join(scratch, 'wrangler-state'),
      vars: {
        TORC_API_URL: torc.apiUrl,
        TORC_EDGE_WRITES: 'true',
        TORC_EDGE_ALLOWED_HOSTS: 'localhost,127.0.0.1,[::1]',
        TORC_EDGE_API_KEYS: keyEntry('slurm-e2e', 'write', key),
        TORC_OUTPUT_URL: agent.url,
        TORC_OUTPUT_TOKEN: readToken,
        ...(options.workerAgent === false ? {} : { TORC_OUTPUT_AGENT_TOKEN: agentToken }),
      },
    })
  )
  const call = async (tool: string, args: Record<string, unknown>) => {
    const res = await fetch(`${worker.url}/v1/tools/${tool}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  return {
    bed,
    torc,
    worker,
    root,
    workdir,
    audit,
    call,
    async ok(tool, args) {
      const { status, body } = await call(tool, args)
      if (status !== 200) throw new Error(`${tool} answered ${status}: ${JSON.stringify(body).slice(0, 2000)}`)
      return body
    },
    async torcGet<T>(path: string) {
      const res = await fetch(`${torc.apiUrl}${path}`)
      if (!res.ok) throw new Error(`GET ${path}: ${res.status}`)
      return (await res.json()) as T
    },
    timings,
    async stop() {
      await worker.stop()
      agent.child.kill('SIGTERM')
      await torc.stop()
      await bed.stop()
      rmSync(scratch, { recursive: true, force: true })
    },
  }
}

/** Polls `check` until it returns a value (every `everyMs`), failing after `ms` with `what`. */
export const until = <T>(what: string, ms: number, check: () => Promise<T | undefined>, everyMs = 1000) =>
  waitFor(what, ms, check, everyMs)

/**
 * The tutorial's four-stage workflow ("3 initial jobs each dependent on an input file ... fans out into 10
 * work jobs ... aggregates ... postprocess"), scaled to the bed: 1 CPU and 100-200 MB per job, the jobs
 * copy and concatenate files (data/input_{1,2,3}.csv must exist in the workdir).
 */
export const FOUR_STAGE = `
name: four_stage
description: 3 inputs fan out to 10 work jobs each through files; per-group aggregation; one postprocess
resource_requirements:
  - { name: small, num_cpus: 1, memory: 100m, runtime: PT1M }
  - { name: work, num_cpus: 1, memory: 200m, runtime: PT2M }
files:
  - { name: "input_{i}", path: "data/input_{i}.csv", parameters: { i: "1:3" } }
  - { name: "prepared_{i}", path: "out/prepared_{i}.csv", parameters: { i: "1:3" } }
  - { name: "result_{i}_{j}", path: "out/result_{i}_{j}.json", parameters: { i: "1:3", j: "1:10" } }
  - { name: "summary_{i}", path: "out/summary_{i}.json", parameters: { i: "1:3" } }
  - { name: final, path: out/final.json }
jobs:
  - name: "prepare_{i}"
    command: "mkdir -p out && cp \${files.input.input_{i}} \${files.output.prepared_{i}}"
    resource_requirements: small
    parameters: { i: "1:3" }
  - name: "work_{i}_{j}"
    command: "echo work {i} {j} | cat \${files.input.prepared_{i}} - > \${files.output.result_{i}_{j}}"
    resource_requirements: work
    parameters: { i: "1:3", j: "1:10" }
  - name: "aggregate_{i}"
    command: "cat out/result_{i}_*.json > \${files.output.summary_{i}}"
    input_file_regexes: ["^result_{i}_\\\\d+$"]
    resource_requirements: small
    parameters: { i: "1:3" }
  - name: postprocess
    command: "cat \${files.input.summary_1} \${files.input.summary_2} \${files.input.summary_3} > \${files.output.final}"
    resource_requirements: small
`
