import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintApiKey } from '../../scripts/api-key.ts'
import { installTorc } from '../../scripts/torc-install.ts'
import { torcBin } from '../../scripts/torc-paths.ts'
import { createWorkflow, torcApiAt, type WorkflowFixture } from '../../scripts/torc-seed.ts'
import { freePort, type RunningTorc, startTorcServer } from '../../scripts/torc-server.ts'
import { type RunningWorker, startWorker } from '../../scripts/wrangler-dev.ts'

/**
 * regroup_job_resources against the REAL torc-mcp-server 1.0.0 (stdio) on the same torc-server:
 * two identical workflows, one regrouped by each, must end with the same requirement per job.
 * Deliberate differences: the edge previews first and applies only the confirmed plan (Rust applies
 * whatever dry_run=false says), reuses the requirement it made when applied again (Rust would make
 * another), and refuses a job of another workflow as invalid input naming the field.
 */
type Json = Record<string, any>

const scratch = mkdtempSync(join(tmpdir(), 'torc-edge-parity-regroup-'))
const key = mintApiKey('parity', 'write')
let torc: RunningTorc
let worker: RunningWorker
let edge: Client
let rust: Client

beforeAll(async () => {
  installTorc()
  torc = await startTorcServer()
  worker = await startWorker({
    port: await freePort(),
    stdio: 'ignore',
    persistTo: join(scratch, 'wrangler-state'),
    vars: { TORC_API_URL: torc.apiUrl, TORC_EDGE_API_KEYS: key.entry, TORC_EDGE_WRITES: 'true' },
  })
  edge = new Client({ name: 'parity', version: '1' })
  await edge.connect(
    new StreamableHTTPClientTransport(new URL(`${worker.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${key.key}` } },
    })
  )
  rust = new Client({ name: 'parity', version: '1' })
  await rust.connect(
    new StdioClientTransport({
      command: torcBin('torc-mcp-server'),
      env: { ...process.env, TORC_API_URL: torc.apiUrl } as Record<string, string>,
      stderr: 'ignore',
    })
  )
}, 300_000)

afterAll(async () => {
  await edge?.close()
  await rust?.close()
  await worker?.stop()
  await torc?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

async function ours(name: string, args: Json): Promise<Json> {
  const result = await edge.callTool({ name, arguments: args })
  expect(result.isError ?? false, JSON.stringify(result.content).slice(0, 500)).toBe(false)
  return result.structuredContent as Json
}

async function theirs(name: string, args: Json): Promise<Json> {
  const result = await rust.callTool({ name, arguments: args })
  const [block] = result.content as { type: string; text: string }[]
  expect(result.isError ?? false, block?.text).toBe(false)
  return JSON.parse(block!.text) as Json
}

const fixture = (name: string) =>
  createWorkflow(torcApiAt(torc.apiUrl), {
    name,
    resources: { small: { num_cpus: 1, memory: '1g', runtime: 'PT10M' } },
    jobs: ['a', 'b', 'c', 'd'].map((job) => ({ name: job, resources: 'small' })),
  })

const groupsFor = (wf: WorkflowFixture) => [
  { name: 'big', memory: '8g', num_cpus: 4, runtime: 'PT2H', job_ids: [wf.jobIds.get('a')!, wf.jobIds.get('b')!] },
  { memory: '2g', num_cpus: 2, runtime: 'PT30M', num_gpus: 0, job_ids: [wf.jobIds.get('c')!] },
]

/** Each job's requirement values by job name, read from Torc. */
async function requirementsByJob(wf: WorkflowFixture): Promise<Json> {
  const api = torcApiAt(torc.apiUrl)
  const jobs = await api<{ items: Json[] }>('GET', `/jobs?workflow_id=${wf.id}&limit=100`)
  const rrs = await api<{ items: Json[] }>('GET', `/resource_requirements?workflow_id=${wf.id}&limit=100`)
  const byId = new Map(rrs.items.map((r) => [r.id, r]))
  return Object.fromEntries(
    jobs.items.map((j) => {
      const r = byId.get(j.resource_requirements_id)!
      const { name, memory, num_cpus, runtime, num_gpus, num_nodes } = r
      return [j.name, { name, memory, num_cpus, runtime, num_gpus, num_nodes }]
    })
  )
}

describe('regroup_job_resources: the same result as torc-mcp-server 1.0.0', () => {
  it('previews the same groups, and both leave every job with the same requirement', async () => {
    const [forRust, forEdge] = [await fixture('regroup-rust'), await fixture('regroup-edge')]
    const rustPreview = await theirs('regroup_job_resources', {
      workflow_id: forRust.id,
      groups: groupsFor(forRust),
      dry_run: true,
    })
    const preview = await ours('regroup_job_resources', { workflow_id: forEdge.id, groups: groupsFor(forEdge) })
    expect(preview.status).toBe('preview')
    const shape = (groups: Json[]) => groups.map((g) => ({ name: g.name, count: g.job_count }))
    expect(shape(preview.groups)).toEqual(shape(rustPreview.groups))
    expect(preview.total_jobs_affected).toBe(rustPreview.total_jobs_affected)

    await theirs('regroup_job_resources', { workflow_id: forRust.id, groups: groupsFor(forRust), dry_run: false })
    const applied = await ours('regroup_job_resources', preview.confirm.arguments)
    expect(applied.status).toBe('applied')
    expect(applied.applied.total_jobs_updated).toBe(3)
    expect(await requirementsByJob(forEdge)).toEqual(await requirementsByJob(forRust))
    // The untouched job keeps its requirement, on both.
    expect((await requirementsByJob(forEdge)).d.name).toBe('small')
  })

  it('the same plan applied again is refused, and makes no second requirement', async () => {
    const wf = await fixture('regroup-twice')
    const preview = await ours('regroup_job_resources', { workflow_id: wf.id, groups: groupsFor(wf) })
    await ours('regroup_job_resources', preview.confirm.arguments)
    const again = await edge.callTool({ name: 'regroup_job_resources', arguments: preview.confirm.arguments })
    expect(again.isError).toBe(true)
    expect(JSON.stringify(again.content)).toMatch(/conflict: plan rg_\w+ was already applied/)
    const rrs = await torcApiAt(torc.apiUrl)<{ items: Json[] }>('GET', `/resource_requirements?workflow_id=${wf.id}`)
    expect(rrs.items.filter((r) => r.name === 'big')).toHaveLength(1)
  })

  it('refuses a job of another workflow, naming the field (Rust answers success: false)', async () => {
    const [one, two] = [await fixture('regroup-one'), await fixture('regroup-two')]
    const result = await edge.callTool({
      name: 'regroup_job_resources',
      arguments: {
        workflow_id: one.id,
        groups: [{ memory: '1g', num_cpus: 1, runtime: 'PT1M', job_ids: [two.jobIds.get('a')!] }],
      },
    })
    expect(result.isError).toBe(true)
    expect(JSON.stringify(result.content)).toContain(
      `groups[0].job_ids: job ${two.jobIds.get('a')} is not a job of workflow ${one.id}`
    )
    const rustAnswer = await theirs('regroup_job_resources', {
      workflow_id: one.id,
      groups: [{ memory: '1g', num_cpus: 1, runtime: 'PT1M', job_ids: [two.jobIds.get('a')!] }],
      dry_run: true,
    })
    expect(rustAnswer.success).toBe(false)
  })
})
