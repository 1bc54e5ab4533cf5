import { z } from 'zod'

/**
 * Output schemas shared by check_resource_utilization and recover_workflow. The report has the
 * fields of torc 1.0.0's JSON (`torc -f json workflows check-resources <id> --include-failed`) with
 * the same values; where Rust omits a field (absent peak, false flag) it is null or false here.
 * torc-edge's additions are marked "(torc-edge)".
 */
const causes = ['oom', 'timeout', 'oom_and_timeout', 'node_failure', 'unknown'] as const
export const causeSchema = z
  .enum(causes)
  .describe('(torc-edge) Likely cause: oom, timeout, oom_and_timeout, node_failure (compute node lost) or unknown.')

export const violationSchema = z.object({
  job_id: z.number().int().describe('Job id.'),
  job_name: z.string().describe('Job name.'),
  resource_type: z.enum(['Memory', 'CPU', 'Runtime']).describe('Which resource.'),
  specified: z.string().describe('What the job requested, e.g. "10.00 GB", "400% (4 cores)", "30m 0s".'),
  peak_used: z.string().describe('What it used at peak (memory, CPU) or ran for (runtime).'),
  over_utilization: z.string().describe('How far over, e.g. "+199.0%" (rows under 1% over are not reported).'),
})

export const failedJobSchema = z.object({
  job_id: z.number().int().describe('Job id.'),
  job_name: z.string().describe('Job name.'),
  status: z.string().describe('(torc-edge) failed or terminated.'),
  return_code: z
    .number()
    .int()
    .describe(
      'Return code: 137 or -9 killed (SIGKILL), 152 time limit, ' +
        '128+N or -N signal N, -1 no exit status, -128 node lost.'
    ),
  exec_time_minutes: z.number().describe('Execution time in minutes.'),
  run_id: z.number().int().describe('(torc-edge) Run of the result.'),
  attempt_id: z.number().int().nullable().describe('(torc-edge) Attempt of the result.'),
  resource_requirements_id: z.number().int().nullable().describe('(torc-edge) Requirement the job uses.'),
  configured_memory: z.string().nullable().describe('Requested memory.'),
  configured_runtime: z.string().nullable().describe('Requested runtime.'),
  configured_cpus: z.number().int().nullable().describe('Requested CPUs.'),
  peak_memory_bytes: z.number().nullable().describe('Peak memory in bytes, when monitored.'),
  peak_memory_formatted: z.string().nullable().describe('Peak memory, e.g. "29.90 GB".'),
  memory_violation: z
    .boolean()
    .describe('torc 1.0.0 reads it as out of memory (peak over the limit, or 137 early in its runtime).'),
  oom_reason: z.string().nullable().describe('memory_exceeded or sigkill_137, when memory_violation.'),
  memory_over_utilization: z.string().nullable().describe('How far over its memory, e.g. "+199.0%".'),
  likely_timeout: z
    .boolean()
    .describe('torc 1.0.0 reads it as a timeout (over 90% of its runtime, or return code 152).'),
  timeout_reason: z.string().nullable().describe('sigxcpu_152 for return code 152.'),
  runtime_utilization: z.string().nullable().describe('Share of the runtime limit used, e.g. "119.4%".'),
  likely_cpu_violation: z.boolean().describe('Used more CPU than requested.'),
  peak_cpu_percent: z.number().nullable().describe('Peak CPU percent (100 per core).'),
  likely_runtime_violation: z.boolean().describe('Ran longer than its runtime limit.'),
  cause: causeSchema,
  cause_detail: z
    .string()
    .describe(
      '(torc-edge) The evidence for the cause: return code or signal, ' +
        "the workflow's oom/timeout exit codes, peak, share of runtime."
    ),
})

export const diagnosisSchema = z.object({
  workflow_id: z.number().int().describe('Workflow id.'),
  total_results: z.number().int().describe('Results examined (current run).'),
  over_utilization_count: z.number().int().describe('Violation rows (a job can have up to three).'),
  jobs_over_count: z.number().int().describe('(torc-edge) Distinct jobs with at least one violation row.'),
  violations: z
    .array(violationSchema)
    .describe('Memory, CPU and runtime over-use, per job (Memory, CPU, Runtime order).'),
  resource_violations_count: z
    .number()
    .int()
    .describe('Failed or terminated jobs diagnosed (0 with include_failed=false).'),
  resource_violations: z.array(failedJobSchema).describe('Each failed or terminated job with its likely cause.'),
})

/** check_resource_utilization's answer: the report, its lists cut to fit a client's answer size. */
export const utilizationSchema = diagnosisSchema.extend({
  violations_truncated: z
    .boolean()
    .describe('(torc-edge) violations holds only the first rows (limit, or the answer size); the counts are complete.'),
  resource_violations_truncated: z
    .boolean()
    .describe(
      '(torc-edge) resource_violations holds only the first failed ' +
        'jobs (limit, or the answer size); the counts are complete.'
    ),
  guidance: z.string().nullable().describe('(torc-edge) What to do next when anything exceeded its limits.'),
})
