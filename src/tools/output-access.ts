/** What the log tools share: reaching the output site server and Torc's job log paths. */
import { ToolError } from '../errors.ts'
import type { OutputClient } from '../output/client.ts'
import type { ToolContext } from '../registry.ts'

/**
 * Log text in one answer, in UTF-8 bytes: under GPT Actions' 100,000 characters and Claude Code's
 * 25,000 tokens with room for the rest of the result.
 */
export const MAX_LOG_TEXT = 60_000

export function requireOutput(ctx: ToolContext): OutputClient {
  if (ctx.output) return ctx.output
  throw new ToolError(
    'upstream_unavailable',
    'log access is not configured on this deployment: set TORC_OUTPUT_URL and TORC_OUTPUT_TOKEN to the site server that runs next to Torc'
  )
}

export type LogType = 'stdout' | 'stderr' | 'combined'
const EXTENSION = { stdout: 'o', stderr: 'e', combined: 'log' } as const

/** Torc's job log path (client/log_paths.rs), relative to the output directory. */
export const jobLogPath = (wf: number, job: number, run: number, attempt: number, type: LogType) =>
  `job_stdio/job_wf${wf}_j${job}_r${run}_a${attempt}.${EXTENSION[type]}`
