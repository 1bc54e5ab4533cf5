/**
 * bench/logs: analyse ~1 GB of logs in 20,000 files through the site server on loopback, the way the
 * Worker does (OutputClient.bundle -> readBundle -> LogAnalyzer), and side by side with torc 1.0.0's
 * own analyzer (`torc logs analyze <dir> --workflow-id N`, reading local disk) when it is installed.
 * The site server and the analyzer each run in their own process, so the analyzer's memory is
 * measured alone. Files are generated in a temporary directory and removed afterwards.
 *   node bench/logs.ts [--files 20000] [--mb 1024] [--keep]
 * Targets: >= 100 MB/s, analyzer peak memory < 64 MB, one subrequest.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { z } from 'zod'
import { torcBin } from '../scripts/torc-paths.ts'
import { freePort } from '../scripts/torc-server.ts'
import { analyzeBundle } from '../src/logs/analyze.ts'
import { LogAnalyzer } from '../src/logs/analyzer.ts'
import { OutputClient } from '../src/output/client.ts'
import { createTransport, type Transport } from '../src/transport.ts'

const WF = 42
/**
 * The measured run's V8 flags: a 1 MiB young generation and a 64 MiB heap, close to a Workers isolate
 * (128 MB in all). With Node's defaults V8 defers collection while memory is plentiful, so peaks
 * measure GC laziness; the second, uncapped run shows that (and that throughput barely changes).
 */
const CAPPED = ['--max-semi-space-size=1', '--max-old-space-size=64']
const MiB = 1024 * 1024
const mb = (bytes: number) => (bytes / MiB).toFixed(1)

const Analysis = z.object({
  seconds: z.number(),
  subrequests: z.number(),
  memory: z.object({
    rss: z.number(),
    heap: z.number(),
    peakRss: z.number(),
    peakHeap: z.number(),
    peakBuffers: z.number(),
  }),
  result: z.object({
    files_parsed: z.number(),
    bytes_scanned: z.number(),
    error_count: z.number(),
    warning_count: z.number(),
    truncated: z.boolean(),
  }),
})

/** The analyzer process: one bundle through OutputClient, memory sampled every 5 ms. */
async function analyzeChild(url: string): Promise<void> {
  const token = z.string().min(16).parse(process.env.TORC_EDGE_SITE_TOKEN)
  let subrequests = 0
  const direct = createTransport({ baseUrl: url, bearer: token })
  const counting: Transport = {
    ...direct,
    fetch: (path, init) => {
      subrequests++
      return direct.fetch(path, init)
    },
  }
  const client = new OutputClient(counting, 30_000)
  const start = process.memoryUsage()
  const memory = {
    rss: start.rss,
    heap: start.heapUsed,
    peakRss: start.rss,
    peakHeap: start.heapUsed,
    peakBuffers: start.arrayBuffers,
  }
  const sampler = setInterval(() => {
    const m = process.memoryUsage()
    memory.peakRss = Math.max(memory.peakRss, m.rss)
    memory.peakHeap = Math.max(memory.peakHeap, m.heapUsed)
    memory.peakBuffers = Math.max(memory.peakBuffers, m.arrayBuffers)
  }, 5)
  const t = performance.now()
  const result = await analyzeBundle(await client.bundle(WF, { required: true }), {})
  const seconds = (performance.now() - t) / 1000
  clearInterval(sampler)
  process.stdout.write(JSON.stringify({ seconds, subrequests, memory, result }))
}

/** Realistic job output: mostly progress and INFO lines, with an error every 400 lines. */
function body(variant: number, size: number): Buffer {
  const lines = [
    `[2026-01-01T00:00:0${variant}Z INFO  torc::client::job_runner] Job started workflow_id=${WF} job_id=1 run_id=1`,
    'epoch 12/100 step 4096 loss=0.2345 acc=0.912 lr=0.0001 elapsed=12.3s rss=12.5GB gpu_util=97%',
    'DEBUG processed 4096 records in 12.5 ms, throughput nominal, queue depth 3, retries 0 (room 4)',
    'INFO  writing partial results to scratch storage and syncing the checkpoint manifest file now',
    '  File "/opt/app/pipeline/transform.py", line 418, in apply_block -> result = fn(block, **kw)',
  ]
  const errors = [
    'ERROR: connection refused by db01:5432',
    'python3: line 27: 4242 Killed  python3 train.py',
    'srun: error: task 3: Exited with exit code 1',
  ]
  const parts: string[] = []
  let length = 0
  for (let i = 0; length < size; i++) {
    const line =
      i % 400 === 399
        ? errors[(Math.floor(i / 400) + variant) % errors.length]!
        : lines[(i * 7 + variant) % lines.length]!
    parts.push(line)
    length += line.length + 1
  }
  return Buffer.from(`${parts.join('\n')}\n`).subarray(0, size)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '20000' },
      mb: { type: 'string', default: '1024' },
      keep: { type: 'boolean', default: false },
    },
  })
  const args = z
    .object({ files: z.coerce.number().int().positive(), mb: z.coerce.number().positive(), keep: z.boolean() })
    .parse(values)
  const base = mkdtempSync(join(tmpdir(), 'torc-edge-bench-logs-'))
  const root = join(base, 'torc_output')
  try {
    mkdirSync(join(root, 'job_stdio'), { recursive: true })
    const perFile = Math.floor((args.mb * MiB) / args.files)
    const variants = Array.from({ length: 8 }, (_, v) => body(v, perFile))
    const t0 = performance.now()
    for (let j = 1; j <= args.files; j++) {
      writeFileSync(
        join(root, 'job_stdio', `job_wf${WF}_j${Math.ceil(j / 2)}_r1_a1.${j % 2 ? 'o' : 'e'}`),
        variants[j % 8]!
      )
    }
    // Let the kernel write the files out first, so the runs below do not compete with writeback.
    spawnSync('sync')
    console.log(
      `wrote ${args.files} files, ${mb(perFile * args.files)} MiB in ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s (${root})`
    )

    const token = randomBytes(24).toString('base64url')
    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    const site = spawn(
      process.execPath,
      [join(import.meta.dirname, '..', 'site', 'cli.ts'), '--root', root, '--port', String(port)],
      {
        env: { ...process.env, TORC_EDGE_SITE_TOKEN: token },
        stdio: 'ignore',
      }
    )
    try {
      for (
        let i = 0;
        !(await fetch(`${url}/v1/health`, { headers: { Authorization: `Bearer ${token}` } }).then(
          (r) => r.ok,
          () => false
        ));
        i++
      ) {
        if (i > 100) throw new Error('the site server did not start')
        await new Promise((r) => setTimeout(r, 100))
      }
      const analyze = (flags: string[]) => {
        const child = spawnSync(process.execPath, [...flags, import.meta.filename, '--analyze', url], {
          env: { ...process.env, TORC_EDGE_SITE_TOKEN: token },
          encoding: 'utf8',
        })
        if (child.status !== 0) throw new Error(`the analyzer process failed: ${child.stderr}`)
        return Analysis.parse(JSON.parse(child.stdout))
      }
      report(analyze(CAPPED), analyze([]), variants, args.files, root)
    } finally {
      site.kill('SIGTERM')
    }
  } finally {
    if (!args.keep) rmSync(base, { recursive: true, force: true })
  }
}

function describe(label: string, run: z.output<typeof Analysis>): void {
  const total = run.result.bytes_scanned
  const m = run.memory
  console.log(
    `${label}: ${run.seconds.toFixed(2)} s = ${(total / MiB / run.seconds).toFixed(0)} ` +
      `MiB/s, subrequests: ${run.subrequests}`
  )
  console.log(
    `  analyzer process: peak RSS ${mb(m.peakRss)} MiB, ${mb(m.peakRss - m.rss)} ` +
      `MiB above its ${mb(m.rss)} MiB at start (Node + modules)`
  )
  console.log(
    `  heap: peak used ${mb(m.peakHeap)} MiB (${mb(m.peakHeap - m.heap)} ` +
      `above start); peak ArrayBuffers ${mb(m.peakBuffers)} MiB`
  )
}

function report(
  capped: z.output<typeof Analysis>,
  uncapped: z.output<typeof Analysis>,
  variants: Buffer[],
  files: number,
  root: string
): void {
  const run = capped
  const edge = run.result
  const total = edge.bytes_scanned
  console.log(
    `files ${edge.files_parsed}, ${mb(total)} MiB, ${edge.error_count} ` +
      `errors, ${edge.warning_count} warnings, truncated ${edge.truncated}`
  )
  describe(`torc-edge (site server on loopback + streaming analyzer, V8 ${CAPPED.join(' ')})`, capped)
  describe("torc-edge again, Node's default V8 heap settings", uncapped)

  // The analyzer alone, on the same bytes from memory: what the Worker's CPU pays, without the network.
  const alone = new LogAnalyzer()
  const t = performance.now()
  for (let j = 1; j <= files; j++) {
    alone.beginFile(`f${j}`)
    const bytes = variants[j % 8]!
    for (let at = 0; at < bytes.length; at += 65536) alone.write(bytes.subarray(at, at + 65536))
    alone.endFile()
  }
  const aloneSeconds = (performance.now() - t) / 1000
  console.log(
    `analyzer alone, from memory: ${aloneSeconds.toFixed(2)} s = ${(total / MiB / aloneSeconds).toFixed(0)} MiB/s`
  )

  if (!existsSync(torcBin('torc'))) {
    console.log('rust: torc binary not installed (node scripts/torc-install.ts)')
    return
  }
  const t3 = performance.now()
  const rust = spawnSync(torcBin('torc'), ['logs', 'analyze', root, '--workflow-id', String(WF)], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  })
  const seconds = (performance.now() - t3) / 1000
  if (rust.status !== 0) {
    console.log(`rust: torc exited ${rust.status}: ${rust.stderr.slice(0, 200)}`)
    return
  }
  const num = (re: RegExp) => Number(re.exec(rust.stdout)?.[1] ?? 0)
  const r = { errors: num(/Errors: (\d+)/), warnings: num(/Warnings: (\d+)/), files: num(/Files parsed: (\d+)/) }
  console.log(
    `rust \`torc logs analyze\` (1.0.0, local disk): ${seconds.toFixed(2)} s = ` +
      `${(total / MiB / seconds).toFixed(0)} MiB/s; ${r.files} files, ${r.errors} errors, ${r.warnings} warnings`
  )
  console.log(`throughput ratio torc-edge / rust: ${(seconds / run.seconds).toFixed(2)}x`)
  const same = r.errors === edge.error_count && r.warnings === edge.warning_count && r.files === edge.files_parsed
  console.log(`findings agree with rust: ${same ? 'yes' : 'NO'}`)
}

const analyzeAt = process.argv.indexOf('--analyze')
if (analyzeAt > 0)
  await analyzeChild(
    z
      .string()
      .url()
      .parse(process.argv[analyzeAt + 1])
  )
else await main()
