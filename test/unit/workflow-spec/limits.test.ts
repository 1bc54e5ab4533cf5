import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  checkExpansionSize,
  EDGE_LIMITS,
  expandSpec,
  expansionSize,
  formatsWithinLimits,
  parseSpecValue,
  parseWithinLimits,
  SpecError,
  SpecLimitError,
} from '../../../src/workflow-spec/index.ts'

const spec = (value: Record<string, unknown>) => parseSpecValue({ name: 'w', jobs: [], ...value })
const job = (extra: Record<string, unknown>) => ({ name: 'j_{a}', command: 'x', ...extra })

describe('expansionSize counts what expansion would make, without making it', () => {
  it('agrees with expansion on products, zips, shared and table parameters, files and user_data', () => {
    const tables: Record<string, string> = { 'rows.csv': 'a,b\n1,x\n2,y\n3,z\n' }
    const readFile = (path: string) => tables[path] ?? ''
    const cases = [
      spec({ jobs: [job({ parameters: { a: '1:20', b: '[1,2,3]' } })] }),
      spec({ jobs: [job({ parameters: { a: '1:5', b: '1:5' }, parameter_mode: 'zip' })] }),
      spec({
        parameters: { a: '0.0:1.0:0.25', unused: '1:1000' },
        jobs: [job({ use_parameters: ['a'] }), job({ use_parameters: ['nope'] })],
      }),
      spec({ parameters: { a: '1:100' }, jobs: [job({ parameters: { a: '1:2' }, use_parameters: ['a'] })] }),
      spec({
        jobs: [job({ parameters_file: 'rows.csv' })],
        files: [{ name: 'f_{a}', path: '/{a}', parameters: { a: '1:7' } }],
      }),
      spec({
        jobs: [{ name: 'j', command: 'x' }],
        user_data: [{ name: 'u_{a}', data: 1, parameters: { a: '1:4' } }, { data: 2 }],
      }),
      spec({ jobs: [job({ parameters: { a: '[]' } })] }),
    ]
    for (const s of cases) {
      const expanded = expandSpec(s, { readFile })
      const files = (expanded.files?.length ?? 0) + (expanded.user_data?.length ?? 0)
      expect(expansionSize(s, 1000, readFile)).toEqual({ jobs: expanded.jobs.length, files })
    }
  })

  it('stops at the cap, even for ranges that would not fit in memory, and counts broken values once', () => {
    expect(expansionSize(spec({ jobs: [job({ parameters: { a: '1:100000000000' } })] }), 50).jobs).toBe(51)
    expect(expansionSize(spec({ jobs: [job({ parameters: { a: '1:1000', b: '1:1000' } })] }), 50).jobs).toBe(51)
    expect(
      expansionSize(spec({ jobs: Array.from({ length: 60 }, (_, i) => ({ name: `j${i}`, command: 'x' })) }), 50).jobs
    ).toBe(51)
    expect(
      expansionSize(spec({ jobs: [job({ parameters: { a: '1:x' } }), job({ parameters_file: 'missing.csv' })] }), 50)
        .jobs
    ).toBe(2)
  })
})

describe('the edge limits', () => {
  const sweep = (jobs: number, files = 0) =>
    spec({
      jobs: [{ name: 'w_{i}', command: 'x', parameters: { i: `1:${jobs}` } }],
      ...(files > 0 ? { files: [{ name: 'f_{i}', path: '/{i}', parameters: { i: `1:${files}` } }] } : {}),
    })

  it('refuses a workflow past 50,000 jobs or 50,000 files, naming the limit', () => {
    expect(EDGE_LIMITS).toMatchObject({ jobs: 50_000, files: 50_000 })
    expect(checkExpansionSize(sweep(50_000, 50_000))).toEqual({ jobs: 50_000, files: 50_000 })
    expect(() => checkExpansionSize(sweep(50_001))).toThrow(SpecLimitError)
    expect(() => checkExpansionSize(sweep(50_001))).toThrow(
      'the spec expands to 50,001 jobs (limit 50,000); the edge handles at most 50,000 jobs ' +
        "and 50,000 files per workflow so that a request stays within a Worker's 128 MB."
    )
    expect(() => checkExpansionSize(sweep(10, 70_000))).toThrow(
      /^the spec expands to 70,000 files and user_data entries \(limit 50,000\)/
    )
    expect(() => checkExpansionSize(sweep(1e9, 1e9))).toThrow(
      /^the spec expands to more than 100,000 jobs \(limit 50,000\) and more than 100,000 files and user_data entries \(limit 50,000\)/
    )
  })

  it('bounds the text each parser gets: YAML and KDL need many times their text in memory', () => {
    const big = `name: w\njobs:\n${'  - { name: j, command: x }\n'.repeat(20_000)}`
    expect(big.length).toBeGreaterThan(EDGE_LIMITS.textChars.yaml)
    const chars = (text: string) => text.length.toLocaleString('en-US')
    expect(() => formatsWithinLimits(big, 'yaml')).toThrow(
      `the spec is ${chars(big)} characters of YAML; the edge parses YAML only up to 524,288 characters`
    )
    expect(formatsWithinLimits(big, 'auto')).toEqual(['json', 'json5', 'kdl'])
    expect(formatsWithinLimits('x'.repeat(2_000_000), 'auto')).toEqual(['json', 'json5'])
    const huge = big.repeat(2)
    let error: unknown
    try {
      parseWithinLimits(huge, 'auto')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SpecError)
    expect((error as SpecError).message).toContain(
      `YAML and KDL not tried: the spec is ${chars(huge)} characters and ` +
        `the edge parses YAML up to 524,288, KDL up to 1,048,576 characters`
    )
    // The same workflow as JSON is fine.
    const asJson = JSON.stringify({
      name: 'w',
      jobs: Array.from({ length: 20_000 }, (_, i) => ({ name: `j${i}`, command: 'x' })),
    })
    expect(parseWithinLimits(asJson, 'auto')).toMatchObject({ format: 'json', warnings: [] })
  })

  it("at the limit, the whole create path (parse, Slurm generation, validation, creation plan) fits in half of a Worker's 128 MB (Node's own 12 MB included)", () => {
    const dir = mkdtempSync(join(tmpdir(), 'torc-limit-'))
    try {
      const file = join(dir, 'sweep.yaml')
      const n = EDGE_LIMITS.jobs - 2
      writeFileSync(
        file,
        [
          'name: at_the_limit',
          'resource_requirements: [{ name: small, num_cpus: 1, memory: 2g, runtime: ' +
            'PT10M }, { name: work, num_cpus: 4, memory: 8g, runtime: PT30M }]',
          'files:',
          '  - { name: input, path: data/input.csv }',
          `  - { name: "out_{i:05d}", path: "out/{i:05d}.json", parameters: { i: "1:${EDGE_LIMITS.files - 1}" } }`,
          'jobs:',
          '  - { name: preprocess, command: "prep ${files.input.input}", resource_requirements: small }',
          `  - { name: "work_{i:05d}", command: "work {i} \${files.output.out_{i:05d}}", ` +
            `depends_on: [preprocess], resource_requirements: work, parameters: { i: "1:${n}" } }`,
          `  - { name: postprocess, command: post, input_file_regexes: ` +
            `['^out_\\d{5}$'], resource_requirements: small }`,
          '',
        ].join('\n')
      )
      const script = `
        import { readFileSync } from 'node:fs'
        const s = await import(${JSON.stringify(resolve(import.meta.dirname, '../../../src/workflow-spec/index.ts'))})
        const parsed = s.parseWithinLimits(readFileSync(${JSON.stringify(file)}, 'utf8'), 'yaml')
        const slurm = s.generateSlurm(parsed.spec, { hpcProfile: 'kestrel', account: 'acct' })
        const report = s.validateSpec(slurm.spec)
        const plan = s.planCreation(slurm.spec, { user: 'u', initialize: true, enableResourceMonitoring: true })
        console.log(JSON.stringify({ valid: report.valid, jobs: plan.counts.jobs, files: plan.counts.files, held: [parsed, slurm, report].length }))
      `
      const out = execFileSync(
        process.execPath,
        ['--max-old-space-size=64', '--max-semi-space-size=1', '--input-type=module', '-e', script],
        {
          encoding: 'utf8',
        }
      )
      expect(JSON.parse(out)).toEqual({ valid: true, jobs: EDGE_LIMITS.jobs, files: EDGE_LIMITS.files, held: 3 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 120_000)
})
