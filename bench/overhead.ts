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
import { arg, median, statusCases } from './status-cases.ts'

const sizes = arg('jobs', '1000,10000').split(',').map(Number)
const N = Number(arg('n', '40'))

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
    const cases = statusCases(api, wf.id)
    for (const c of cases) {
      const torcMs = await median(c.bare, N, 3)
      const restMs = await median(() => rest(c.tool, c.args), N, 3)
      const mcpMs = await median(() => mcp.callTool({ name: c.tool, arguments: c.args }), N, 3)
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
