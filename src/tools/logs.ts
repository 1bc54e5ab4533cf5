/**
 * Reading job logs through the output site server: get_job_logs and list_pending_failed_jobs
 * (analyze_workflow_logs is in log-analysis.ts). Tails cost one Range request each, never the file.
 */
import { z } from 'zod'
import { mapConcurrent } from '../concurrency.ts'
import { ToolError } from '../errors.ts'
import { tailText } from '../logs/tail.ts'
import type { ListedFile, OutputClient } from '../output/client.ts'
import { defineTool } from '../registry.ts'
import { JobSchema, ResultSchema } from '../torc/schemas.ts'
import { fitPage, jobId, limit, offset, pageInfo, readOnly, workflowId } from './fields.ts'
import { analyzeWorkflowLogs } from './log-analysis.ts'
import { MAX_LOG_TEXT, requireOutput, tailJobLog } from './output-access.ts'

/** "run 1 attempt 2 (stdout, stderr)" for each run/attempt a job has logs for. */
function describeJobLogs(files: ListedFile[]): string {
  const order: string[] = ['stdout', 'stderr', 'combined']
  const byAttempt = new Map<string, string[]>()
  for (const f of files) {
    const key = `run ${f.run_id} attempt ${f.attempt_id}`
    const type = f.kind === 'job_stdout' ? 'stdout' : f.kind === 'job_stderr' ? 'stderr' : 'combined'
    byAttempt.set(
      key,
      [...(byAttempt.get(key) ?? []), type].sort((a, b) => order.indexOf(a) - order.indexOf(b))
    )
  }
  return [...byAttempt].map(([key, types]) => `${key} (${types.join(', ')})`).join('; ')
}

/** The not-found answer, naming the runs and attempts the job does have logs for. */
async function missingLog(
  output: OutputClient,
  input: { workflow_id: number; job_id: number; run_id: number; attempt_id: number; log_type: string }
) {
  const listing = await output.listFiles(input.workflow_id, { filter: { job_ids: [input.job_id] } })
  const wanted =
    `no ${input.log_type} log for job ${input.job_id} (run ` +
    `${input.run_id}, attempt ${input.attempt_id}) under the output directory`
  const found = listing ? describeJobLogs(listing.files.slice(0, 50)) : ''
  return new ToolError(
    'not_found',
    found
      ? `${wanted}; it has logs for ${found}: call again with that run_id and attempt_id`
      : `${wanted}, nor for any other run: the job may not have ` +
          `started yet, its stdio mode discards this stream (see ` +
          'get_job_details), or its runner wrote logs to another folder ' +
          'than the one the site server serves (`torc run -o <folder>`)'
  )
}

export const getJobLogs = defineTool({
  name: 'get_job_logs',
  title: 'Get job logs',
  description:
    "Read a job's stdout or stderr from the cluster, from the end: the last tail_lines lines, optionally only " +
    'lines containing grep. Use it after get_job_details or list_failed_jobs, which give run_id and attempt_id. ' +
    'Reads max_bytes from the end of the file and says exactly what it left out.',
  input: z.object({
    workflow_id: workflowId,
    job_id: jobId,
    run_id: z.number().int().positive().describe('Workflow run (1 for the first; grows on each restart or recovery).'),
    attempt_id: z
      .number()
      .int()
      .positive()
      .default(1)
      .describe('Attempt within the run (default 1; grows on retries).'),
    log_type: z
      .enum(['stdout', 'stderr'])
      .describe('stdout or stderr. A job with combined stdio has one log; either value reads it.'),
    tail_lines: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .optional()
      .describe('Return only the last N lines (default: all lines read).'),
    grep: z.string().min(1).max(200).optional().describe('Keep only lines containing this text (case-insensitive).'),
    max_bytes: z
      .number()
      .int()
      .min(1024)
      .max(1_048_576)
      .default(65_536)
      .describe(
        `Bytes read (and grepped) from the end of the file: default 65536, at ` +
          `most 1 MiB. At most ${MAX_LOG_TEXT} bytes of lines are returned.`
      ),
  }),
  output: z.object({
    path: z.string().describe('The log file, relative to the output directory.'),
    combined: z.boolean().describe('The job writes stdout and stderr to one combined log, which this is.'),
    size_bytes: z.number().int().describe("The file's size."),
    bytes_read: z.number().int().describe('Bytes read from its end.'),
    lines_returned: z.number().int().describe('Lines in content.'),
    truncated: z.boolean().describe('Something before the returned lines was not read or not returned.'),
    note: z
      .string()
      .nullable()
      .describe('What was left out, e.g. "[truncated: 1048576 earlier bytes not read]"; null when nothing was.'),
    content: z.string().describe('The log lines, joined with newlines.'),
  }),
  annotations: readOnly,
  view: 'logs',
  async handler(input, ctx) {
    const output = requireOutput(ctx)
    const log = await tailJobLog(output, input, input.log_type, input.max_bytes)
    if (!log) throw await missingLog(output, input)
    const { path, combined, read } = log
    const tail = tailText(read.text, {
      startsMidFile: read.start > 0,
      skippedBytes: read.start,
      tailLines: input.tail_lines,
      grep: input.grep,
      maxBytes: MAX_LOG_TEXT,
    })
    return {
      path,
      combined,
      size_bytes: read.size,
      bytes_read: read.size - read.start,
      lines_returned: tail.lines.length,
      truncated: tail.truncated,
      note: tail.marker,
      content: tail.lines.join('\n'),
    }
  },
  summarize: (out) => `${out.lines_returned} lines of ${out.path}${out.note ? ` ${out.note}` : ''}`,
})

/** Bytes of stderr read per pending_failed job: enough for 50 long lines, one request each. */
const STDERR_TAIL_BYTES = 16_384

export const listPendingFailedJobs = defineTool({
  name: 'list_pending_failed_jobs',
  title: 'List pending_failed jobs',
  description:
    'List jobs that failed and await a decision (pending_failed), each with its latest result and the end of its ' +
    'stderr, so you can classify each failure as transient (retry) or permanent (fail). Use before ' +
    'classify_and_resolve_failures.',
  input: z.object({
    workflow_id: workflowId,
    limit: limit(20, 100),
    offset,
    tail_lines: z.number().int().min(0).max(200).default(50).describe('Lines of stderr per job (default 50).'),
  }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    ...pageInfo,
    logs_available: z.boolean().describe('False when this deployment has no log access (TORC_OUTPUT_URL).'),
    jobs: z
      .array(
        z.object({
          job_id: z.number().int().describe('Job id.'),
          name: z.string().describe('Job name.'),
          command: z.string().describe('Command line.'),
          attempt_id: z.number().int().nullable().describe('Attempt that failed.'),
          run_id: z.number().int().nullable().describe('Run of the result.'),
          return_code: z.number().int().nullable().describe('Return code.'),
          exec_time_minutes: z.number().nullable().describe('Execution time.'),
          peak_memory_bytes: z.number().nullable().describe('Peak memory, when monitored.'),
          stderr_tail: z.string().nullable().describe('Last lines of stderr, or null (see stderr_note).'),
          stderr_note: z.string().nullable().describe('Why stderr is missing or cut.'),
        })
      )
      .describe('pending_failed jobs, by id.'),
    next_steps: z.string().describe('What to do next.'),
  }),
  annotations: readOnly,
  async handler({ workflow_id, limit, offset, tail_lines }, ctx) {
    const [jobs, results] = await Promise.all([
      ctx.torc.list('/jobs', JobSchema, { workflow_id, status: 'pending_failed' }, { limit, offset }),
      ctx.torc.list('/results', ResultSchema, { workflow_id, status: 'pending_failed' }),
    ])
    // Each job's newest pending_failed result (one list call, not one per job).
    const latest = new Map<number, (typeof results.items)[number]>()
    for (const r of results.items) {
      const seen = latest.get(r.job_id)
      if (!seen || r.id > seen.id) latest.set(r.job_id, r)
    }
    const items = await mapConcurrent(jobs.items, 5, async (job) => {
      const r = latest.get(job.id)
      let stderr_tail: string | null = null
      let stderr_note: string | null = null
      if (!ctx.output) stderr_note = 'log access is not configured on this deployment (TORC_OUTPUT_URL)'
      else if (!r) stderr_note = 'no result recorded, so no log location'
      else {
        const attempt = r.attempt_id ?? job.attempt_id ?? 1
        // One log the site cannot give is a note on that job: the listing is Torc's, and stays whole.
        const log = await tailJobLog(
          ctx.output,
          { workflow_id, job_id: job.id, run_id: r.run_id, attempt_id: attempt },
          'stderr',
          STDERR_TAIL_BYTES
        ).catch((err: unknown) => {
          if (!(err instanceof ToolError)) throw err
          return err
        })
        const read = log instanceof ToolError ? undefined : log?.read
        if (log instanceof ToolError) stderr_note = `stderr could not be read: ${log.message}`
        else if (!read) stderr_note = `no stderr log for run ${r.run_id} attempt ${attempt} under the output directory`
        else {
          const tail = tailText(read.text, {
            startsMidFile: read.start > 0,
            skippedBytes: read.start,
            tailLines: tail_lines,
            maxBytes: 4_096,
          })
          stderr_tail = tail.lines.join('\n')
          stderr_note = tail.marker
        }
      }
      return {
        job_id: job.id,
        name: job.name,
        command: job.command,
        attempt_id: r?.attempt_id ?? job.attempt_id ?? null,
        run_id: r?.run_id ?? null,
        return_code: r?.return_code ?? null,
        exec_time_minutes: r?.exec_time_minutes ?? null,
        peak_memory_bytes: r?.peak_memory_bytes ?? null,
        stderr_tail,
        stderr_note,
      }
    })
    const fitted = fitPage(items, jobs.total, offset)
    return {
      workflow_id,
      ...fitted.page,
      logs_available: ctx.output !== undefined,
      jobs: fitted.items,
      next_steps: fitted.items.length
        ? 'These jobs failed without a matching failure handler. Decide per job from its stderr: retry (transient; ' +
          'optionally with more memory/runtime) or fail (permanent), then call classify_and_resolve_failures with ' +
          'dry_run=true and ask before applying.'
        : `No pending_failed jobs in workflow ${workflow_id}.`,
    }
  },
  summarize: (out) => `${out.total} pending_failed jobs in workflow ${out.workflow_id}`,
})

export const logTools = [getJobLogs, analyzeWorkflowLogs, listPendingFailedJobs]
