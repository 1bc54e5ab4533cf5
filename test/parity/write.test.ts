import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseSpec, type SpecFormat, writeSpec } from '../../src/workflow-spec/index.ts'
import { examples, needCli, needCrate, readFromCrate, sorted, torcJson } from './torc.ts'

/** writeSpec on every example torc 1.0.0 ships, read back by us and by the real CLI. */
const EXAMPLES = examples()
/** Absent, undefined and `[]` mean the same to torc. */
const normal = (value: unknown) =>
  JSON.parse(JSON.stringify(value), (_, v: unknown) => (Array.isArray(v) && v.length === 0 ? undefined : v))

describe.runIf(needCrate())('writeSpec on the torc 1.0.0 examples', () => {
  it.each(EXAMPLES.map((e) => [e.name, e] as const))(
    '%s: YAML, JSON and KDL (or its fallback) read back as the same spec',
    (_, example) => {
      const spec = parseSpec(example.text, example.format, { readFile: readFromCrate })
      for (const format of ['yaml', 'json', 'json5', 'kdl'] as SpecFormat[]) {
        const file = writeSpec(spec, format)
        const used: SpecFormat = file.format === 'json5' ? 'json' : file.format
        expect(file.format === format || (format === 'kdl' && file.format === 'yaml' && file.note !== undefined)).toBe(
          true
        )
        expect(normal(parseSpec(file.text, used, { kdlAliases: false }))).toEqual(normal(spec))
      }
    }
  )
})

describe.runIf(needCli())('torc 1.0.0 reads the KDL we write as it reads the original', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torc-kdl-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const writable = EXAMPLES.filter(
    (e) =>
      writeSpec(parseSpec(e.text, e.format, { readFile: readFromCrate, kdlAliases: false }), 'kdl').format === 'kdl'
  )

  it('covers most examples', () => {
    expect(writable.length).toBeGreaterThan(EXAMPLES.length / 2)
  })

  it.each(writable.map((e) => [e.name, e] as const))('%s', async (_, example) => {
    const spec = parseSpec(example.text, example.format, { readFile: readFromCrate, kdlAliases: false })
    const path = join(dir, `${example.name.replace(/[/.]/g, '_')}.kdl`)
    writeFileSync(path, writeSpec(spec, 'kdl').text)
    type DryRun = { valid: boolean; errors: string[]; summary: { job_names: string[] } & Record<string, unknown> }
    const shape = (r: DryRun) => ({ ...r, summary: { ...r.summary, job_names: sorted(r.summary.job_names) } })
    const [original, written] = (await Promise.all([
      torcJson(['create', '--dry-run', example.path]),
      torcJson(['create', '--dry-run', path]),
    ])) as [DryRun, DryRun]
    expect(shape(written)).toEqual(shape(original))
    type Plan = { events: { id: string; jobs_becoming_ready: string[]; depends_on_events: string[] }[] }
    const events = (p: Plan) =>
      sorted(p.events.map((e) => JSON.stringify([e.id, sorted(e.jobs_becoming_ready), sorted(e.depends_on_events)])))
    const [planA, planB] = (await Promise.all([
      torcJson(['workflows', 'execution-plan', example.path]),
      torcJson(['workflows', 'execution-plan', path]),
    ])) as [Plan, Plan]
    expect(events(planB)).toEqual(events(planA))
  })
})
