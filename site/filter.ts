/**
 * Narrowing a workflow's listing or bundle by what Torc encodes in file names, so a question about
 * a few jobs or one run streams only their files:
 *   ?job=3,17   job ids (job_stdio files only)     ?run=2   run id (job files and runner logs)
 *   ?kind=job_stderr,dmesg   file kinds (naming.ts)
 */
import { z } from 'zod'
import type { TorcFile } from '../src/site-protocol/naming.ts'
import { type FileKind, FileKindSchema } from '../src/site-protocol/schemas.ts'

export const MAX_FILTER_JOBS = 1000

/** A positive integer id in a URL (workflow, job or run), at most 16 digits. */
export const PositiveId = z
  .string()
  .regex(/^[1-9]\d{0,15}$/, 'ids are positive integers')
  .transform(Number)
const list = <T extends z.ZodType<unknown, string>>(item: T, max: number, name: string) =>
  z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(item).min(1).max(max, `at most ${max} ${name}`))

export const FilterQuerySchema = z.object({
  job: list(PositiveId, MAX_FILTER_JOBS, 'job ids').optional(),
  run: PositiveId.optional(),
  kind: list(FileKindSchema, FileKindSchema.options.length, 'kinds').optional(),
})
export type FilterQuery = z.output<typeof FilterQuerySchema>

/** The predicate for a parsed query, or undefined when it filters nothing. */
export function fileFilter(query: FilterQuery): ((file: TorcFile) => boolean) | undefined {
  const jobs = query.job && new Set(query.job)
  const kinds = query.kind && new Set<FileKind>(query.kind)
  const { run } = query
  if (!jobs && !kinds && run === undefined) return undefined
  return (file) =>
    (!jobs || (file.job_id !== undefined && jobs.has(file.job_id))) &&
    (run === undefined || file.run_id === run) &&
    (!kinds || kinds.has(file.kind))
}
