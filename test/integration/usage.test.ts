import { beforeAll, describe, expect, it } from 'vitest'
import { callBoth } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, type Outcome, type WorkflowFixture } from '../helpers/worker-torc.ts'

/**
 * analyze_resource_usage on a real torc-server: two resource requirements, measured and unmeasured
 * jobs, a failure and a job still running; the statistics worked out by hand. Its parity with the
 * Rust tool itself is test/e2e/parity-docs-usage.test.ts.
 */
const GiB = 1024 ** 3
const MiB = 1024 ** 2
const OUTCOMES: Record<string, Outcome | undefined> = {
  s1: {
    status: 'completed',
    return_code: 0,
    exec_time_minutes: 2.005,
    peak_memory_bytes: 1.5 * GiB,
    peak_cpu_percent: 95.5,
  },
  s2: { status: 'completed', return_code: 0, exec_time_minutes: 1, peak_memory_bytes: 512 * MiB, peak_cpu_percent: 50 },
  s3: { status: 'failed', return_code: 1, exec_time_minutes: 0.5 },
  b1: { status: 'completed', return_code: 0, exec_time_minutes: 30, peak_memory_bytes: 6 * GiB, peak_cpu_percent: 390 },
  b2: { status: 'completed', return_code: 0, exec_time_minutes: 45.333, peak_memory_bytes: 2 * GiB + 1 },
  b3: { status: 'completed', return_code: 0, exec_time_minutes: 10, peak_memory_bytes: 7 * GiB, peak_cpu_percent: 200 },
  b4: undefined, // still running: no result
}

let wf: WorkflowFixture
beforeAll(async () => {
  wf = await createWorkflow({
    name: 'usage-groups',
    resources: {
      small: { num_cpus: 1, memory: '1g', runtime: 'PT10M' },
      big: { num_cpus: 4, memory: '8g', runtime: 'PT1H' },
    },
    jobs: Object.keys(OUTCOMES).map((name) => ({ name, resources: name.startsWith('s') ? 'small' : 'big' })),
  })
  await drive(wf, (name) => OUTCOMES[name])
})

const id = (name: string) => wf.jobIds.get(name)!

describe('analyze_resource_usage', () => {
  it('groups jobs by requirement with what each asks for, min/max/mean/median, and per-job rows', async () => {
    const out = await callBoth('analyze_resource_usage', { workflow_id: wf.id })
    expect(out).toMatchObject({
      workflow_id: wf.id,
      completed_only: false,
      total_jobs: 7,
      total_jobs_with_results: 6,
      resource_groups_total: 2,
      jobs_without_results: [{ job_id: id('b4'), name: 'b4' }],
      jobs_without_results_count: 1,
      size_limited: false,
    })
    const [small, big] = out.resource_groups
    expect(small.resource_requirements_id).toBeLessThan(big.resource_requirements_id)
    expect(small).toMatchObject({
      name: 'small',
      config: { memory: '1g', num_cpus: 1, runtime: 'PT10M', num_gpus: 0, num_nodes: 1 },
      job_count: 3,
      jobs_with_results: 3,
      jobs_omitted: 0,
      summary: {
        peak_memory_bytes: {
          min: 512 * MiB,
          max: 1.5 * GiB,
          mean: GiB,
          median: GiB,
          min_formatted: '512m',
          max_formatted: '2g',
        },
        peak_cpu_percent: { min: 50, max: 95.5, mean: 72.75, median: 72.75 },
        exec_time_minutes: { min: 0.5, max: 2.005, mean: 1.17, median: 1 },
      },
    })
    expect(small.jobs).toEqual([
      {
        job_id: id('s1'),
        name: 's1',
        peak_memory_bytes: 1.5 * GiB,
        peak_memory_formatted: '2g',
        peak_cpu_percent: 95.5,
        exec_time_minutes: 2.01, // rounded to 2 decimals, halves away from zero as Rust's f64::round
        return_code: 0,
      },
      expect.objectContaining({ name: 's2', peak_memory_formatted: '512m' }),
      expect.objectContaining({ name: 's3', peak_memory_bytes: null, peak_cpu_percent: null, return_code: 1 }),
    ])
    expect(big).toMatchObject({
      name: 'big',
      job_count: 4,
      jobs_with_results: 3,
      summary: {
        // The even median of integers truncates, as Rust's integer division does.
        peak_memory_bytes: { min: 2 * GiB + 1, max: 7 * GiB, median: 6 * GiB, min_formatted: '3g' },
        peak_cpu_percent: { min: 200, max: 390, mean: 295, median: 295 },
        exec_time_minutes: { min: 10, max: 45.333, mean: 28.44, median: 30 },
      },
    })
    expect(big.summary.peak_memory_bytes.mean).toBe(Math.round((15 * GiB + 1) / 3))
  })

  it('completed_only counts only return code 0: the failed job joins the jobs without results', async () => {
    const out = await callBoth('analyze_resource_usage', { workflow_id: wf.id, completed_only: true })
    expect(out.total_jobs_with_results).toBe(5)
    expect(out.jobs_without_results.map((j: { name: string }) => j.name)).toEqual(['s3', 'b4'])
    expect(out.resource_groups[0].summary.exec_time_minutes).toEqual({ min: 1, max: 2.005, mean: 1.5, median: 1.5 })
  })

  it('narrows to one group on request, keeping the workflow totals', async () => {
    const all = await callBoth('analyze_resource_usage', { workflow_id: wf.id })
    const bigId = all.resource_groups[1].resource_requirements_id
    const out = await callBoth('analyze_resource_usage', { workflow_id: wf.id, resource_requirements_id: bigId })
    expect(out.resource_groups).toEqual([all.resource_groups[1]])
    expect(out).toMatchObject({ total_jobs: 7, total_jobs_with_results: 6, resource_groups_total: 1 })
  })

  it('cuts per-job rows to fit at 3,000 jobs, with statistics over all of them', async () => {
    const many = await createWorkflow({
      name: 'usage-many',
      resources: { r: { num_cpus: 2, memory: '4g', runtime: 'PT1H' } },
      jobs: Array.from({ length: 3000 }, (_, i) => ({ name: `job_with_a_longer_name_${i}`, resources: 'r' })),
    })
    await drive(
      many,
      (name) => {
        const i = Number(name.split('_').pop())
        return { status: 'completed', return_code: 0, exec_time_minutes: i % 60, peak_memory_bytes: (i + 1) * MiB }
      },
      { start: false }
    )
    const out = await callBoth('analyze_resource_usage', { workflow_id: many.id })
    expect(JSON.stringify(out).length).toBeLessThan(65_000)
    const [group] = out.resource_groups
    expect(group.job_count).toBe(3000)
    expect(group.jobs_with_results).toBe(3000)
    expect(group.jobs.length + group.jobs_omitted).toBe(3000)
    expect(group.jobs_omitted).toBeGreaterThan(0)
    expect(out.size_limited).toBe(true)
    expect(group.summary.peak_memory_bytes).toMatchObject({
      min: MiB,
      max: 3000 * MiB,
      median: Math.trunc((3001 * MiB) / 2),
    })
  })
})
