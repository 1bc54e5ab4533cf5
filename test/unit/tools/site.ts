/**
 * The output site server for the log tools' tests: the real site app (site/app.ts) over a temporary
 * output directory, reached through a ScriptedTorc as its Transport, so a test can put a fault in
 * front of any route (`site.on('GET', '/v1/files', { fault: 'hang' })`) and otherwise gets what the
 * site really answers (ranges, 404s, listings, bundles). No port: the app's fetch is called in-process.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll } from 'vitest'
import { createSiteApp, type SiteLimits } from '../../../site/app.ts'
import { OutputClient } from '../../../src/output/client.ts'
import { ScriptedTorc } from '../../helpers/scripted-torc.ts'

const TOKEN = 'unit-test-site-token-0123456789'

export interface TestOutput {
  root: string
  /** The transport in front of the site: script faults on it. */
  site: ScriptedTorc
  output: OutputClient
  write(path: string, content: string | Uint8Array): void
}

const roots: string[] = []
afterAll(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true })
})

/** A site over a fresh output directory holding `files` (paths relative to it). */
export function outputSite(
  files: Record<string, string | Uint8Array> = {},
  options: { limits?: Partial<SiteLimits>; timeoutMs?: number } = {}
): TestOutput {
  const root = mkdtempSync(join(tmpdir(), 'torc-edge-tools-'))
  roots.push(root)
  const write = (path: string, content: string | Uint8Array) => {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  mkdirSync(join(root, 'job_stdio'))
  for (const [path, content] of Object.entries(files)) write(path, content)
  const app = createSiteApp({ root, token: TOKEN, limits: options.limits, log: () => undefined })
  const site = new ScriptedTorc()
  site.on('GET', /^\/v1\//, (sent) => {
    const headers = new Headers(sent.headers)
    headers.set('Authorization', `Bearer ${TOKEN}`)
    const query = sent.query.toString()
    return app.fetch(new Request(`http://site${sent.path}${query ? `?${query}` : ''}`, { headers }))
  })
  return { root, site, output: new OutputClient(site, { timeoutMs: options.timeoutMs ?? 2_000 }), write }
}

/** A job's log path as torc writes it (client/log_paths.rs). */
export const jobLog = (job: number, type: 'o' | 'e' | 'log', run = 1, attempt = 1, wf = 1) =>
  `job_stdio/job_wf${wf}_j${job}_r${run}_a${attempt}.${type}`
