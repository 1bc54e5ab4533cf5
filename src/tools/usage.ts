import { z } from 'zod'
import { loadJobsAndRequirements } from '../recovery/state.ts'
import { defineTool } from '../registry.ts'
import { type Result, ResultSchema, requirementValues } from '../torc/schemas.ts'
import { fitItems, readOnly, workflowId } from './fields.ts'

/**
 * analyze_resource_usage: what jobs actually used, grouped by the resource requirement they run
 * under, computed as torc 1.0.0's MCP tool computes it (src/mcp_server/tools.rs): every job, every
 * requirement, each job's current result (completed_only keeps return code 0 only), and per group
 * the min, max, mean and median of peak memory, peak CPU and execution time.
 */

/** Rust's `f64::round`: halves away from zero (Math.round rounds -2.5 to -2). */
const roundAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x))
const cents = (x: number) => roundAway(x * 100) / 100

/** torc's format_memory_bytes_short: whole units rounded up, "12g", "512m", "3k", "100b". */
export function memoryShort(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 3, 'g'],
    [1024 ** 2, 'm'],
    [1024, 'k'],
  ]
  for (const [size, suffix] of units) if (bytes >= size) return `${Math.ceil(bytes / size)}${suffix}`
  return `${bytes}b`
}

function stats(values: number[]) {
  if (!values.length) return null
  const s = [...values].sort((a, b) => a - b)
  const n = s.length
  const sum = s.reduce((a, b) => a + b, 0)
  const median = n % 2 === 0 ? (s[n / 2 - 1]! + s[n / 2]!) / 2 : s[(n - 1) / 2]!
  return { min: s[0]!, max: s[n - 1]!, mean: cents(sum / n), median: cents(median) }
}

function memoryStats(values: number[]) {
  if (!values.length) return null
  const s = [...values].sort((a, b) => a - b)
  const n = s.length
  const sum = s.reduce((a, b) => a + b, 0)
  // Integer arithmetic as in Rust: the even median truncates toward zero.
  const median = n % 2 === 0 ? Math.trunc((s[n / 2 - 1]! + s[n / 2]!) / 2) : s[(n - 1) / 2]!
  const min = s[0]!
  const max = s[n - 1]!
  return {
    min,
    max,
    mean: roundAway(sum / n),
    median,
    min_formatted: memoryShort(min),
    max_formatted: memoryShort(max),
  }
}

const statsSchema = z
  .object({
    min: z.number().describe('Smallest value.'),
    max: z.number().describe('Largest value.'),
    mean: z.number().describe('Mean, rounded to 2 decimals.'),
    median: z.number().describe('Median, rounded to 2 decimals.'),
  })
  .nullable()

const jobUsage = z.object({
  job_id: z.number().int().describe('Job id.'),
  name: z.string().describe('Job name.'),
  peak_memory_bytes: z.number().nullable().describe('Peak memory in bytes, when monitored.'),
  peak_memory_formatted: z.string().nullable().describe('Peak memory rounded up to a whole unit, e.g. "3g".'),
  peak_cpu_percent: z.number().nullable().describe('Peak CPU percent (100 per core), when monitored.'),
  exec_time_minutes: z.number().describe('Execution time in minutes, rounded to 2 decimals.'),
  return_code: z.number().int().describe('Return code of the result.'),
})

const group = z.object({
  resource_requirements_id: z.number().int().nullable().describe('Resource requirement id; null for jobs with none.'),
  name: z.string().nullable().describe('Resource requirement name.'),
  config: z
    .object({
      memory: z.string().describe('Memory requested, e.g. "10g".'),
      num_cpus: z.number().int().describe('CPUs requested.'),
      runtime: z.string().describe('Runtime requested (ISO 8601).'),
      num_gpus: z.number().int().describe('GPUs requested.'),
      num_nodes: z.number().int().describe('Nodes requested.'),
    })
    .nullable()
    .describe('What the requirement asks for; null when the job has no requirement.'),
  job_count: z.number().int().describe('Jobs under this requirement.'),
  jobs_with_results: z.number().int().describe('Of them, jobs with a (matching) result.'),
  summary: z
    .object({
      peak_memory_bytes: z
        .object({
          min: z.number().describe('Smallest peak, bytes.'),
          max: z.number().describe('Largest peak, bytes.'),
          mean: z.number().describe('Mean peak, whole bytes.'),
          median: z.number().describe('Median peak, whole bytes.'),
          min_formatted: z.string().describe('Smallest peak rounded up, e.g. "2g".'),
          max_formatted: z.string().describe('Largest peak rounded up.'),
        })
        .nullable()
        .describe('Peak memory statistics; null when no job here reported memory.'),
      peak_cpu_percent: statsSchema.describe('Peak CPU percent statistics; null when none reported.'),
      exec_time_minutes: statsSchema.describe('Execution time statistics in minutes; null without results.'),
    })
    .describe('Statistics over the jobs with results.'),
  jobs: z.array(jobUsage).describe('Per-job measurements, in job order (cut to fit: see jobs_omitted).'),
  jobs_omitted: z.number().int().describe('Jobs with results left out of `jobs` to keep the answer small.'),
})

const GROUPS_BUDGET = 20_000
const JOBS_BUDGET = 35_000
const MISSING_BUDGET = 5_000

export const analyzeResourceUsage = defineTool({
  name: 'analyze_resource_usage',
  title: 'Analyze resource usage by group',
  description:
    'Show what jobs actually used (peak memory, peak CPU, execution time) next to what their resource ' +
    'requirement asks for, grouped by requirement, with min/max/mean/median per group. Use it to spot ' +
    'requirements that are far too big or too small, or a group whose jobs need very different resources ' +
    '(then regroup them or change requirements with update_job_resources). Per-job rows are cut to fit; counts ' +
    'and statistics cover all jobs.',
  input: z.object({
    workflow_id: workflowId,
    completed_only: z
      .boolean()
      .default(false)
      .describe('Only results with return code 0 (default false: every job that has a result).'),
    resource_requirements_id: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Only this resource requirement group (e.g. to see more of its jobs when the answer was cut).'),
  }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    completed_only: z.boolean().describe('Whether only return-code-0 results were counted.'),
    total_jobs: z.number().int().describe('Jobs in the workflow.'),
    total_jobs_with_results: z.number().int().describe('Jobs with a (matching) result.'),
    resource_groups: z.array(group).describe('One entry per resource requirement in use, by id (none last).'),
    resource_groups_total: z.number().int().describe('Groups in all (resource_groups may be cut).'),
    jobs_without_results: z
      .array(z.object({ job_id: z.number().int().describe('Job id.'), name: z.string().describe('Job name.') }))
      .describe(
        'Jobs with no (matching) result yet, group by group (only the chosen group with resource_requirements_id).'
      ),
    jobs_without_results_count: z.number().int().describe('Jobs in jobs_without_results before it was cut to fit.'),
    size_limited: z.boolean().describe('True when groups, job rows or jobs_without_results were cut to fit.'),
  }),
  annotations: readOnly,
  view: 'resources',
  async handler({ workflow_id, completed_only, resource_requirements_id }, { torc }) {
    const [{ jobs, requirements }, results] = await Promise.all([
      loadJobsAndRequirements(torc, workflow_id),
      torc.list('/results', ResultSchema, { workflow_id }),
    ])
    // Each job's latest result (highest run, then attempt), as Rust picks it.
    const latest = new Map<number, Result>()
    for (const r of results.items) {
      if (completed_only && r.return_code !== 0) continue
      const seen = latest.get(r.job_id)
      const newer =
        !seen || r.run_id > seen.run_id || (r.run_id === seen.run_id && (r.attempt_id ?? 1) > (seen.attempt_id ?? 1))
      if (newer) latest.set(r.job_id, r)
    }
    const byGroup = new Map<number | null, number[]>()
    for (const job of jobs.values()) {
      const key = job.resource_requirements_id ?? null
      const ids = byGroup.get(key)
      if (ids) ids.push(job.id)
      else byGroup.set(key, [job.id])
    }
    const withoutResults: { job_id: number; name: string }[] = []
    let withResults = 0
    const groups: z.input<typeof group>[] = []
    const keys = [...byGroup.keys()].sort((a, b) => (a ?? Number.MAX_VALUE) - (b ?? Number.MAX_VALUE))
    for (const key of keys) {
      const ids = byGroup.get(key)!
      const rr = key === null ? undefined : requirements.get(key)
      const shown = resource_requirements_id === undefined || key === resource_requirements_id
      const rows: z.input<typeof jobUsage>[] = []
      for (const id of ids) {
        const job = jobs.get(id)!
        const r = latest.get(id)
        if (!r) {
          if (shown) withoutResults.push({ job_id: id, name: job.name })
          continue
        }
        rows.push({
          job_id: id,
          name: job.name,
          peak_memory_bytes: r.peak_memory_bytes ?? null,
          peak_memory_formatted: r.peak_memory_bytes == null ? null : memoryShort(r.peak_memory_bytes),
          peak_cpu_percent: r.peak_cpu_percent ?? null,
          exec_time_minutes: cents(r.exec_time_minutes),
          return_code: r.return_code,
        })
      }
      withResults += rows.length
      if (!shown) continue
      const measured = ids.map((id) => latest.get(id)).filter((r): r is Result => r !== undefined)
      groups.push({
        resource_requirements_id: key,
        name: rr?.name ?? null,
        config: rr ? requirementValues(rr) : null,
        job_count: ids.length,
        jobs_with_results: rows.length,
        summary: {
          peak_memory_bytes: memoryStats(
            measured.flatMap((r) => (r.peak_memory_bytes == null ? [] : [r.peak_memory_bytes]))
          ),
          peak_cpu_percent: stats(measured.flatMap((r) => (r.peak_cpu_percent == null ? [] : [r.peak_cpu_percent]))),
          exec_time_minutes: stats(measured.map((r) => r.exec_time_minutes)),
        },
        jobs: rows,
        jobs_omitted: 0,
      })
    }
    return {
      workflow_id,
      completed_only,
      total_jobs: jobs.size,
      total_jobs_with_results: withResults,
      ...fit(groups, withoutResults),
    }
  },
  summarize: (out) =>
    `${out.total_jobs_with_results} of ${out.total_jobs} jobs with ` +
    `results in ${out.resource_groups_total} resource groups`,
})

/** Cuts the answer to its budgets: group headers first, then job rows group by group, then jobs without results. */
function fit(groups: z.input<typeof group>[], withoutResults: { job_id: number; name: string }[]) {
  const headers = fitItems(
    groups.map((g) => ({ ...g, jobs: [] })),
    GROUPS_BUDGET
  )
  let left = JOBS_BUDGET
  const kept = headers.map((header, i) => {
    const rows = groups[i]!.jobs
    const shown = left > 0 ? fitItems(rows, left) : []
    left -= shown.reduce((n, row) => n + JSON.stringify(row).length + 1, 0)
    return { ...header, jobs: shown, jobs_omitted: rows.length - shown.length }
  })
  const missing = fitItems(withoutResults, MISSING_BUDGET)
  return {
    resource_groups: kept,
    resource_groups_total: groups.length,
    jobs_without_results: missing,
    jobs_without_results_count: withoutResults.length,
    size_limited:
      kept.length < groups.length || kept.some((g) => g.jobs_omitted > 0) || missing.length < withoutResults.length,
  }
}

export const usageTools = [analyzeResourceUsage]
