/**
 * bench/overhead: what torc-edge itself adds to a tool call, measured in-process (no wrangler hop):
 * the app's REST and MCP faces called with app.fetch() next to the bare Torc REST calls the tool
 * makes, on one real torc-server. Prints medians and ratios. Usage: node bench/overhead.ts [--jobs 1000,10000] [--n 40]
 */
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { mintApiKey } from '../scripts/api-key.ts'
import { installTorc } from '../scripts/torc-install.ts'
import { createWorkflow, drive, torcApiAt } from '../scripts/torc-seed.ts'
import { startTorcServer } from '../scripts/torc-server.ts'
import { createApp } from '../src/app.ts'

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}
const sizes = arg('jobs', '1000,10000').split(',').map(Number)
const N = Number(arg('n', '40'))

async function median(fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 3; i++) await fn()
  const times: number[] = []
  for (let i = 0; i < N; i++) {
    const t = performance.now()
    await fn()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}

installTorc()
const torc = await startTorcServer({ threads: 2 })
const api = torcApiAt(torc.apiUrl)
const key = mintApiKey('bench', 'read')
const env = { TORC_API_URL: torc.apiUrl, TORC_EDGE_API_KEYS: key.entry }
const app = createApp()
const appFetch = (input: RequestInfo | URL, init?: RequestInit) =>
  Promise.resolve(app.fetch(new Request(input, init), env))
const mcp = new Client({ name: 'bench', version: '1' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } })
await mcp.connect(
  new StreamableHTTPClientTransport(new URL('http://localhost/mcp'), {
    fetch: appFetch,
    requestInit: { headers: { Authorization: `Bearer ${key.key}` } },
  })
)
const rest = (tool: string, args: unknown) =>
  appFetch(`http://localhost/v1/tools/${tool}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key.key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(args),
  }).then((r) => r.json())

const rows = [['jobs', 'tool', 'torc rest ms', 'edge rest ms', 'edge mcp ms', 'rest/torc', 'mcp/torc']]
try {
  for (const size of sizes) {
    const wf = await createWorkflow(api, {
      name: `overhead-${size}`,
      resources: { r: { num_cpus: 1, memory: '1g', runtime: 'PT10M' } },
      jobs: Array.from({ length: size }, (_, i) => ({ name: `j${i}`, resources: 'r' })),
    })
    await drive(
      api,
      wf,
      (name) => ({ status: 'completed', return_code: 0, exec_time_minutes: (Number(name.slice(1)) % 13) + 0.5 }),
      {
        start: false,
      }
    )
    const cases = [
      {
        tool: 'get_workflow_status',
        args: { workflow_id: wf.id },
        torc: () =>
          Promise.all([
            api('GET', `/workflows/${wf.id}`),
            api('GET', `/workflows/${wf.id}/status`),
            api('GET', `/scheduled_compute_nodes?workflow_id=${wf.id}&offset=0&limit=10000`),
          ]),
      },
      {
        tool: 'list_results',
        args: { workflow_id: wf.id, limit: 100, sort_by: 'exec_time_minutes', reverse_sort: true },
        torc: () =>
          api('GET', `/results?workflow_id=${wf.id}&offset=0&limit=100&sort_by=exec_time_minutes&reverse_sort=true`),
      },
    ]
    for (const c of cases) {
      const torcMs = await median(c.torc)
      const restMs = await median(() => rest(c.tool, c.args))
      const mcpMs = await median(() => mcp.callTool({ name: c.tool, arguments: c.args }))
      rows.push([
        size.toLocaleString('en'),
        c.tool,
        torcMs.toFixed(2),
        restMs.toFixed(2),
        mcpMs.toFixed(2),
        `${(restMs / torcMs).toFixed(2)}x`,
        `${(mcpMs / torcMs).toFixed(2)}x`,
      ])
    }
  }
} finally {
  await mcp.close()
  await torc.stop()
}
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
for (const row of rows) console.log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '))
console.log(
  `\nmedian of ${N} calls, in-process (Node ${process.version}); the target is <= 1.2x of the bare Torc calls`
)
