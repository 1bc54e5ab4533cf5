/**
 * The site server's JSON answers (site/app.ts), checked with zod where the Worker receives them,
 * and the file vocabulary both sides share.
 */
import { z } from 'zod'

/** The kinds of file Torc writes for a workflow (src/site-protocol/naming.ts tells them apart by name). */
export const FileKindSchema = z.enum([
  'job_stdout',
  'job_stderr',
  'job_combined',
  'job_runner',
  'slurm_job_runner',
  'slurm_stdout',
  'slurm_stderr',
  'dmesg',
  'watch',
  'slurm_env',
  'remote_worker',
  'resource_db',
])
export type FileKind = z.output<typeof FileKindSchema>

/** What the site knows of a Torc file from its name (src/site-protocol/naming.ts). */
export const TorcFileSchema = z.object({
  kind: FileKindSchema,
  workflow_id: z.number().int(),
  /** Included in log analysis and the bundle: torc 1.0.0's selection (.log/.o/.e, not slurm_env_). */
  log: z.boolean(),
  job_id: z.number().int().optional(),
  run_id: z.number().int().optional(),
  attempt_id: z.number().int().optional(),
  slurm_job_id: z.string().optional(),
})
export type TorcFile = z.output<typeof TorcFileSchema>

export const ListedFileSchema = TorcFileSchema.extend({
  /** Relative to the output directory: `job_runner_h_wf1_r1.log`, `job_stdio/job_wf1_j3_r1_a1.e`. */
  path: z.string().min(1),
  size: z.number().int().min(0),
  mtime: z.string(),
})
export type ListedFile = z.output<typeof ListedFileSchema>

export const FileListingSchema = z.object({
  workflow_id: z.number().int(),
  /** Matching files before the site's cap. */
  total: z.number().int().min(0),
  truncated: z.boolean(),
  limit: z.number().int().optional(),
  files: z.array(ListedFileSchema),
})
export type FileListing = z.output<typeof FileListingSchema>

export const FileStatSchema = z.object({
  path: z.string(),
  size: z.number().int().min(0),
  mtime: z.string(),
  torc: TorcFileSchema.nullable(),
})
export type FileStat = z.output<typeof FileStatSchema>

/** The site's error body, `{ "error": { "code", "message" } }`. */
export const SiteErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) })
