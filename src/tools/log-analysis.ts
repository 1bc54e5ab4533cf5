/**
 * analyze_workflow_logs: torc 1.0.0's log analysis over the site's bundle, one subrequest for all of
 * a workflow's logs, streamed (src/logs/). Filters narrow the bundle on the site, not here.
 */
import { z } from 'zod'
import { analyzeBundle } from '../logs/analyze.ts'
import { LogAnalyzer } from '../logs/analyzer.ts'
import { logGuidance } from '../recovery/log-guidance.ts'
import { loadDiagnosis } from '../recovery/state.ts'
import { defineTool } from '../registry.ts'
import { FileKindSchema } from '../site-protocol/schemas.ts'
import { readOnly, workflowId } from './fields.ts'
import { requireOutput } from './output-access.ts'

/** Leaves room under GPT Actions' 45 s and the tunnel's 120 s for the answer itself. */
export const ANALYSIS_TIME_BUDGET_MS = 35_000

const finding = z.object({
  file: z.string().describe('Log file, relative to the output directory.'),
  line: z.number().int().describe('Line number (1-based).'),
  type: z.string().describe('Pattern name, e.g. "OOM Killed".'),
  content: z.string().describe('The line, cut at 120 bytes.'),
})

const recovery = z
  .object({
    jobs_out_of_memory: z.number().int().describe('Failed jobs whose results say they ran out of memory.'),
    jobs_timed_out: z.number().int().describe('Failed or terminated jobs whose results say they ran out of time.'),
    oom_lines: z.number().int().describe('Log lines showing OOM kills ("OOM Killed", and Slurm\'s oom-kill lines).'),
    timeout_lines: z
      .number()
      .int()
      .describe('Log lines showing time limits ("Timeout", and Slurm\'s time-limit lines).'),
    recommendation: z.string().describe('What to do, and what recover_workflow would change.'),
    recovery_workflow: z
      .array(z.string())
      .describe('The steps, in order, with the user asked before anything changes.'),
    tool_call_example: z
      .object({
        tool: z.literal('recover_workflow').describe('The tool to call.'),
        parameters: z
          .object({
            workflow_id: z.number().int().describe('This workflow.'),
            dry_run: z.literal(true).describe('Preview first.'),
          })
          .describe('Its arguments.'),
        note: z.string().describe('How to use it.'),
      })
      .describe('The first call to make.'),
  })
  .nullable()
  .describe('Present when jobs failed out of memory or time (by their results); null otherwise.')

export const analyzeWorkflowLogs = defineTool({
  name: 'analyze_workflow_logs',
  title: 'Analyze workflow logs',
  description:
    "Scan all of a workflow's log files (job stdout/stderr, runner and Slurm logs, dmesg) for known errors: OOM, " +
    'timeouts, segfaults, permissions, missing files, disk full, connection errors, Python/Rust crashes, Slurm. ' +
    'Returns counts by type and file, sample lines, and recovery guidance. (No output_dir: the logs come from ' +
    "the site server next to Torc's output directory.)",
  input: z.object({
    workflow_id: workflowId,
    job_ids: z
      .array(z.number().int().positive())
      .min(1)
      .max(1000)
      .optional()
      .describe("Only these jobs' stdout/stderr (default: every log of the workflow)."),
    run_id: z.number().int().positive().optional().describe('Only logs of this run (job logs and job runner logs).'),
    log_kinds: z
      .array(FileKindSchema.exclude(['slurm_env', 'remote_worker', 'resource_db']))
      .min(1)
      .optional()
      .describe(
        'Only these kinds of log: job_stdout, job_stderr, job_combined, ' +
          'job_runner, slurm_job_runner, slurm_stdout, slurm_stderr, dmesg, watch.'
      ),
    sample_limit: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('Error lines to quote (default 10, at most 100).'),
  }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    summary: z.string().describe('One sentence for the user.'),
    files_parsed: z.number().int().describe('Log files scanned.'),
    bytes_scanned: z.number().int().describe('Bytes scanned.'),
    error_count: z.number().int().describe('Error findings.'),
    warning_count: z.number().int().describe('Warning findings (generic "error"/"failed" lines).'),
    errors_by_type: z
      .array(z.object({ type: z.string().describe('Pattern name.'), count: z.number().int().describe('Findings.') }))
      .describe('Error findings per pattern, most first.'),
    sample_errors: z.array(finding).describe('The first sample_limit error findings, in scan order.'),
    files_with_errors: z
      .array(
        z.object({
          file: z.string().describe('Log file.'),
          errors: z.number().int().describe('Errors in it.'),
          warnings: z.number().int().describe('Warnings in it.'),
        })
      )
      .describe('Files with findings, in scan order (first 200).'),
    files_with_errors_total: z.number().int().describe('Files with findings in all.'),
    files_with_errors_truncated: z.boolean().describe('More files had findings than are listed.'),
    files_with_invalid_utf8: z
      .number()
      .int()
      .describe('Files with invalid UTF-8 (scanned with replacement characters; torc skips them).'),
    files_unreadable: z.number().int().describe('Files the site server could not read.'),
    overlong_lines: z.number().int().describe('Lines longer than 1 MiB (classified over their whole length).'),
    truncated: z.boolean().describe('Not every log was scanned: a site cap or the time budget stopped it.'),
    truncation_reason: z.string().nullable().describe('Which limit applied.'),
    recovery,
  }),
  annotations: readOnly,
  view: 'logs',
  async handler(input, ctx) {
    const { workflow_id } = input
    const filter = { job_ids: input.job_ids, run_id: input.run_id, kinds: input.log_kinds }
    const filtered = Object.values(filter).some((v) => v !== undefined)
    const stream = await requireOutput(ctx).bundle(workflow_id, { filter })
    // No logs yet: the answer of an analysis of nothing, said plainly.
    const r = stream
      ? await analyzeBundle(stream, {
          sampleLimit: input.sample_limit,
          filesListed: 200,
          timeBudgetMs: ANALYSIS_TIME_BUDGET_MS,
          onProgress: (done, total, bytes) =>
            void ctx.progress(
              done,
              total,
              `${done}${total === undefined ? '' : ` of ${total}`} log files scanned (${Math.round(bytes / 1e6)} MB)`
            ),
        })
      : { ...new LogAnalyzer().result(), truncated: false, truncation_reason: null }
    const diagnosis = await loadDiagnosis(ctx.torc, workflow_id, true)
    const summary = !stream
      ? filtered
        ? `No log files of workflow ${workflow_id} match the filter under the output directory.`
        : diagnosis.total_results > 0
          ? `No log files for workflow ${workflow_id} under the output directory, ` +
            `yet it has ${diagnosis.total_results} ` +
            'job result(s): its jobs ran, but their logs went to another folder. ' +
            '`torc run` writes to ./torc_output unless -o names the output ' +
            'directory the site server serves; rerun with that -o to see them here.'
          : `No log files for workflow ${workflow_id} under the output directory yet.`
      : r.error_count === 0 && r.warning_count === 0
        ? 'No errors or warnings detected in log files.'
        : `Found ${r.error_count} error(s) and ${r.warning_count} warning(s) across ${r.files_parsed} log files.`
    return {
      workflow_id,
      summary: r.truncated ? `${summary} Not every log was scanned: ${r.truncation_reason}.` : summary,
      files_parsed: r.files_parsed,
      bytes_scanned: r.bytes_scanned,
      error_count: r.error_count,
      warning_count: r.warning_count,
      errors_by_type: r.errors_by_type,
      sample_errors: r.sample_errors.map(({ file, line, type, content }) => ({ file, line, type, content })),
      files_with_errors: r.files_with_errors,
      files_with_errors_total: r.files_with_errors_total,
      files_with_errors_truncated: r.files_with_errors_truncated,
      files_with_invalid_utf8: r.files_with_invalid_utf8,
      files_unreadable: r.files_unreadable,
      overlong_lines: r.overlong_lines,
      truncated: r.truncated,
      truncation_reason: r.truncation_reason,
      recovery: logGuidance(workflow_id, diagnosis, r),
    }
  },
  summarize: (out) => out.summary,
})
