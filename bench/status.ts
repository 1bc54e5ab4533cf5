/**
 * bench/status: get_workflow_status and list_results on 1,000 / 10,000 / 100,000-job workflows,
 * side by side in one run on the same torc-server:
 *   edge  — torc-edge under `wrangler dev` (workerd), called over MCP (Streamable HTTP)
 *   rust  — the Rust torc-mcp-server 1.0.0 over stdio (its list_results shells out to `torc`)
 *   rest  — the bare Torc REST calls the edge tool makes, from this process
 * Prints the median of N calls per cell and the ratios. Usage: node bench/status.ts [--sizes 1000,10000] [--n 15]
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { mintApiKey } from '../scripts/api-key.ts'
import { installTorc } from '../scripts/torc-install.ts'
import { TORC_ROOT, torcBin } from '../scripts/torc-paths.ts'
import { createWorkflow, drive, torcApiAt } from '../scripts/torc-seed.ts'
import { freePort, startTorcServer } from '../scripts/torc-server.ts'
import { startWorker } from '../scripts/wrangler-dev.ts'
import { arg, median, statusCases } from './status-cases.ts'

const sizes = arg('sizes', '1000,10000,100000').split(',').map(Number)
const N = Number(arg('n', '15'))

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args })
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content).slice(0, 300)}`)
  return result
}

/** The same tool through torc-edge's REST face. */
async function postTool(name: string, args: Record<string, unknown>) {
  const res = await fetch(`${worker.url}/v1/tools/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key.key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  })
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`)
  return res.json()
}

installTorc()
const torc = await startTorcServer({ threads: 2 })
const api = torcApiAt(torc.apiUrl)
const key = mintApiKey('bench', 'read')
const worker = await startWorker({
  port: await freePort(),
  vars: { TORC_API_URL: torc.apiUrl, TORC_EDGE_API_KEYS: key.entry },
  stdio: 'pipe',
})
// The tool's own time, as the Worker logs it (duration_ms of its tool_call line): what a deployed
// Worker spends, without the local wrangler dev hop and its log relay.
const inWorker: number[] = []
let pending = ''
worker.process.stdout?.on('data', (chunk: Buffer) => {
  pending += chunk.toString()
  for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
    const line = pending.slice(0, i)
    pending = pending.slice(i + 1)
    const ms = /"event":"tool_call".*"duration_ms":(\d+)/.exec(line)?.[1]
    if (ms) inWorker.push(Number(ms))
  }
})
const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN
const edge = new Client({ name: 'bench', version: '1' })
await edge.connect(
  new StreamableHTTPClientTransport(new URL(`${worker.url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${key.key}` } },
  })
)
const rust = new Client({ name: 'bench', version: '1' })
await rust.connect(
  new StdioClientTransport({
    command: torcBin('torc-mcp-server'),
    // The env var, not --api-url: the `torc` CLI it shells out to reads only the environment.
    env: { ...process.env, TORC_API_URL: torc.apiUrl, PATH: `${TORC_ROOT}/bin:${process.env.PATH}` } as Record<
      string,
      string
    >,
    stderr: 'ignore',
  })
)

// What one request through `wrangler dev` costs before any torc-edge code runs (a 404 route).
const hopMs = await median(() => fetch(`${worker.url}/no-such-route`).then((r) => r.text()), N)
const rows: string[][] = [
  [
    'jobs',
    'tool',
    'edge mcp ms',
    'edge rest ms',
    'rust ms',
    'torc rest ms',
    'rust/edge',
    'edge/rest',
    '(edge-hop)/rest',
    'in-worker ms',
    'in-worker/rest',
  ],
]
try {
  for (const size of sizes) {
    const t = performance.now()
    const wf = await createWorkflow(api, {
      name: `bench-${size}`,
      resources: { r: { num_cpus: 1, memory: '1g', runtime: 'PT10M' } },
      jobs: Array.from({ length: size }, (_, i) => ({ name: `j${i}`, resources: 'r' })),
    })
    await drive(
      api,
      wf,
      (name) => ({
        status: name.endsWith('7') ? 'failed' : 'completed',
        return_code: name.endsWith('7') ? 1 : 0,
        exec_time_minutes: (Number(name.slice(1)) % 13) + 0.5,
        peak_memory_bytes: Number(name.slice(1)) * 1024,
      }),
      { start: false }
    )
    console.error(`seeded ${size} jobs in ${((performance.now() - t) / 1000).toFixed(1)} s`)

    const cases = statusCases(api, wf.id)
    for (const c of cases) {
      inWorker.length = 0
      const edgeMs = await median(() => call(edge, c.tool, c.args), N)
      await new Promise((resolve) => setTimeout(resolve, 200))
      const workerMs = medianOf(inWorker)
      const edgeRestMs = await median(() => postTool(c.tool, c.args), N)
      const rustMs = await median(() => call(rust, c.tool, c.args), N)
      const restMs = await median(c.bare, N)
      rows.push([
        size.toLocaleString('en'),
        c.tool,
        edgeMs.toFixed(1),
        edgeRestMs.toFixed(1),
        rustMs.toFixed(1),
        restMs.toFixed(1),
        `${(rustMs / edgeMs).toFixed(2)}x`,
        `${(edgeMs / restMs).toFixed(2)}x`,
        `${((edgeMs - hopMs) / restMs).toFixed(2)}x`,
        String(workerMs),
        `${(workerMs / restMs).toFixed(2)}x`,
      ])
    }
  }
} finally {
  await edge.close()
  await rust.close()
  await worker.stop()
  await torc.stop()
}

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '))
console.log(`\nlocal wrangler dev hop (404 route, no torc-edge work): ${hopMs.toFixed(1)} ms per request`)
console.log(
  `median of ${N} calls; rust/edge (MCP vs MCP) > 1 means torc-edge is faster; edge/rest = edge MCP over the bare Torc REST calls; ` +
    '(edge-hop)/rest leaves out the local wrangler dev proxy hop, which a deployed Worker does not pay'
)
