import { z } from 'zod'
import { JobStatusSchema } from '../torc/schemas.ts'

/**
 * A Torc record id: Torc takes any positive i64, JSON carries integers exactly only up to 2^53 - 1,
 * and zod's int() refuses larger ones; the explicit maximum puts that bound in the OpenAPI document
 * too, so the schema and the runtime agree.
 */
export const torcId = (description: string) =>
  z.number().int().positive().max(Number.MAX_SAFE_INTEGER).describe(description)

/** Field schemas shared by several tools; every one is described for the model. */
export const workflowId = torcId('Torc workflow id (from list_workflows).')
export const jobId = torcId('Torc job id (from list_jobs_by_status or get_workflow_status).')
export const jobStatus = JobStatusSchema.describe(
  'Job status: uninitialized, blocked, ready, pending, running, ' +
    'completed, failed, canceled, terminated, disabled or pending_failed.'
)

export const limit = (defaultValue: number, max: number) =>
  z
    .number()
    .int()
    .min(1)
    .max(max)
    .default(defaultValue)
    .describe(`Maximum items to return (default ${defaultValue}, at most ${max}).`)
export const offset = z
  .number()
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .default(0)
  .describe('Items to skip, for paging (default 0).')

/** The paging facts every list output reports. */
export const pageInfo = {
  total: z.number().int().describe('Items matching the filters in all.'),
  offset: z.number().int().describe('Items skipped.'),
  count: z.number().int().describe('Items in this answer.'),
  has_more: z.boolean().describe('True when more items exist beyond this page: continue with offset = offset + count.'),
  size_limited: z
    .boolean()
    .describe('True when this page stopped before limit to keep the answer small (has_more is then true).'),
}

/**
 * Characters of JSON a page's items may take: with the rest of the answer, well under GPT Actions'
 * 100,000 characters and Claude Code's 25,000 tokens, whatever the limit asked for.
 */
export const PAGE_BUDGET = 60_000

/**
 * The page facts for `items` (one page, already offset and limited), cutting the page short once
 * its JSON passes PAGE_BUDGET characters (it keeps at least one item).
 */
export function fitPage<T>(
  items: readonly T[],
  total: number,
  offsetValue: number
): { items: T[]; page: z.output<z.ZodObject<typeof pageInfo>> } {
  const kept = fitItems(items, PAGE_BUDGET)
  const count = kept.length
  return {
    items: kept,
    page: {
      total,
      offset: offsetValue,
      count,
      has_more: offsetValue + count < total,
      size_limited: count < items.length,
    },
  }
}

/** The longest prefix of `items` whose JSON stays within `budget` characters (at least one item). */
export function fitItems<T>(items: readonly T[], budget: number): T[] {
  // Most pages fit whole: one stringify of the array says so (its length is the items' sizes below, plus one).
  if (JSON.stringify(items).length <= budget + 1) return items.slice()
  let size = 0
  let kept = 0
  while (kept < items.length) {
    size += JSON.stringify(items[kept]).length + 1
    if (size > budget && kept > 0) break
    kept++
  }
  return items.slice(0, kept)
}

/** Every tool that changes state previews first. */
export const dryRun = z
  .boolean()
  .default(true)
  .describe('Preview only (default true). To apply, call again with false and the plan_id.')
export const planIdField = z
  .string()
  .max(64)
  .optional()
  .describe('The plan_id the preview returned (required with dry_run=false).')

/**
 * Resource values checked as torc-server will check them, before anything is sent. Plain regexes
 * (ASCII digits, no surrounding space), so the OpenAPI `pattern` and the runtime check are the same
 * test: memory is a positive integer with k, m, g or t (or bytes), bounded below Rust's i64.
 */
const MEMORY = /^\+?0*(?:[1-9][0-9]{0,8}[kKmMgG]|[1-9][0-9]{0,5}[tT]|[1-9][0-9]{0,17})$/
const ISO_DURATION =
  /^P(?!$)([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$/
export const memoryField = z
  .string()
  .regex(MEMORY, { message: 'memory must be a whole number with k, m, g or t, e.g. "10g" or "512m"' })
export const runtimeField = z
  .string()
  .regex(ISO_DURATION, { message: 'runtime must be an ISO 8601 duration, e.g. "PT30M" or "PT2H"' })

/** Annotations of every tool that only reads. */
export const readOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const
