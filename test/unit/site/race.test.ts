import { mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSwapper } from '../../setup/swapper.ts'
import { startTestSite, type TestSite } from './helpers.ts'

/**
 * A hostile job swaps job_stdio (and a runner log) for symlinks out of the root while the site
 * serves every route; nothing from outside may come back, and what is refused is refused with a 4xx.
 * The outside files have the inside names, a marker, other sizes and a 2001 mtime, so an escape
 * shows in bytes (files, bundles) and in metadata (stat, listings).
 */
const WF = 1
const JOBS = 8
const READS = 3000
const CONCURRENCY = 12
/** The swapper's rest between flips, in the real state: windows to serve in, a CPU for the machine. */
const REST_MS = 0.2
const MARKER = 'OUTSIDE-SECRET-7f3a'
const OUTSIDE_SIZE = 777
const OUTSIDE_TIME = new Date('2001-02-03T04:05:06Z')
const RUNNER = `job_runner_h_wf${WF}_r1.log`
const stdio = (job: number) => `job_stdio/job_wf${WF}_j${job}_r1_a1.o`
const inside = (job: number) => `inside output of job ${job}\n`.repeat(10 + job)
const RUNNER_TEXT = 'runner: all jobs done\n'.repeat(7)

let base: string
let root: string
let site: TestSite

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'torc-edge-site-race-'))
  root = join(base, 'torc_output')
  const outside = join(base, 'outside')
  mkdirSync(join(root, 'job_stdio'), { recursive: true })
  mkdirSync(outside)
  const secret = `${MARKER}\n`.repeat(Math.ceil(OUTSIDE_SIZE / (MARKER.length + 1))).slice(0, OUTSIDE_SIZE)
  for (let job = 1; job <= JOBS; job++) {
    writeFileSync(join(root, stdio(job)), inside(job))
    writeFileSync(join(outside, `job_wf${WF}_j${job}_r1_a1.o`), secret)
  }
  // Only outside: a listing naming it escaped.
  writeFileSync(join(outside, `job_wf${WF}_j99_r1_a1.o`), secret)
  writeFileSync(join(root, RUNNER), RUNNER_TEXT)
  writeFileSync(join(base, 'runner-secret.log'), secret)
  for (const name of [
    ...Array.from({ length: JOBS }, (_, i) => `job_wf${WF}_j${i + 1}_r1_a1.o`),
    `job_wf${WF}_j99_r1_a1.o`,
  ])
    utimesSync(join(outside, name), OUTSIDE_TIME, OUTSIDE_TIME)
  utimesSync(join(base, 'runner-secret.log'), OUTSIDE_TIME, OUTSIDE_TIME)
  site = await startTestSite(root)
})

afterAll(async () => {
  await site?.stop()
  rmSync(base, { recursive: true, force: true })
})

type Route = 'files' | 'files-range' | 'stat' | 'listing' | 'bundle' | 'runner'
const ROUTES: Route[] = ['files', 'files-range', 'stat', 'listing', 'bundle', 'runner']

interface Counts {
  reads: number
  ok: number
  refused: Record<string, number>
  escapes: number
  wrong: number
  unreadableInBundles: number
}

/** What this process holds open under `dir`. */
function openUnder(dir: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    const where = readlinkSafe(`/proc/self/fd/${fd}`)
    return where?.startsWith(dir) ? [where] : []
  })
}
const readlinkSafe = (path: string) => {
  try {
    return readlinkSync(path)
  } catch {
    return undefined
  }
}

/** Whether a JSON answer describes an outside file (its size, its mtime, or a name only outside has). */
function describesOutside(value: unknown): boolean {
  const text = JSON.stringify(value)
  return text.includes('2001-02-03') || text.includes('_j99_') || new RegExp(`"size":${OUTSIDE_SIZE}\\b`).test(text)
}

async function readOnce(route: Route, i: number, counts: Counts, problems: string[]): Promise<void> {
  const job = (i % JOBS) + 1
  const expected = route === 'runner' ? RUNNER_TEXT : inside(job)
  const [path, headers]: [string, Record<string, string>] =
    route === 'files'
      ? [`/v1/files?path=${encodeURIComponent(stdio(job))}`, {}]
      : route === 'files-range'
        ? [`/v1/files?path=${encodeURIComponent(stdio(job))}`, { Range: i % 2 ? 'bytes=-40' : 'bytes=5-60' }]
        : route === 'stat'
          ? [`/v1/stat?path=${encodeURIComponent(stdio(job))}`, {}]
          : route === 'listing'
            ? [`/v1/workflows/${WF}/files?all=1`, {}]
            : route === 'bundle'
              ? [`/v1/workflows/${WF}/bundle`, {}]
              : [`/v1/files?path=${RUNNER}`, {}]
  let res: Response
  let body: string
  try {
    res = await fetch(`${site.url}${path}`, {
      headers: { Authorization: `Bearer ${site.token}`, ...headers },
      signal: AbortSignal.timeout(15_000),
    })
    body = await res.text()
  } catch (err) {
    problems.push(`${route} ${path}: no answer (${err instanceof Error ? err.message : String(err)})`)
    return
  }
  counts.reads++
  if (body.includes(MARKER)) counts.escapes++
  if (res.status >= 500 || res.status < 200 || (res.status >= 300 && res.status < 400)) {
    problems.push(`${route} ${path}: ${res.status} ${body.slice(0, 200)}`)
    return
  }
  if (res.status >= 400) {
    counts.refused[res.status] = (counts.refused[res.status] ?? 0) + 1
    // A clean refusal is the site's JSON error, nothing else.
    const parsed = JSON.parse(body) as { error?: { code?: string } }
    if (!parsed.error?.code) problems.push(`${route}: ${res.status} without an error body`)
    return
  }
  counts.ok++
  if (route === 'files' || route === 'runner') {
    if (body !== expected) counts.wrong++
  } else if (route === 'files-range') {
    const want = headers.Range === 'bytes=-40' ? expected.slice(-40) : expected.slice(5, 61)
    if (body !== want) counts.wrong++
  } else if (route === 'stat' || route === 'listing') {
    const json = JSON.parse(body)
    if (describesOutside(json)) counts.escapes++
    if (route === 'stat' && json.size !== expected.length) counts.wrong++
  } else {
    const frames = parseBundle(Buffer.from(body))
    if (describesOutside(frames.headers)) counts.escapes++
    if (!frames.trailer) problems.push(`bundle without a trailer: ${body.slice(-200)}`)
    else counts.unreadableInBundles += frames.trailer.unreadable as number
  }
}

/** The bundle's file headers and trailer, walked by the sizes the headers give (framing.ts). */
function parseBundle(bytes: Buffer): { headers: Record<string, unknown>[]; trailer?: Record<string, unknown> } {
  const headers: Record<string, unknown>[] = []
  let at = 0
  while (at < bytes.length) {
    const eol = bytes.indexOf(10, at)
    if (eol < 0) break
    const line = JSON.parse(bytes.subarray(at, eol).toString()) as Record<string, unknown>
    at = eol + 1
    if (line.end === true) return { headers, trailer: line }
    if (typeof line.path === 'string' && typeof line.size === 'number' && line.note === undefined) {
      headers.push(line)
      at += line.size
    }
  }
  return { headers }
}

describe('symlink swaps while the site serves', () => {
  it(`serves nothing from outside the root across ${READS} reads of every route`, async () => {
    const swapper = await startSwapper({
      root,
      dir: 'job_stdio',
      outsideDir: join(base, 'outside'),
      files: [[RUNNER, join(base, 'runner-secret.log')]],
      restMs: REST_MS,
    })
    const counts = Object.fromEntries(
      ROUTES.map((r) => [r, { reads: 0, ok: 0, refused: {}, escapes: 0, wrong: 0, unreadableInBundles: 0 }])
    ) as Record<Route, Counts>
    const problems: string[] = []
    let next = 0
    const started = performance.now()
    try {
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < READS; i = next++) {
            const route = ROUTES[i % ROUTES.length]!
            await readOnce(route, Math.floor(i / ROUTES.length), counts[route], problems)
          }
        })
      )
    } finally {
      const { flips } = await swapper.stop()
      const seconds = ((performance.now() - started) / 1000).toFixed(1)
      console.log(`race: ${READS} reads in ${seconds} s while the swapper made ${flips} flips`)
      for (const r of ROUTES) {
        const { reads, ok, refused, escapes, wrong, unreadableInBundles } = counts[r]
        const codes = Object.entries(refused).map(([code, n]) => `${n}x${code}`)
        console.log(
          `race ${r}: ${reads} reads, ${ok} served, ${codes.join(' ') || '0'} ` +
            `refused, ${escapes} escapes, ${wrong} wrong` +
            (r === 'bundle' ? `, ${unreadableInBundles} files unreadable inside served bundles` : '')
        )
      }
    }
    expect(problems.slice(0, 10)).toEqual([])
    const total = (key: 'reads' | 'escapes' | 'wrong') => ROUTES.reduce((n, r) => n + counts[r][key], 0)
    expect(total('reads')).toBe(READS)
    expect(total('escapes')).toBe(0)
    expect(total('wrong')).toBe(0)
    expect(site.events.filter((e) => e.event === 'site_error')).toEqual([])
    // Every file and directory the site opened is closed again (it runs in this process).
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(openUnder(base)).toEqual([])
    // Refusals are 404s (the name led outside or was gone); every route still served some reads.
    for (const r of ROUTES) {
      expect(
        Object.keys(counts[r].refused).filter((code) => code !== '404'),
        r
      ).toEqual([])
      expect(counts[r].ok, `${r} never answered`).toBeGreaterThan(0)
    }
  })

  it('serves everything again once the swapping stops', async () => {
    const file = await site.get(`/v1/files?path=${encodeURIComponent(stdio(3))}`)
    expect(await file.text()).toBe(inside(3))
    const listing = await (await site.get(`/v1/workflows/${WF}/files`)).json()
    expect(listing.files.map((f: { path: string }) => f.path)).toEqual([
      RUNNER,
      ...Array.from({ length: JOBS }, (_, i) => stdio(i + 1)),
    ])
    const bundle = await (await site.get(`/v1/workflows/${WF}/bundle`)).text()
    expect(bundle).toContain(inside(JOBS))
    expect(bundle).toContain('"unreadable":0')
  })
})
