/**
 * bench/logs: analyse ~1 GB of logs in 20,000 files through the site server on loopback, side by
 * side with the Rust analyzer (`torc logs analyze <dir> --workflow-id N`, reading local disk).
 * Prints throughput, the analyzer's peak memory, subrequests used, and the ratio.
 * Usage: node bench/logs.ts [--files 20000] [--mb 1024]
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../scripts/torc-server.ts'
import { installTorc } from '../scripts/torc-install.ts'
import { ROOT, torcBin } from '../scripts/torc-paths.ts'
import { LogAnalyzer } from '../src/logs/analyzer.ts'
import { readBundle } from '../src/logs/bundle.ts'
import { OutputClient } from '../src/output/client.ts'
import { createTransport, type Transport } from '../src/torc/transport.ts'

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}
const FILES = arg('files', 20_000)
const TOTAL = arg('mb', 1024) * 1024 * 1024
const WF = 42

const root = join(mkdtempSync(join(tmpdir(), 'torc-edge-bench-logs-')), 'output')
mkdirSync(join(root, 'job_stdio'), { recursive: true })
const lines = [
  'INFO  loading input block and checking the schema of every column before the transform step',
  'DEBUG processed 4096 records in 12.5 ms, throughput nominal, queue depth 3, retries 0',
  'INFO  writing partial results to scratch storage and syncing the checkpoint manifest file',
]
const body = (() => {
  const perFile = Math.floor(TOTAL / FILES)
  let text = ''
  for (let i = 0; text.length < perFile; i++) text += `${lines[i % lines.length]}\n`
  return text.slice(0, perFile - 1) + '\n'
})()
const tails = ['ERROR: connection refused by db01\n', 'slurmstepd: error: Detected 1 oom-kill event\n', 'python3: Killed\n', '']
console.error(`writing ${FILES} files, ${(TOTAL / 1024 ** 2).toFixed(0)} MB…`)
for (let j = 1; j <= FILES; j++) writeFileSync(join(root, 'job_stdio', `job_wf${WF}_j${j}_r1_a1.e`), body + tails[j % 4])

installTorc()
// The site server in its own process, as on the cluster (`node site/cli.ts`).
const token = randomBytes(24).toString('base64url')
const port = await freePort()
const siteProcess = spawn(process.execPath, [join(ROOT, 'site', 'cli.ts'), '--root', root, '--port', String(port)], {
  env: { ...process.env, TORC_EDGE_SITE_TOKEN: token },
  stdio: 'ignore',
})
const site = { url: `http://127.0.0.1:${port}`, token, stop: async () => void siteProcess.kill() }
for (let i = 0; i < 100; i++) {
  const ok = await fetch(`${site.url}/`).then(() => true, () => false)
  if (ok) break
  await new Promise((resolve) => setTimeout(resolve, 100))
}
let subrequests = 0
const base = createTransport({ baseUrl: site.url, bearer: site.token })
const counting: Transport = { ...base, fetch: (p, init) => (subrequests++, base.fetch(p, init)) }
const client = new OutputClient(counting, 30_000)

let peakRss = 0
let peakHeap = 0
let peakBuffers = 0
const heapBefore = process.memoryUsage().heapUsed
const sampler = setInterval(() => {
  const m = process.memoryUsage()
  peakRss = Math.max(peakRss, m.rss)
  peakHeap = Math.max(peakHeap, m.heapUsed - heapBefore)
  peakBuffers = Math.max(peakBuffers, m.arrayBuffers)
}, 20)
const t0 = performance.now()
const analyzer = new LogAnalyzer()
const trailer = await readBundle((await client.bundle(WF))!, analyzer)
const edgeMs = performance.now() - t0
clearInterval(sampler)
const result = analyzer.result()
await site.stop()

const t1 = performance.now()
const rust = spawnSync(torcBin('torc'), ['logs', 'analyze', root, '--workflow-id', String(WF)], { encoding: 'utf8', maxBuffer: 1 << 28 })
const rustMs = performance.now() - t1
rmSync(join(root, '..'), { recursive: true, force: true })

const mb = result.bytes_scanned / 1024 ** 2
console.log(`files ${trailer.files}, ${mb.toFixed(0)} MB, ${result.error_count} errors, ${result.warning_count} warnings`)
console.log(`torc-edge (site server on loopback + streaming analyzer): ${(edgeMs / 1000).toFixed(2)} s, ${(mb / (edgeMs / 1000)).toFixed(0)} MB/s`)
console.log(`  subrequests: ${subrequests}   peak heap growth: ${(peakHeap / 1024 ** 2).toFixed(1)} MB   peak array buffers: ${(peakBuffers / 1024 ** 2).toFixed(1)} MB   peak RSS (analyzer process): ${(peakRss / 1024 ** 2).toFixed(0)} MB`)
console.log(`rust \`torc logs analyze\` (local disk): ${(rustMs / 1000).toFixed(2)} s, exit ${rust.status}${rust.status ? `: ${rust.stderr.slice(0, 200)}` : ''}`)
console.log(`ratio rust/edge: ${(rustMs / edgeMs).toFixed(2)}x (>1 means torc-edge is faster)`)
