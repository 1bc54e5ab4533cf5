import { z } from 'zod'

/** Output schemas shared by check_resource_utilization and recover_workflow. */
const causes = ['oom', 'timeout', 'oom_and_timeout', 'node_failure', 'unknown'] as const
export const causeSchema = z
  .enum(causes)
  .describe('Likely cause: oom, timeout, oom_and_timeout, node_failure (compute node lost) or unknown.')

export const violationSchema = z.object({
  job_id: z.number().int().describe('Job id.'),
  job_name: z.string().describe('Job name.'),
  resource_type: z.enum(['Memory', 'CPU', 'Runtime']).describe('Which resource.'),
  specified: z.string().describe('What the job requested.'),
  peak_used: z.string().describe('What it used at peak.'),
  over_utilization: z.string().describe('How far over, e.g. "+199.0%".'),
})

export const failedJobSchema = z.object({
  job_id: z.number().int().describe('Job id.'),
  job_name: z.string().describe('Job name.'),
  status: z.string().describe('failed or terminated.'),
  return_code: z.number().int().describe('Return code (137 or -9: killed; 152: CPU limit; -128: node lost).'),
  exec_time_minutes: z.number().describe('Execution time in minutes.'),
  run_id: z.number().int().describe('Run of the result.'),
  attempt_id: z.number().int().nullable().describe('Attempt of the result.'),
  resource_requirements_id: z.number().int().nullable().describe('Requirement the job uses.'),
  configured_memory: z.string().nullable().describe('Requested memory.'),
  configured_runtime: z.string().nullable().describe('Requested runtime.'),
  configured_cpus: z.number().int().nullable().describe('Requested CPUs.'),
  peak_memory_bytes: z.number().nullable().describe('Peak memory in bytes, when monitored.'),
  peak_memory_formatted: z.string().nullable().describe('Peak memory, e.g. "29.90 GB".'),
  memory_violation: z.boolean().describe('Likely out of memory.'),
  oom_reason: z.string().nullable().describe('memory_exceeded, sigkill_137 or sigkill_-9.'),
  memory_over_utilization: z.string().nullable().describe('How far over its memory, e.g. "+199.0%".'),
  likely_timeout: z.boolean().describe('Likely ran out of time.'),
  timeout_reason: z.string().nullable().describe('sigxcpu_152 or terminated_at_allocation_end, when known.'),
  runtime_utilization: z.string().nullable().describe('Share of the runtime limit used, e.g. "119.4%".'),
  likely_cpu_violation: z.boolean().describe('Used more CPU than requested.'),
  peak_cpu_percent: z.number().nullable().describe('Peak CPU percent (100 per core).'),
  likely_runtime_violation: z.boolean().describe('Ran longer than its runtime limit.'),
  cause: causeSchema,
})

export const diagnosisSchema = z.object({
  workflow_id: z.number().int().describe('Workflow id.'),
  total_results: z.number().int().describe('Results examined (current run).'),
  over_utilization_count: z.number().int().describe('Violation rows (a job can have up to three).'),
  jobs_over_count: z.number().int().describe('Distinct jobs with at least one violation row.'),
  violations: z.array(violationSchema).describe('Memory, CPU and runtime over-use, per job.'),
  resource_violations_count: z.number().int().describe('Failed or terminated jobs diagnosed.'),
  resource_violations: z.array(failedJobSchema).describe('Each failed or terminated job with its likely cause.'),
})
