/** What the log tools share: reaching the output site server and Torc's job log paths. */
import { ToolError } from '../errors.ts'
import type { OutputClient, RangeRead } from '../output/client.ts'
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
    'log access is not configured on this deployment: set TORC_OUTPUT_URL ' +
      'and TORC_OUTPUT_TOKEN to the site server that runs next to Torc'
  )
}

type LogType = 'stdout' | 'stderr' | 'combined'
const EXTENSION = { stdout: 'o', stderr: 'e', combined: 'log' } as const

/** Torc's job log path (client/log_paths.rs), relative to the output directory. */
const jobLogPath = (wf: number, job: number, run: number, attempt: number, type: LogType) =>
  `job_stdio/job_wf${wf}_j${job}_r${run}_a${attempt}.${EXTENSION[type]}`

export interface JobLog {
  path: string
  /** The job writes stdout and stderr to one combined log, and this is it. */
  combined: boolean
  read: RangeRead
}

/**
 * The last `maxBytes` of a job's stdout or stderr; for a job with combined stdio (no .o/.e) its one
 * `.log`. Undefined when neither exists.
 */
export async function tailJobLog(
  output: OutputClient,
  at: { workflow_id: number; job_id: number; run_id: number; attempt_id: number },
  type: 'stdout' | 'stderr',
  maxBytes: number
): Promise<JobLog | undefined> {
  for (const kind of [type, 'combined'] as const) {
    const path = jobLogPath(at.workflow_id, at.job_id, at.run_id, at.attempt_id, kind)
    const read = await output.tail(path, maxBytes)
    if (read) return { path, combined: kind === 'combined', read }
  }
  return undefined
}
