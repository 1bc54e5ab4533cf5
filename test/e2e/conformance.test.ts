import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { z } from 'zod'
import {
  BASELINE_FILE,
  REVISIONS,
  type RevisionResult,
  requirements,
  runConformance,
} from '../../scripts/conformance.ts'
import { ROOT } from '../../scripts/torc-paths.ts'

/**
 * The official MCP conformance suite against the Worker under `wrangler dev` (the conformance
 * build: wrangler.conformance.toml), both protocol revisions, judged against the committed
 * baseline: what `npm run conformance` does.
 */
const outputDir = mkdtempSync(join(tmpdir(), 'torc-edge-conformance-'))
let results: RevisionResult[] = []
beforeAll(async () => {
  results = await runConformance({ outputDir })
}, 240_000)
afterAll(() => rmSync(outputDir, { recursive: true, force: true }))

const result = (revision: string) => results.find((r) => r.revision === revision)!
const statuses = (r: RevisionResult, scenario: string) => [...(r.scenarios.get(scenario)?.values() ?? [])]

const baseline = z.object({ server: z.array(z.string()) }).parse(parse(readFileSync(BASELINE_FILE, 'utf8'))).server

describe.each(REVISIONS)('MCP conformance, %s requirements', (revision) => {
  it('passes everything outside conformance-baseline.yml, and the baseline is not stale', () => {
    const r = result(revision)
    expect(r.exitCode, r.output).toBe(0)
    expect(r.output).toContain('Baseline check passed')
  })

  it('ran every required scenario, and the fixture and Torc tools answered', () => {
    const r = result(revision)
    const { required } = requirements(revision)
    expect(required.filter((s) => !r.scenarios.has(s))).toEqual([])
    for (const scenario of [
      'tools-list',
      'tools-call-simple-text',
      'tools-call-with-progress',
      'prompts-get-with-args',
      'dns-rebinding-protection',
    ]) {
      const checks = statuses(r, scenario)
      expect(checks.length, scenario).toBeGreaterThan(0)
      expect(
        checks.filter((s) => s === 'FAILURE' || s === 'WARNING'),
        scenario
      ).toEqual([])
    }
    const lifecycle = revision === '2026-07-28' ? 'server-stateless' : 'server-initialize'
    expect(statuses(r, lifecycle)).toContain('SUCCESS')
  })
})

describe('conformance-baseline.yml', () => {
  it('excuses single checks of scenarios a revision requires (the only ones the suite holds to a baseline)', () => {
    const required = new Set(REVISIONS.flatMap((revision) => requirements(revision).required))
    expect(baseline.length).toBeGreaterThan(0)
    for (const entry of baseline) {
      const [scenario, check] = entry.split(':')
      expect(check, `${entry}: name the one check, not the whole scenario`).toBeTruthy()
      expect(required.has(scenario!), `${entry}: not a required scenario`).toBe(true)
    }
  })

  it('every excused check really fails in the run (what is listed is what is not offered)', () => {
    for (const entry of baseline) {
      const [scenario, check] = entry.split(':') as [string, string]
      const seen = results.map((r) => r.scenarios.get(scenario)?.get(check)).filter(Boolean)
      expect(seen, entry).not.toHaveLength(0)
      for (const status of seen) expect(['FAILURE', 'WARNING'], entry).toContain(status)
    }
  })

  it('the input the 2025 wire cannot carry travels in-band on 2026-07-28, forged state refused', () => {
    const r = result('2026-07-28')
    for (const scenario of [
      'input-required-result-tampered-state',
      'input-required-result-multi-round',
      'input-required-result-basic-elicitation',
    ]) {
      expect(statuses(r, scenario), scenario).toContain('SUCCESS')
      expect(
        statuses(r, scenario).filter((s) => s === 'FAILURE'),
        scenario
      ).toEqual([])
    }
  })
})

/** Bundles a Wrangler configuration the way `wrangler deploy` would, and returns the bundle. */
function bundle(config: string): string {
  const out = mkdtempSync(join(tmpdir(), 'torc-edge-bundle-'))
  try {
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--config', config, '--outdir', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      }
    )
    expect(run.status, run.stderr).toBe(0)
    const main = /^main = "src\/(.+)\.ts"$/m.exec(readFileSync(join(ROOT, config), 'utf8'))![1]!
    return readFileSync(join(out, `${main.split('/').pop()}.js`), 'utf8')
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

describe('the fixtures exist only in the conformance build', () => {
  const markers = ['test_simple_text', 'test://static-text', 'TORC_EDGE_CONFORMANCE_STATE_KEY', 'conformanceFixtures']

  it('the production bundle (wrangler.toml) has none of them', () => {
    const production = bundle('wrangler.toml')
    expect(production).toContain('list_workflows')
    for (const marker of markers) expect(production, marker).not.toContain(marker)
  })

  it('the conformance bundle has them all (so the check above can fail)', () => {
    const conformance = bundle('wrangler.conformance.toml')
    for (const marker of markers) expect(conformance, marker).toContain(marker)
  })
})
