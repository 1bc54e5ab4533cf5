import { describe, expect, it } from 'vitest'
import {
  expandSpec,
  parseSpec,
  planCreation,
  planExecution,
  SpecError,
  validateSpec,
} from '../../../src/workflow-spec/index.ts'

/** 100,000 indexed work jobs, each writing a file through ${files...}, plus a regex fan-in. */
const SWEEP = `name: sweep
resource_requirements:
  - { name: small, num_cpus: 1, memory: 2g, runtime: PT10M }
  - { name: work, num_cpus: 4, memory: 8g, runtime: PT30M }
files:
  - { name: input, path: data/input.csv }
  - { name: "out_{i:06d}", path: "out/{i:06d}.json", parameters: { i: "1:100000" } }
jobs:
  - { name: preprocess, command: "prep \${files.input.input}", resource_requirements: small }
  - name: "work_{i:06d}"
    command: "work --index {i} --out \${files.output.out_{i:06d}}"
    depends_on: [preprocess]
    resource_requirements: work
    parameters: { i: "1:100000" }
  - { name: postprocess, command: post, input_file_regexes: ['^out_\\d{6}$'], resource_requirements: small }
`

const timed = <T>(fn: () => T): [T, number] => {
  const start = performance.now()
  const value = fn()
  return [value, performance.now() - start]
}

describe('a 100,000-job spec', () => {
  it('expands, validates and plans in bounded time', () => {
    const spec = parseSpec(SWEEP, 'yaml')
    const [expanded, expandMs] = timed(() => expandSpec(spec))
    expect(expanded.jobs).toHaveLength(100_002)
    expect(expanded.jobs[100_000]?.name).toBe('work_100000')
    const [result, validateMs] = timed(() => validateSpec(SWEEP, { format: 'yaml' }))
    expect(result.errors).toEqual([])
    expect([result.summary.job_count, result.summary.file_count]).toEqual([100_002, 100_001])
    const [plan, planMs] = timed(() => planExecution(spec))
    expect(plan.events.map((e) => [e.id, e.jobs_becoming_ready.length])).toEqual([
      ['start', 1],
      ['after_preprocess', 100_000],
      ['after_work_jobs', 1],
    ])
    const [creation, creationMs] = timed(() => planCreation(spec, { user: 'a' }))
    // Creation levels follow explicit dependencies only (postprocess waits on files, which the
    // server wires at initialize_jobs), so postprocess goes in level 0 with preprocess.
    expect(creation.counts).toMatchObject({ jobs: 100_002, levels: 2 })
    expect(creation.steps.filter((s) => s.kind === 'jobs')).toHaveLength(1 + 100)
    // Generous bounds for shared CI machines; bench/spec.ts measures the real figures (< 1 s each).
    expect(Math.max(expandMs, validateMs, planMs, creationMs)).toBeLessThan(15_000)
  }, 120_000)

  it('refuses expansions past the item limit instead of running out of memory', () => {
    const huge = parseSpec(
      'name: w\njobs:\n  - { name: "j_{i}", command: x, parameters: { i: "1:100000000" } }\n',
      'yaml'
    )
    expect(() => expandSpec(huge)).toThrow(/would produce more than 1000000 values/)
    const product = parseSpec(
      'name: w\njobs:\n  - { name: "j_{a}_{b}", command: x, parameters: { a: "1:20", b: "1:20" } }\n',
      'yaml'
    )
    expect(() => expandSpec(product, { maxItems: 100 })).toThrow(SpecError)
    expect(() => expandSpec(product, { maxItems: 100 })).toThrow(
      'Parameter expansion would produce 400 items, more than the limit of 100'
    )
    expect(expandSpec(product, { maxItems: 400 }).jobs).toHaveLength(400)
  }, 60_000)
})
