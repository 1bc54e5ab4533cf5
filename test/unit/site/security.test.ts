import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSiteApp } from '../../../site/app.ts'
import { startTestSite, type TestSite } from './helpers.ts'

const WF = 7
const SECRET = 'TOP SECRET'
let base: string
let root: string
let outside: string
let site: TestSite

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'torc-edge-site-security-'))
  root = join(base, 'torc_output')
  outside = join(base, 'secret.txt')
  mkdirSync(join(root, 'job_stdio'), { recursive: true })
  mkdirSync(join(base, 'elsewhere'))
  writeFileSync(outside, `${SECRET}\n`)
  writeFileSync(join(base, 'elsewhere', `job_runner_h_wf${WF}_r9.log`), `${SECRET}\n`)
  writeFileSync(join(root, `job_runner_h_wf${WF}_r1.log`), 'runner log\n')
  writeFileSync(join(root, 'job_stdio', `job_wf${WF}_j1_r1_a1.o`), 'job output\n')
  // Symlinks out of the root, by file, by directory, and through a chain inside the root.
  symlinkSync(outside, join(root, 'job_stdio', `job_wf${WF}_j999_r1_a1.e`))
  symlinkSync(outside, join(root, `job_runner_evil_wf${WF}_r1.log`))
  symlinkSync(base, join(root, 'escape'))
  symlinkSync(join(root, 'escape'), join(root, 'hop'))
  symlinkSync(join(base, 'elsewhere', `job_runner_h_wf${WF}_r9.log`), join(root, `job_runner_h_wf${WF}_r9.log`))
  site = await startTestSite(root)
})

afterAll(async () => {
  await site.stop()
  rmSync(base, { recursive: true, force: true })
})

describe('tokens', () => {
  const routes = [
    '/v1/health',
    `/v1/workflows/${WF}/files`,
    `/v1/workflows/${WF}/bundle`,
    `/v1/stat?path=job_runner_h_wf${WF}_r1.log`,
    `/v1/files?path=job_runner_h_wf${WF}_r1.log`,
    '/nowhere',
  ]

  it('refuses every route without a token, with a wrong one, or with another scheme', async () => {
    for (const route of routes) {
      const attempts: Record<string, string>[] = [
        {},
        { Authorization: `Bearer ${'x'.repeat(32)}` },
        { Authorization: `Bearer ${site.token}x` },
        { Authorization: `Basic ${site.token}` },
        { Authorization: site.token },
      ]
      for (const headers of attempts) {
        const res = await fetch(`${site.url}${route}`, { headers })
        expect(res.status, `${route} ${JSON.stringify(headers)}`).toBe(401)
        expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/)
        expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } })
      }
    }
    expect((await fetch(`${site.url}/v1/health?token=${site.token}`)).status).toBe(401)
  })

  it('accepts the right token', async () => {
    for (const route of routes.slice(0, 5)) expect((await site.get(route)).status, route).toBe(200)
  })

  it('never logs the token', () => {
    expect(site.events.some((e) => e.event === 'site_unauthorized')).toBe(true)
    expect(JSON.stringify(site.events)).not.toContain(site.token)
  })

  it('will not start without a real token', () => {
    expect(() => createSiteApp({ root, token: '' })).toThrow(/at least 16/)
    expect(() => createSiteApp({ root, token: 'short' })).toThrow(/at least 16/)
  })
})

const RANGES: Record<string, string>[] = [{}, { Range: 'bytes=0-' }, { Range: 'bytes=-100' }]

describe('path confinement', () => {
  /** [value of ?path= after URL decoding, or a raw query string when it starts with '?'] */
  const corpus = [
    '../secret.txt',
    'job_stdio/../../secret.txt',
    'job_stdio/../job_stdio/../../secret.txt',
    '..',
    '../',
    '..%2fsecret.txt',
    '%2e%2e/secret.txt',
    '%2e%2e%2fsecret.txt',
    '%252e%252e%252fsecret.txt',
    '?path=%2e%2e/secret.txt',
    '?path=%2e%2e%2fsecret.txt',
    '?path=%252e%252e%252fsecret.txt',
    '?path=..%252fsecret.txt',
    '?path=%c0%ae%c0%ae/secret.txt',
    '?path=job_runner_h_wf7_r1.log%00.txt',
    '?path=%2Fetc%2Fpasswd',
    `job_runner_h_wf${WF}_r1.log\0.txt`,
    '/etc/passwd',
    'job_stdio\\..\\..\\secret.txt',
    '..\\secret.txt',
    'C:\\Windows\\win.ini',
    'C:/Windows/win.ini',
    `job_stdio/job_wf${WF}_j999_r1_a1.e`,
    `job_runner_evil_wf${WF}_r1.log`,
    `job_runner_h_wf${WF}_r9.log`,
    'escape/secret.txt',
    'hop/secret.txt',
    'escape/elsewhere/job_runner_h_wf7_r9.log',
    'job_stdio',
    '.',
    '',
  ]

  it('refuses the whole traversal corpus (400 or 404) and never serves a byte from outside', async () => {
    for (const entry of [...corpus, outside]) {
      const query = entry.startsWith('?') ? entry : `?path=${encodeURIComponent(entry)}`
      for (const route of ['/v1/files', '/v1/stat']) {
        for (const headers of RANGES) {
          const res = await site.get(`${route}${query}`, headers)
          expect([400, 404], `${route}${query}`).toContain(res.status)
          const body = await res.text()
          expect(body).not.toContain(SECRET)
          expect(JSON.parse(body)).toMatchObject({
            error: { code: expect.stringMatching(/^(invalid_input|not_found)$/) },
          })
        }
      }
    }
  })

  it('logs each refusal', () => {
    const refused = site.events.filter((e) => e.event === 'site_path_refused')
    expect(refused.length).toBeGreaterThan(corpus.length)
    expect(refused.some((e) => String(e.detail.reason).includes('outside'))).toBe(true)
    expect(refused.some((e) => String(e.detail.reason).includes('".."'))).toBe(true)
  })

  it('keeps symlinked files and directories out of listings and bundles', async () => {
    const listing = await (await site.get(`/v1/workflows/${WF}/files?all=1`)).json()
    expect(listing.files.map((f: { path: string }) => f.path)).toEqual([
      `job_runner_h_wf${WF}_r1.log`,
      `job_stdio/job_wf${WF}_j1_r1_a1.o`,
    ])
    const bundle = await (await site.get(`/v1/workflows/${WF}/bundle`)).text()
    expect(bundle).not.toContain(SECRET)
    expect(bundle).toContain('job output')
  })

  it('will not list a job_stdio directory that leads outside the root', async () => {
    const other = join(base, 'other-root')
    mkdirSync(other)
    mkdirSync(join(base, 'stdio-outside'))
    writeFileSync(join(base, 'stdio-outside', `job_wf${WF}_j1_r1_a1.e`), `${SECRET}\n`)
    symlinkSync(join(base, 'stdio-outside'), join(other, 'job_stdio'))
    const s = await startTestSite(other)
    try {
      const res = await s.get(`/v1/workflows/${WF}/bundle`)
      expect(res.status).toBe(404)
      expect(await res.text()).not.toContain(SECRET)
      expect(s.events.some((e) => e.event === 'site_directory_refused')).toBe(true)
      expect((await s.get(`/v1/files?path=job_stdio/job_wf${WF}_j1_r1_a1.e`)).status).toBe(404)
    } finally {
      await s.stop()
    }
  })
})
