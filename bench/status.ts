/**
 * bench/status: get_workflow_status and list_results on 1,000 / 10,000 / 100,000-job workflows,
 * side by side in one run on the same torc-server:
 *   edge  — torc-edge's deploy bundle in plain workerd (bench/workerd.ts), over MCP and REST
 *   rust  — the Rust torc-mcp-server 1.0.0 over stdio (its list_results shells out to `torc`)
 *   torc  — the bare Torc REST calls the edge tool makes, from this process and from inside workerd
 *   bare worker — a minimal Worker in the same runtime that makes those calls and answers their
 *           bodies, requested from this process: what the runtime costs any Worker (the hop)
 * Medians of N calls per cell (means for workerd's whole-millisecond clock). Usage:
 * node bench/status.ts [--sizes 1000,10000] [--n 15]
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { mintApiKey } from '../scripts/api-key.ts'
import { installTorc } from '../scripts/torc-install.ts'
import { TORC_ROOT, torcBin } from '../scripts/torc-paths.ts'
import { createWorkflow, drive, torcApiAt } from '../scripts/torc-seed.ts'
import { startTorcServer } from '../scripts/torc-server.ts'
import { arg, median, middle, statusCases } from './status-cases.ts'
import { startBareInWorkerd, startEdgeInWorkerd } from './workerd.ts'

const sizes = arg('sizes', '1000,10000,100000').split(',').map(Number)
const N = Number(arg('n', '15'))

async function call(client: Client, name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args })
  if (result.isError) throw new Error(`${name}: ${JSON.stringify(result.content).slice(0, 300)}`)
  return result
}

/**
 * The same tool over MCP as one HTTP request, the way any 2025-era client sends a call (what the
 * SDK client does besides, such as checking the answer against the tool's output schema, is the
 * client's own time): the edge's share of an MCP call.
 */
async function mcpPost(name: string, args: Record<string, unknown>) {
  const res = await fetch(`${edgeWorker.url}/mcp`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${key.key}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }),
  })
  const answer = (await res.json()) as { result?: { isError?: boolean } }
  if (!res.ok || !answer.result || answer.result.isError)
    throw new Error(`${name}: ${JSON.stringify(answer).slice(0, 300)}`)
  return answer
}

/** The same tool through torc-edge's REST face. */
async function postTool(name: string, args: Record<string, unknown>) {
  const res = await fetch(`${edgeWorker.url}/v1/tools/${name}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key.key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  })
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`)
  return res.json()
}

const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length

async function timed(body: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await body()
  return performance.now() - started
}

/**
 * `n` rounds of every run in turn (after one warm-up round), each round starting one run later, so
 * no run always goes first (the first call of a round pays for the pause before it): each run's samples.
 */
async function interleaved<K extends string>(runs: Record<K, () => Promise<number>>, n: number) {
  const entries = Object.entries(runs) as [K, () => Promise<number>][]
  const samples = Object.fromEntries(entries.map(([k]) => [k, [] as number[]])) as Record<K, number[]>
  for (let round = 0; round <= n; round++) {
    for (let i = 0; i < entries.length; i++) {
      const [name, run] = entries[(round + i) % entries.length]!
      const ms = await run()
      if (round > 0) samples[name].push(ms)
    }
  }
  return samples
}

installTorc()
const torc = await startTorcServer({ threads: 2 })
const api = torcApiAt(torc.apiUrl)
const key = mintApiKey('bench', 'read')
const edgeWorker = await startEdgeInWorkerd({ TORC_API_URL: torc.apiUrl, TORC_EDGE_API_KEYS: key.entry })
const bare = await startBareInWorkerd(torc.apiUrl)
const edge = new Client({ name: 'bench', version: '1' })
await edge.connect(
  new StreamableHTTPClientTransport(new URL(`${edgeWorker.url}/mcp`), {
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

// What one request to workerd costs before any tool runs (a 404 route: config, guard, not found).
const hopMs = await median(() => fetch(`${edgeWorker.url}/no-such-route`).then((r) => r.text()), N)
const rows: string[][] = [
  [
    'jobs',
    'tool',
    'torc rest ms',
    'edge rest ms',
    'edge mcp http|sdk ms',
    'rust mcp ms',
    'bare worker ms',
    'rust/edge',
    '(edge-hop)/torc rest|mcp',
    'in-worker mcp|rest ms',
    'bare in workerd ms',
    'in-worker/bare mcp|rest',
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

    for (const c of statusCases(api, wf.id)) {
      // Interleaved rounds, so drift on a busy machine falls on every column alike.
      const samples = await interleaved(
        {
          edgeMcp: () => timed(() => call(edge, c.tool, c.args)),
          edgeMcpHttp: () => timed(() => mcpPost(c.tool, c.args)),
          edgeRest: () => timed(() => postTool(c.tool, c.args)),
          rust: () => timed(() => call(rust, c.tool, c.args)),
          torc: () => timed(c.bare),
          bare: async () => (await bare.time(c.paths, 1))[0]!,
          bareWorker: () => timed(() => bare.answer(c.paths)),
        },
        N
      )
      await new Promise((resolve) => setTimeout(resolve, 200)) // the last log line arrives after its answer
      const [edgeMs, edgeHttpMs, edgeRestMs, rustMs, restMs, bareWorkerMs] = [
        middle(samples.edgeMcp),
        middle(samples.edgeMcpHttp),
        middle(samples.edgeRest),
        middle(samples.rust),
        middle(samples.torc),
        middle(samples.bareWorker),
      ]
      // The hop: what a Worker doing nothing but these calls adds to them. Less it, the edge's request
      // is the Torc calls plus the edge's own work.
      const withoutHop = (ms: number) => `${(1 + (ms - bareWorkerMs) / restMs).toFixed(2)}x`
      // The tool's own time inside workerd, each face's warm-up call left out.
      const workerMcpMs = mean(edgeWorker.toolMs.mcp.splice(0).slice(1))
      const workerRestMs = mean(edgeWorker.toolMs.rest.splice(0).slice(1))
      const bareMs = mean(samples.bare)
      rows.push([
        size.toLocaleString('en'),
        c.tool,
        restMs.toFixed(1),
        edgeRestMs.toFixed(1),
        `${edgeHttpMs.toFixed(1)}|${edgeMs.toFixed(1)}`,
        rustMs.toFixed(1),
        bareWorkerMs.toFixed(1),
        `${(rustMs / edgeMs).toFixed(2)}x`,
        `${withoutHop(edgeRestMs)}|${withoutHop(edgeHttpMs)}`,
        `${workerMcpMs.toFixed(1)}|${workerRestMs.toFixed(1)}`,
        bareMs.toFixed(1),
        `${(workerMcpMs / bareMs).toFixed(2)}x|${(workerRestMs / bareMs).toFixed(2)}x`,
      ])
    }
  }
} finally {
  await edge.close()
  await rust.close()
  await bare.stop()
  await edgeWorker.stop()
  await torc.stop()
}

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '))
console.log(`\nworkerd round trip before any tool runs (404 route): ${hopMs.toFixed(1)} ms per request`)
console.log(
  `median of ${N} calls (in-worker and bare in workerd: means, workerd's clock counts whole ms). ` +
    'rust/edge > 1: torc-edge is faster (MCP vs MCP, both through the SDK client). (edge-hop)/torc: the edge ' +
    'request (REST, MCP over http) less the hop (bare worker - torc rest), over the bare calls from this process: ' +
    'the target is <= 1.2x. in-worker/bare: ' +
    'the tool call inside workerd (invoke(): validation, handler, its Torc calls) over the same Torc calls made ' +
    'bare from workerd.'
)
