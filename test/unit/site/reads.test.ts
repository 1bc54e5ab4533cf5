import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ToolError } from '../../../src/errors.ts'
import { analyzeBundle } from '../../../src/logs/analyze.ts'
import { MAX_LINE } from '../../../src/logs/lines.ts'
import { type FileFilter, OutputClient } from '../../../src/output/client.ts'
import { createTransport, type Transport } from '../../../src/transport.ts'
import { startTestSite, type TestSite } from './helpers.ts'

/** The site server read the way the Worker reads it: through OutputClient, as streams. */
const WF = 7
let base: string
let root: string
let site: TestSite
let client: OutputClient

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'torc-edge-site-reads-'))
  root = join(base, 'torc_output')
  mkdirSync(join(root, 'job_stdio'), { recursive: true })
  writeFileSync(join(root, `job_runner_h_wf${WF}_r1.log`), 'Job completed status=failed\r\n')
  writeFileSync(
    join(root, `job_stdio/job_wf${WF}_j1_r1_a1.e`),
    Buffer.concat([Buffer.from('bad bytes: '), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\nout of memory\n')])
  )
  writeFileSync(join(root, `job_stdio/job_wf${WF}_j2_r1_a1.o`), '')
  writeFileSync(
    join(root, `job_stdio/job_wf${WF}_j3_r2_a1.e`),
    `${'x'.repeat(MAX_LINE + 5000)} Segmentation fault\ntimed out waiting\n`
  )
  writeFileSync(join(root, `job_stdio/job_wf${WF}0_j1_r1_a1.e`), 'permission denied\n')
  writeFileSync(join(root, `slurm_env_wf${WF}_sl1_n0_pid1.log`), 'OUT_OF_MEMORY\n')
  site = await startTestSite(root)
  client = new OutputClient(createTransport({ baseUrl: site.url, bearer: site.token }), 10_000)
})

afterAll(async () => {
  await site.stop()
  rmSync(base, { recursive: true, force: true })
})

describe('listing and stat', () => {
  it("lists exactly this workflow's logs, in natural order, with what Torc encoded in the names", async () => {
    const listing = await client.listFiles(WF, { required: true })
    expect(listing.files.map((f) => [f.path, f.kind, f.job_id ?? null, f.run_id ?? null])).toEqual([
      [`job_runner_h_wf${WF}_r1.log`, 'job_runner', null, 1],
      [`job_stdio/job_wf${WF}_j1_r1_a1.e`, 'job_stderr', 1, 1],
      [`job_stdio/job_wf${WF}_j2_r1_a1.o`, 'job_stdout', 2, 1],
      [`job_stdio/job_wf${WF}_j3_r2_a1.e`, 'job_stderr', 3, 2],
    ])
    expect(listing).toMatchObject({ total: 4, truncated: false })
    const all = await client.listFiles(WF, { all: true, required: true })
    expect(all.files.map((f) => f.kind)).toContain('slurm_env')
  })

  it('narrows a listing by job, run and kind, and names a bad filter', async () => {
    const paths = async (filter: FileFilter) => (await client.listFiles(WF, { filter }))?.files.map((f) => f.path)
    expect(await paths({ job_ids: [1, 3] })).toEqual([
      `job_stdio/job_wf${WF}_j1_r1_a1.e`,
      `job_stdio/job_wf${WF}_j3_r2_a1.e`,
    ])
    expect(await paths({ run_id: 2 })).toEqual([`job_stdio/job_wf${WF}_j3_r2_a1.e`])
    expect(await paths({ kinds: ['job_runner', 'job_stdout'] })).toEqual([
      `job_runner_h_wf${WF}_r1.log`,
      `job_stdio/job_wf${WF}_j2_r1_a1.o`,
    ])
    await expect(client.listFiles(WF, { required: true, filter: { run_id: 9 } })).rejects.toMatchObject({
      message: expect.stringContaining('match the filter'),
    })
    for (const [query, field] of [
      ['job=0', 'job'],
      ['job=1,x', 'job'],
      ['run=-1', 'run'],
      ['kind=secrets', 'kind'],
    ]) {
      const res = await site.get(`/v1/workflows/${WF}/bundle?${query}`)
      expect(res.status, query).toBe(400)
      expect((await res.json()).error.message, query).toMatch(new RegExp(`^${field}`))
    }
  })

  it('says plainly when a workflow has no logs, or a file is missing', async () => {
    expect(await client.listFiles(12345)).toBeUndefined()
    await expect(client.listFiles(12345, { required: true })).rejects.toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('workflow 12345'),
    })
    expect(await client.stat('job_stdio/job_wf7_j9_r1_a1.o')).toBeUndefined()
    expect(await client.stat(`job_stdio/job_wf${WF}_j3_r2_a1.e`, { required: true })).toMatchObject({
      size: MAX_LINE + 5000 + 38,
      torc: { kind: 'job_stderr', workflow_id: WF, job_id: 3, run_id: 2, attempt_id: 1 },
    })
  })

  it('turns a refused path into invalid_input naming the reason', async () => {
    const err = await client.stat('../secret').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ToolError)
    expect(err).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('".."') })
  })
})

describe('range reads', () => {
  const path = `job_runner_h_wf${WF}_r1.log`

  it('reads a tail with one suffix range, and explicit ranges', async () => {
    expect(await client.tail(path, 8)).toEqual({ text: 'failed\r\n', size: 29, start: 21 })
    expect(await client.tail(path, 1000)).toEqual({ text: 'Job completed status=failed\r\n', size: 29, start: 0 })
    const head = await client.readRange(path, { start: 0, end: 2 }, { required: true })
    expect(new TextDecoder().decode(head.bytes)).toBe('Job')
    expect(head).toMatchObject({ start: 0, end: 2, size: 29, capped: false })
  })

  it('returns nothing past the end, and an empty file as empty', async () => {
    expect(await client.readRange(path, { start: 500 }, { required: true })).toMatchObject({
      size: 29,
      bytes: new Uint8Array(0),
    })
    expect(await client.tail(`job_stdio/job_wf${WF}_j2_r1_a1.o`, 100)).toEqual({ text: '', size: 0, start: 0 })
  })

  it('says when the site capped a read', async () => {
    const small = await startTestSite(root, { maxReadBytes: 10 })
    try {
      const c = new OutputClient(createTransport({ baseUrl: small.url, bearer: small.token }), 10_000)
      const read = await c.readRange(path, { start: 0 }, { required: true })
      expect(read).toMatchObject({ start: 0, end: 9, size: 29, capped: true })
      const tail = await c.readRange(path, { last: 20 }, { required: true })
      expect(new TextDecoder().decode(tail.bytes)).toBe('s=failed\r\n')
    } finally {
      await small.stop()
    }
  })
})

describe('the bundle through the streaming analyzer', () => {
  it('scans invalid UTF-8, CRLF, an empty file and a line longer than 1 MiB in one request', async () => {
    const r = await analyzeBundle(await client.bundle(WF, { required: true }))
    expect(r).toMatchObject({
      files_parsed: 4,
      files_with_invalid_utf8: 1,
      overlong_lines: 1,
      truncated: false,
      warning_count: 1,
    })
    expect(r.errors_by_type).toEqual([
      { type: 'OOM Killed', count: 1 },
      { type: 'Timeout', count: 1 },
      { type: 'Segmentation Fault', count: 1 },
    ])
    expect(r.sample_errors.find((s) => s.type === 'Timeout')).toMatchObject({ line: 2, content: 'timed out waiting' })
    expect(r.sample_errors.find((s) => s.type === 'Segmentation Fault')?.content).toMatch(/^x{117}\.\.\.$/)
  })

  it('keeps the framing exact while a file is appended to during the read', async () => {
    const path = join(root, `job_stdio/job_wf${WF}_j4_r1_a1.o`)
    writeFileSync(path, 'first line\n'.repeat(200_000))
    const stream = await client.bundle(WF, { required: true })
    const handle = await open(path, 'a')
    const appending = (async () => {
      for (let i = 0; i < 50; i++) await handle.appendFile('killed by signal\n')
    })()
    const r = await analyzeBundle(stream)
    await appending
    await handle.close()
    // Sent as listed: 2.2 MB of "first line", none of the appended "killed" lines.
    expect(r).toMatchObject({ files_parsed: 5, files_shrunk: 0 })
    expect(r.bytes_scanned).toBe(2_200_000 + 29 + 29 + 0 + MAX_LINE + 5038)
    expect(r.errors_by_type.find((e) => e.type === 'OOM Killed')).toEqual({ type: 'OOM Killed', count: 1 })
    rmSync(path)
  })

  it("reports the site's caps in the result instead of applying them silently", async () => {
    const capped = await startTestSite(root, { maxFiles: 2 })
    try {
      const c = new OutputClient(createTransport({ baseUrl: capped.url, bearer: capped.token }), 10_000)
      const r = await analyzeBundle(await c.bundle(WF, { required: true }))
      expect(r).toMatchObject({
        files_parsed: 2,
        truncated: true,
        truncation_reason: expect.stringContaining('file cap of 2'),
      })
    } finally {
      await capped.stop()
    }
  })

  it('analyses 20,000 files and a 120 MB file through one bundle request', { timeout: 120_000 }, async () => {
    const big = 99
    const dir = join(root, 'job_stdio')
    for (let j = 1; j <= 20_000; j++)
      writeFileSync(join(dir, `job_wf${big}_j${j}_r1_a1.o`), j % 1000 === 0 ? 'ok\nfile not found: input.h5\n' : 'ok\n')
    const line = 'INFO step completed without problems, continuing with the next block of work\n'
    const chunk = line.repeat(Math.ceil((1024 * 1024) / line.length))
    const bigFile = join(root, `job_runner_h_wf${big}_r1.log`)
    writeFileSync(bigFile, '')
    for (let i = 0; i < 120; i++) appendFileSync(bigFile, chunk)
    appendFileSync(bigFile, 'slurmstepd: error: Detected 1 oom-kill event\n')
    let requests = 0
    const counting = createTransport({ baseUrl: site.url, bearer: site.token })
    const c = new OutputClient(
      {
        ...counting,
        fetch: (p, init) => {
          requests++
          return counting.fetch(p, init)
        },
      },
      10_000
    )
    const r = await analyzeBundle(await c.bundle(big, { required: true }))
    expect(requests).toBe(1)
    expect(r.files_parsed).toBe(20_001)
    expect(r.bytes_scanned).toBeGreaterThan(120 * 1024 * 1024)
    expect(r.errors_by_type).toEqual([
      { type: 'File Not Found', count: 20 },
      { type: 'Slurm Error', count: 1 },
    ])
  })
})

describe('when the site fails', () => {
  const fake = (fetch: Transport['fetch']): OutputClient =>
    new OutputClient({ baseUrl: 'https://site.example', host: 'site.example', fetch }, { timeoutMs: 300 })

  it('says the site is unreachable, naming neither its address nor the token', async () => {
    const c = new OutputClient(createTransport({ baseUrl: 'http://127.0.0.1:9', bearer: 'never-shown-secret' }), 2_000)
    const err = (await c.listFiles(1).catch((e: unknown) => e)) as ToolError
    expect(err).toMatchObject({ code: 'upstream_unavailable', message: expect.stringContaining('unreachable') })
    expect(err.message).not.toMatch(/never-shown-secret|127\.0\.0\.1/)
  })

  it("blames the deployment's credentials, not the caller, on 401/403", async () => {
    const c = new OutputClient(createTransport({ baseUrl: site.url, bearer: 'w'.repeat(32) }), 2_000)
    await expect(c.listFiles(WF)).rejects.toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('TORC_OUTPUT_TOKEN'),
    })
  })

  it("maps a proxy's 502 and 504 pages to unavailable and timeout", async () => {
    const page = (status: number) => fake(async () => new Response('<html>bad gateway</html>', { status }))
    await expect(page(502).listFiles(1)).rejects.toMatchObject({ code: 'upstream_unavailable' })
    await expect(page(504).listFiles(1)).rejects.toMatchObject({ code: 'upstream_timeout' })
    await expect(page(500).listFiles(1)).rejects.toMatchObject({
      code: 'upstream_error',
      message: expect.not.stringContaining('html'),
    })
  })

  it('refuses an answer in the wrong shape', async () => {
    const c = fake(async () => Response.json({ files: 'nope' }))
    await expect(c.listFiles(1)).rejects.toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('unexpected shape'),
    })
  })

  it('times out a site that never answers, and one that goes silent mid-bundle', async () => {
    const hang = fake(
      (_, init) =>
        new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new Error('aborted'))))
    )
    await expect(hang.listFiles(1)).rejects.toMatchObject({ code: 'upstream_timeout' })
    let aborted = false
    const stall = fake(async (_, init) => {
      init.signal?.addEventListener('abort', () => (aborted = true))
      return new Response(
        new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"torc_edge_bundle":1')) })
      )
    })
    await expect(analyzeBundle(await stall.bundle(1, { required: true }))).rejects.toMatchObject({
      code: 'upstream_timeout',
      message: expect.stringContaining('silent'),
    })
    expect(aborted).toBe(true)
  })

  it('refuses more bytes than the range announced', async () => {
    const c = fake(
      async () =>
        new Response('x'.repeat(100), {
          status: 206,
          headers: { 'Content-Range': 'bytes 0-9/100', 'Content-Length': '10' },
        })
    )
    await expect(c.readRange('a.log', { start: 0, end: 9 })).rejects.toMatchObject({
      code: 'upstream_error',
      message: expect.stringContaining('more bytes'),
    })
  })
})
