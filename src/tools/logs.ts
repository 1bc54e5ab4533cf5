import { z } from 'zod'
import { mapConcurrent } from '../concurrency.ts'
import { ToolError } from '../errors.ts'
import { LogAnalyzer } from '../logs/analyzer.ts'
import { readBundle } from '../logs/bundle.ts'
import { tailText } from '../logs/tail.ts'
import type { OutputClient } from '../output/client.ts'
import { defineTool, type ToolContext } from '../registry.ts'
import { JobSchema, ResultSchema } from '../torc/schemas.ts'
import { jobId, limit, page, pageInfo, readOnly, workflowId } from './fields.ts'

function requireOutput(ctx: ToolContext): OutputClient {
  if (ctx.output) return ctx.output
  throw new ToolError(
    'upstream_unavailable',
    'log access is not configured on this deployment: set TORC_OUTPUT_URL and TORC_OUTPUT_TOKEN to the site server that runs next to Torc'
  )
}

/** Torc's job log path (client/log_paths.rs), relative to the output directory. */
export const jobLogPath = (wf: number, job: number, run: number, attempt: number, type: 'stdout' | 'stderr') =>
  `job_stdio/job_wf${wf}_j${job}_r${run}_a${attempt}.${type === 'stdout' ? 'o' : 'e'}`

export const getJobLogs = defineTool({
  name: 'get_job_logs',
  title: 'Get job logs',
  description:
    'Read a job\'s stdout or stderr from the cluster, from the end: the last tail_lines lines, optionally only ' +
    'lines containing grep. Use it after get_job_details or list_failed_jobs, which give run_id and attempt_id. ' +
    'Reads at most max_bytes from the end of the file and says when it cut.',
  input: z.object({
    workflow_id: workflowId,
    job_id: jobId,
    run_id: z.number().int().positive().describe('Workflow run (1 for the first; grows on each restart or recovery).'),
    attempt_id: z.number().int().positive().default(1).describe('Attempt within the run (default 1; grows on retries).'),
    log_type: z.enum(['stdout', 'stderr']).describe('stdout or stderr.'),
    tail_lines: z.number().int().min(0).max(10_000).optional().describe('Return only the last N lines (default: everything read).'),
    grep: z.string().min(1).max(200).optional().describe('Keep only lines containing this text (case-insensitive).'),
    max_bytes: z.number().int().min(1024).max(1_048_576).default(65_536).describe('Bytes read from the end of the file (default 65536, at most 1 MiB).'),
  }),
  output: z.object({
    path: z.string().describe('The log file, relative to the output directory.'),
    size_bytes: z.number().int().describe('The file\'s size.'),
    bytes_read: z.number().int().describe('Bytes read from its end.'),
    lines_returned: z.number().int().describe('Lines in content.'),
    truncated: z.boolean().describe('True when the file is longer than what was read.'),
    note: z.string().nullable().describe('What was left out, when anything was.'),
    content: z.string().describe('The log lines, joined with newlines.'),
  }),
  annotations: readOnly,
  async handler(input, ctx) {
    const output = requireOutput(ctx)
    const path = jobLogPath(input.workflow_id, input.job_id, input.run_id, input.attempt_id, input.log_type)
    const read = await output.tail(path, input.max_bytes)
    if (!read) {
      throw new ToolError(
        'not_found',
        `no ${input.log_type} log for job ${input.job_id} (run ${input.run_id}, attempt ${input.attempt_id}) under the output directory yet: ` +
          'the job may not have started, or ran under another run/attempt (see get_job_details)'
      )
    }
    const truncated = read.start > 0
    const { lines } = tailText(read.text, { startsMidFile: truncated, tailLines: input.tail_lines, grep: input.grep })
    return {
      path,
      size_bytes: read.size,
      bytes_read: read.size - read.start,
      lines_returned: lines.length,
      truncated,
      note: truncated ? `[truncated: the first ${read.start} bytes of the file were not read; raise max_bytes to see more]` : null,
      content: lines.join('\n'),
    }
  },
  summarize: (out) => `${out.lines_returned} lines of ${out.path}${out.truncated ? ' (truncated)' : ''}`,
})

const finding = z.object({
  file: z.string().describe('Log file, relative to the output directory.'),
  line: z.number().int().describe('Line number (1-based).'),
  type: z.string().describe('Pattern name, e.g. "OOM Killed".'),
  content: z.string().describe('The line, cut at 120 bytes.'),
})

export const analyzeWorkflowLogs = defineTool({
  name: 'analyze_workflow_logs',
  title: 'Analyze workflow logs',
  description:
    'Scan all of a workflow\'s log files (job stdout/stderr, runner and Slurm logs, dmesg) for known errors: OOM, ' +
    'timeouts, segfaults, permissions, missing files, disk full, connection errors, Python/Rust crashes, Slurm. ' +
    'Returns counts by type and file, sample lines, and recovery guidance.',
  input: z.object({ workflow_id: workflowId }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    summary: z.string().describe('One sentence for the user.'),
    files_parsed: z.number().int().describe('Log files scanned.'),
    bytes_scanned: z.number().int().describe('Bytes scanned.'),
    error_count: z.number().int().describe('Error findings.'),
    warning_count: z.number().int().describe('Warning findings (generic "error"/"failed" lines).'),
    errors_by_type: z.array(z.object({ type: z.string(), count: z.number().int() })).describe('Error findings per pattern, most first.'),
    sample_errors: z.array(finding).describe('The first 10 error findings.'),
    files_with_errors: z
      .array(z.object({ file: z.string(), errors: z.number().int(), warnings: z.number().int() }))
      .describe('Files with findings (first 1000).'),
    files_with_errors_truncated: z.boolean().describe('More files had findings than are listed.'),
    files_with_invalid_utf8: z.number().int().describe('Files with invalid UTF-8 (scanned with replacement characters).'),
    truncated: z.boolean().describe('The site server stopped early at its caps; the reason says which.'),
    truncation_reason: z.string().nullable().describe('Which cap applied.'),
    recovery: z
      .object({
        oom_errors: z.number().int().describe('OOM findings.'),
        timeout_errors: z.number().int().describe('Timeout findings.'),
        recommendation: z.string().describe('What to do.'),
      })
      .nullable()
      .describe('Present when OOM or timeouts were found.'),
  }),
  annotations: readOnly,
  async handler({ workflow_id }, ctx) {
    const output = requireOutput(ctx)
    const stream = await output.bundle(workflow_id)
    const analyzer = new LogAnalyzer()
    let trailer: { truncated: boolean; reason?: string | undefined } = { truncated: false }
    if (stream) {
      let done = 0
      trailer = await readBundle(stream, {
        beginFile: (path) => analyzer.beginFile(path),
        write: (bytes) => analyzer.write(bytes),
        endFile: () => {
          analyzer.endFile()
          if (++done % 500 === 0) void ctx.progress(done, undefined, `${done} log files scanned`)
        },
      })
    }
    const r = analyzer.result()
    const summary = !stream
      ? `No log files for workflow ${workflow_id} under the output directory yet.`
      : r.error_count === 0 && r.warning_count === 0
        ? 'No errors or warnings detected in log files.'
        : `Found ${r.error_count} error(s) and ${r.warning_count} warning(s) across ${r.files_parsed} log files.`
    const recoverable = r.oom_errors + r.timeout_errors > 0
    return {
      workflow_id,
      summary,
      files_parsed: r.files_parsed,
      bytes_scanned: r.bytes_scanned,
      error_count: r.error_count,
      warning_count: r.warning_count,
      errors_by_type: r.errors_by_type,
      sample_errors: r.sample_errors.map(({ file, line, type, content }) => ({ file, line, type, content })),
      files_with_errors: r.files_with_errors,
      files_with_errors_truncated: r.files_with_errors_truncated,
      files_with_invalid_utf8: r.files_with_invalid_utf8,
      truncated: trailer.truncated,
      truncation_reason: trailer.reason ?? null,
      recovery: recoverable
        ? {
            oom_errors: r.oom_errors,
            timeout_errors: r.timeout_errors,
            recommendation:
              'Recoverable errors detected: call check_resource_utilization to see which jobs exceeded their limits, then ' +
              `recover_workflow(workflow_id=${workflow_id}, dry_run=true); show the plan and ask before applying it.`,
          }
        : null,
    }
  },
  summarize: (out) => out.summary,
})

export const listPendingFailedJobs = defineTool({
  name: 'list_pending_failed_jobs',
  title: 'List pending_failed jobs',
  description:
    'List jobs that failed and await a decision (pending_failed), each with its latest result and the end of its ' +
    'stderr, so you can decide retry or fail. Use before classify_and_resolve_failures.',
  input: z.object({
    workflow_id: workflowId,
    limit: limit(50, 200),
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
  async handler({ workflow_id, limit, tail_lines }, ctx) {
    const [jobs, results] = await Promise.all([
      ctx.torc.list('/jobs', JobSchema, { workflow_id, status: 'pending_failed' }, { limit }),
      ctx.torc.list('/results', ResultSchema, { workflow_id, status: 'pending_failed' }),
    ])
    const latest = new Map(results.items.map((r) => [r.job_id, r]))
    const items = await mapConcurrent(jobs.items, 6, async (job) => {
      const r = latest.get(job.id)
      let stderr_tail: string | null = null
      let stderr_note: string | null = null
      if (!ctx.output) stderr_note = 'log access is not configured on this deployment (TORC_OUTPUT_URL)'
      else if (!r) stderr_note = 'no result recorded, so no log location'
      else {
        const read = await ctx.output.tail(jobLogPath(workflow_id, job.id, r.run_id, r.attempt_id ?? 1, 'stderr'), 65_536)
        if (!read) stderr_note = 'no stderr file under the output directory'
        else {
          stderr_tail = tailText(read.text, { startsMidFile: read.start > 0, tailLines: tail_lines }).lines.join('\n')
          if (read.start > 0) stderr_note = 'only the last 64 KiB of stderr were read'
        }
      }
      return {
        job_id: job.id,
        name: job.name,
        command: job.command,
        attempt_id: job.attempt_id ?? null,
        run_id: r?.run_id ?? null,
        return_code: r?.return_code ?? null,
        exec_time_minutes: r?.exec_time_minutes ?? null,
        peak_memory_bytes: r?.peak_memory_bytes ?? null,
        stderr_tail,
        stderr_note,
      }
    })
    return {
      workflow_id,
      ...page(jobs.total, 0, items.length),
      logs_available: ctx.output !== undefined,
      jobs: items,
      next_steps: items.length
        ? 'Decide per job: retry (optionally with more memory/runtime) or fail, then call classify_and_resolve_failures with dry_run=true and ask before applying.'
        : `No pending_failed jobs in workflow ${workflow_id}.`,
    }
  },
  summarize: (out) => `${out.total} pending_failed jobs in workflow ${out.workflow_id}`,
})

export const logTools = [getJobLogs, analyzeWorkflowLogs, listPendingFailedJobs]
