import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSiteServer, type RunningSite } from '../../scripts/site-server.ts'
import { LogAnalyzer, MAX_LINE } from '../../src/logs/analyzer.ts'
import { readBundle } from '../../src/logs/bundle.ts'
import { OutputClient } from '../../src/output/client.ts'
import { createTransport } from '../../src/torc/transport.ts'

const WF = 7
let root: string
let outside: string
let site: RunningSite
let client: OutputClient

const get = (path: string, token = site.token, headers: Record<string, string> = {}) =>
  fetch(`${site.url}${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } })

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'torc-edge-site-'))
  root = join(base, 'output')
  outside = join(base, 'secret.txt')
  mkdirSync(join(root, 'job_stdio'), { recursive: true })
  writeFileSync(outside, 'TOP SECRET\n')
  symlinkSync(outside, join(root, 'job_stdio', `job_wf${WF}_j999_r1_a1.e`))
  symlinkSync(base, join(root, 'escape'))
  writeFileSync(join(root, `job_runner_h_wf${WF}_r1.log`), 'Job completed status=failed\r\n')
  writeFileSync(join(root, `job_stdio/job_wf${WF}_j1_r1_a1.e`), Buffer.concat([Buffer.from('bad bytes: '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\nout of memory\n')]))
  writeFileSync(join(root, `job_stdio/job_wf${WF}_j2_r1_a1.o`), '')
  writeFileSync(join(root, `job_stdio/job_wf${WF}_j3_r1_a1.e`), `${'x'.repeat(MAX_LINE + 5000)} Segmentation fault\ntimed out waiting\n`)
  writeFileSync(join(root, `job_stdio/job_wf${WF}0_j1_r1_a1.e`), 'permission denied\n')
  writeFileSync(join(root, `slurm_env_wf${WF}_sl1_n0_pid1.log`), 'OUT_OF_MEMORY\n')
  writeFileSync(join(root, `resource_metrics_wf${WF}.db`), 'binary')
  site = await startSiteServer(root)
  client = new OutputClient(createTransport({ baseUrl: site.url, bearer: site.token }), 10_000)
})

afterAll(async () => {
  await site.stop()
  rmSync(join(root, '..'), { recursive: true, force: true })
})

describe('site server security', () => {
  it('refuses missing and wrong tokens', async () => {
    expect((await fetch(`${site.url}/v1/workflows/${WF}/files`)).status).toBe(401)
    expect((await get(`/v1/workflows/${WF}/files`, 'x'.repeat(32))).status).toBe(401)
  })

  it('refuses every traversal in the corpus and never serves outside the root', async () => {
    const corpus = [
      '../secret.txt',
      'job_stdio/../../secret.txt',
      '%2e%2e/secret.txt',
      '%252e%252e%252fsecret.txt',
      '..%2fsecret.txt',
      outside,
      '/etc/passwd',
      'job_stdio\\..\\..\\secret.txt',
      `job_runner_h_wf${WF}_r1.log%00.txt`,
      'escape/secret.txt',
      `job_stdio/job_wf${WF}_j999_r1_a1.e`,
    ]
    for (const path of corpus) {
      const res = await get(`/v1/files?path=${encodeURIComponent(decodeURIComponent(path.replace(/%25/g, '%2525')))}`)
      expect([400, 404], path).toContain(res.status)
      expect(await res.text()).not.toContain('TOP SECRET')
      const raw = await get(`/v1/files?path=${path}`)
      expect([400, 404], `raw ${path}`).toContain(raw.status)
      expect(await raw.text()).not.toContain('TOP SECRET')
    }
  })

  it('matches workflows exactly and lists only log files', async () => {
    const listing = await client.listFiles(WF)
    expect(listing?.files.map((f) => f.path)).toEqual([
      `job_runner_h_wf${WF}_r1.log`,
      `job_stdio/job_wf${WF}_j1_r1_a1.e`,
      `job_stdio/job_wf${WF}_j2_r1_a1.o`,
      `job_stdio/job_wf${WF}_j3_r1_a1.e`,
    ])
    expect(await client.listFiles(12345)).toBeUndefined()
  })
})

describe('range reads', () => {
  it('serves suffix and explicit ranges and rejects impossible ones', async () => {
    const path = `job_runner_h_wf${WF}_r1.log`
    const tail = await client.tail(path, 8)
    expect(tail).toEqual({ text: 'failed\r\n', size: 29, start: 21 })
    const res = await get(`/v1/files?path=${path}`, site.token, { Range: 'bytes=0-2' })
    expect(res.status).toBe(206)
    expect(await res.text()).toBe('Job')
    expect((await get(`/v1/files?path=${path}`, site.token, { Range: 'bytes=500-' })).status).toBe(416)
  })
})

describe('the bundle and the streaming analyzer', () => {
  it('scans invalid UTF-8, CRLF, an empty file and a line longer than 1 MiB in one request', async () => {
    const analyzer = new LogAnalyzer()
    const trailer = await readBundle((await client.bundle(WF))!, analyzer)
    expect(trailer).toMatchObject({ end: true, files: 4, truncated: false })
    const r = analyzer.result()
    expect(r.files_parsed).toBe(4)
    expect(r.files_with_invalid_utf8).toBe(1)
    expect(r.overlong_lines).toBe(1)
    expect(r.errors_by_type).toEqual([
      { type: 'OOM Killed', count: 1 },
      { type: 'Timeout', count: 1 },
    ])
    expect(r.warning_count).toBe(1)
    expect(r.sample_errors.find((s) => s.type === 'Timeout')).toMatchObject({ line: 2, content: 'timed out waiting' })
  })

  it('parses frames split at every chunk boundary', async () => {
    const whole = new Uint8Array(await new Response((await client.bundle(WF))!).arrayBuffer())
    for (const size of [1, 7, 4096]) {
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          for (let i = 0; i < whole.length; i += size) c.enqueue(whole.subarray(i, i + size))
          c.close()
        },
      })
      const analyzer = new LogAnalyzer()
      await readBundle(stream, analyzer)
      expect(analyzer.result().error_count).toBe(2)
    }
  })

  it('keeps framing exact while a file is appended to during the read', async () => {
    const path = join(root, `job_stdio/job_wf${WF}_j4_r1_a1.o`)
    writeFileSync(path, 'first line\n'.repeat(200_000))
    const stream = (await client.bundle(WF))!
    const handle = await open(path, 'a')
    const appending = (async () => {
      for (let i = 0; i < 50; i++) await handle.appendFile('killed by signal\n')
    })()
    const analyzer = new LogAnalyzer()
    const trailer = await readBundle(stream, analyzer)
    await appending
    await handle.close()
    expect(trailer.files).toBe(5)
    appendFileSync(path, '')
  })
})

describe('at scale', () => {
  it('analyses 20,000 files and a 120 MB file through one bundle request', { timeout: 120_000 }, async () => {
    const big = 99
    const dir = join(root, 'job_stdio')
    for (let j = 1; j <= 20_000; j++) writeFileSync(join(dir, `job_wf${big}_j${j}_r1_a1.o`), j % 1000 === 0 ? 'ok\nfile not found: input.h5\n' : 'ok\n')
    const line = 'INFO step completed without problems, continuing with the next block of work\n'
    const chunk = line.repeat(Math.ceil((1024 * 1024) / line.length))
    const bigFile = join(root, `job_runner_h_wf${big}_r1.log`)
    writeFileSync(bigFile, '')
    for (let i = 0; i < 120; i++) appendFileSync(bigFile, chunk)
    appendFileSync(bigFile, 'slurmstepd: error: Detected 1 oom-kill event\n')
    const analyzer = new LogAnalyzer()
    const trailer = await readBundle((await client.bundle(big))!, analyzer)
    const r = analyzer.result()
    expect(trailer.files).toBe(20_001)
    expect(r.files_parsed).toBe(20_001)
    expect(r.bytes_scanned).toBeGreaterThan(120 * 1024 * 1024)
    expect(r.errors_by_type).toEqual([
      { type: 'File Not Found', count: 20 },
      { type: 'Slurm Error', count: 1 },
    ])
  })
})
