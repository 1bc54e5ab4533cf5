import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { keyEntry, mintApiKey } from '../../scripts/api-key.ts'
import { type RunningSite, startSiteServer } from '../../scripts/site-server.ts'
import { installTorc } from '../../scripts/torc-install.ts'
import { ROOT } from '../../scripts/torc-paths.ts'
import { createWorkflow, torcApiAt } from '../../scripts/torc-seed.ts'
import { freePort, type RunningTorc, startTorcServer } from '../../scripts/torc-server.ts'
import { type RunningWorker, startWorker } from '../../scripts/wrangler-dev.ts'

/**
 * Smoke test with the MCP Inspector's CLI (`@modelcontextprotocol/inspector --cli`), a client
 * written by others: it lists and calls tools over Streamable HTTP with a bearer header against
 * the Worker under `wrangler dev`, set up as `npm run dev` sets it up (real torc-server, site
 * server, writes on, one API key, loopback hosts only, OAuth's KV in a temporary folder).
 */
const INSPECTOR = join(
  ROOT,
  'node_modules',
  '@modelcontextprotocol',
  'inspector',
  'clients',
  'launcher',
  'build',
  'index.js'
)
const scratch = mkdtempSync(join(tmpdir(), 'torc-edge-inspector-'))
const key = mintApiKey('dev', 'write').key
let torc: RunningTorc
let site: RunningSite
let worker: RunningWorker
let workflowId: number

beforeAll(async () => {
  installTorc()
  torc = await startTorcServer()
  site = await startSiteServer(mkdtempSync(join(scratch, 'output-')))
  worker = await startWorker({
    port: await freePort(),
    stdio: 'ignore',
    persistTo: join(scratch, 'wrangler-state'),
    vars: {
      TORC_API_URL: torc.apiUrl,
      TORC_EDGE_WRITES: 'true',
      TORC_EDGE_ALLOWED_HOSTS: 'localhost,127.0.0.1,[::1]',
      TORC_EDGE_API_KEYS: keyEntry('dev', 'write', key),
      TORC_OUTPUT_URL: site.url,
      TORC_OUTPUT_TOKEN: site.token,
    },
  })
  workflowId = (
    await createWorkflow(torcApiAt(torc.apiUrl), { name: 'inspected', jobs: [{ name: 'a' }, { name: 'b' }] })
  ).id
}, 180_000)

afterAll(async () => {
  await worker?.stop()
  await site?.stop()
  await torc?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

/** Runs `inspector --cli <url> ...`; its catalog and any stored state go to a temporary HOME. */
function inspector(
  args: string[],
  options: { bearer?: boolean } = {}
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const header = options.bearer === false ? [] : ['--header', `Authorization: Bearer ${key}`]
  const home = join(scratch, 'home')
  const child = spawn(
    process.execPath,
    [INSPECTOR, '--cli', `${worker.url}/mcp`, '--transport', 'http', ...header, ...args],
    {
      cwd: scratch,
      env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json'), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const ToolList = z.object({
  tools: z.array(z.object({ name: z.string(), annotations: z.record(z.string(), z.unknown()).optional() })),
})
const ToolResult = z.object({ isError: z.boolean().optional(), structuredContent: z.record(z.string(), z.unknown()) })

describe('MCP Inspector CLI against wrangler dev', () => {
  it('lists every tool, write tools included, with portable schemas (--strict finds no errors)', async () => {
    const run = await inspector(['--method', 'tools/list', '--strict'])
    expect(run.code, run.stderr).toBe(0)
    const names = ToolList.parse(JSON.parse(run.stdout)).tools.map((t) => t.name)
    expect(names).toEqual(
      expect.arrayContaining(['list_workflows', 'get_workflow_status', 'get_execution_plan', 'recover_workflow'])
    )
  })

  it("calls list_workflows and get_workflow_status and gets Torc's answer", async () => {
    const list = await inspector(['--method', 'tools/call', '--tool-name', 'list_workflows'])
    expect(list.code, list.stderr).toBe(0)
    const listed = ToolResult.parse(JSON.parse(list.stdout))
    expect(JSON.stringify(listed.structuredContent)).toContain('"inspected"')

    const status = await inspector([
      '--method',
      'tools/call',
      '--tool-name',
      'get_workflow_status',
      '--tool-arg',
      `workflow_id=${workflowId}`,
    ])
    expect(status.code, status.stderr).toBe(0)
    expect(ToolResult.parse(JSON.parse(status.stdout)).structuredContent).toMatchObject({
      workflow_id: workflowId,
      name: 'inspected',
      total_jobs: 2,
    })
  })

  it('reports a tool error as one (bad input names the field)', async () => {
    const run = await inspector([
      '--method',
      'tools/call',
      '--tool-name',
      'get_workflow_status',
      '--tool-arg',
      'workflow_id=-4',
    ])
    expect(run.code).not.toBe(0)
    expect(run.stdout + run.stderr).toContain('workflow_id')
  })

  it('without the bearer header it is sent to OAuth (it found the authorization server from the 401)', async () => {
    const run = await inspector(['--method', 'tools/list'], { bearer: false })
    expect(run.code).not.toBe(0)
    expect(run.stdout).not.toContain('list_workflows')
    expect(run.stdout + run.stderr).toMatch(/auth_required|OAuth/)
  })
})
