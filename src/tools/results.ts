import { z } from 'zod'
import { defineTool } from '../registry.ts'
import { type Result, ResultSchema } from '../torc/schemas.ts'
import { fitPage, jobStatus, limit, offset, pageInfo, readOnly, workflowId } from './fields.ts'

/** Columns Torc can sort results by. Torc interpolates sort_by into SQL, so only these are passed on. */
const SORT_FIELDS = [
  'id',
  'job_id',
  'exec_time_minutes',
  'peak_memory_bytes',
  'avg_memory_bytes',
  'peak_cpu_percent',
  'avg_cpu_percent',
  'return_code',
  'completion_time',
  'run_id',
] as const
type SortField = (typeof SORT_FIELDS)[number]

/** failed_only means "did not succeed": these statuses, selected by Torc rather than after the limit. */
const FAILURE_STATUSES = ['failed', 'terminated', 'pending_failed'] as const

const resultItem = z.object({
  id: z.number().int().describe('Result id.'),
  job_id: z.number().int().describe('Job id.'),
  job_name: z.string().nullable().describe('Job name.'),
  workflow_id: z.number().int().describe('Workflow id.'),
  run_id: z.number().int().describe('Workflow run.'),
  attempt_id: z.number().int().nullable().describe('Attempt within the run.'),
  compute_node_id: z.number().int().describe('Compute node that ran the job.'),
  return_code: z.number().int().describe('Process return code.'),
  status: z.string().describe('Status the job finished with.'),
  exec_time_minutes: z.number().describe('Execution time in minutes.'),
  completion_time: z.string().describe('When it finished.'),
  peak_memory_bytes: z.number().nullable().describe('Peak memory in bytes, when monitored.'),
  avg_memory_bytes: z.number().nullable().describe('Average memory in bytes, when monitored.'),
  peak_cpu_percent: z.number().nullable().describe('Peak CPU percent (100 per core), when monitored.'),
  avg_cpu_percent: z.number().nullable().describe('Average CPU percent, when monitored.'),
})

const toItem = (r: Result): z.input<typeof resultItem> => ({
  id: r.id,
  job_id: r.job_id,
  job_name: r.job_name ?? null,
  workflow_id: r.workflow_id,
  run_id: r.run_id,
  attempt_id: r.attempt_id ?? null,
  compute_node_id: r.compute_node_id,
  return_code: r.return_code,
  status: r.status,
  exec_time_minutes: r.exec_time_minutes,
  completion_time: r.completion_time,
  peak_memory_bytes: r.peak_memory_bytes ?? null,
  avg_memory_bytes: r.avg_memory_bytes ?? null,
  peak_cpu_percent: r.peak_cpu_percent ?? null,
  avg_cpu_percent: r.avg_cpu_percent ?? null,
})

/** Merge order for results gathered from several queries; SQLite puts NULLs first in ascending order. */
function compareBy(field: SortField, reverse: boolean) {
  return (a: Result, b: Result) => {
    const x = a[field] ?? null
    const y = b[field] ?? null
    const order = x === y ? a.id - b.id : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1
    return reverse ? -order : order
  }
}

export const listResults = defineTool({
  name: 'list_results',
  title: 'List job results',
  description:
    "List job execution results (return code, execution time, peak memory and CPU): each job's current result, " +
    'or with all_runs=true every attempt of every run; filtered and sorted. Use failed_only=true for ' +
    'failures, sort_by="exec_time_minutes" with reverse_sort=true for the slowest jobs, ' +
    'sort_by="peak_memory_bytes" for memory-hungry ones. Paged.',
  input: z.object({
    workflow_id: workflowId,
    job_id: z.number().int().positive().optional().describe('Only results of this job.'),
    run_id: z.number().int().positive().optional().describe('Only results of this workflow run (implies all_runs).'),
    all_runs: z
      .boolean()
      .default(false)
      .describe("Every result of earlier runs and attempts too (default false: each job's current result only)."),
    return_code: z.number().int().optional().describe('Only results with this return code.'),
    failed_only: z
      .boolean()
      .default(false)
      .describe('Only results of jobs that failed, were terminated or are pending_failed.'),
    status: jobStatus.optional().describe('Only results with this status (any of the 11, pending_failed included).'),
    limit: limit(100, 10_000),
    offset,
    sort_by: z
      .enum(SORT_FIELDS)
      .default('id')
      .describe(`Sort field: ${SORT_FIELDS.join(', ')} (default id).`),
    reverse_sort: z.boolean().default(false).describe('Sort descending (default false).'),
  }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    ...pageInfo,
    results: z.array(resultItem).describe('The results on this page, in the requested order.'),
  }),
  annotations: readOnly,
  async handler(input, { torc }) {
    const base = {
      workflow_id: input.workflow_id,
      job_id: input.job_id,
      run_id: input.run_id,
      return_code: input.return_code,
      all_runs: input.all_runs || input.run_id !== undefined || undefined,
      sort_by: input.sort_by,
      reverse_sort: input.reverse_sort,
    }
    if (input.failed_only && input.status && !(FAILURE_STATUSES as readonly string[]).includes(input.status)) {
      return { workflow_id: input.workflow_id, ...fitPage([], 0, input.offset).page, results: [] }
    }
    const statuses = input.failed_only && !input.status ? FAILURE_STATUSES : [input.status]
    if (statuses.length === 1) {
      const { items, total } = await torc.list('/results', ResultSchema, { ...base, status: statuses[0] }, input)
      const fitted = fitPage(items.map(toItem), total, input.offset)
      return { workflow_id: input.workflow_id, ...fitted.page, results: fitted.items }
    }
    // Several statuses: each query returns its first offset+limit rows in order; merging them keeps the order.
    const window = input.offset + input.limit
    const parts = await Promise.all(
      statuses.map((status) => torc.list('/results', ResultSchema, { ...base, status }, { limit: window }))
    )
    const merged = parts.flatMap((p) => p.items).sort(compareBy(input.sort_by, input.reverse_sort))
    const items = merged.slice(input.offset, window)
    const total = parts.reduce((n, p) => n + p.total, 0)
    const fitted = fitPage(items.map(toItem), total, input.offset)
    return { workflow_id: input.workflow_id, ...fitted.page, results: fitted.items }
  },
  summarize: (out) => `${out.count} of ${out.total} results for workflow ${out.workflow_id}`,
})

export const resultTools = [listResults]
