/**
 * What analyze_workflow_logs tells the assistant to do about OOM kills and timeouts. It counts jobs,
 * from their results (what recover_workflow acts on), and cites the log lines as evidence: runners
 * log two lines per OOM-killed job, a job may echo "timeout" and succeed, and on Slurm the kill is
 * "slurmstepd: error: Detected 1 oom-kill event(s)", which torc 1.0.0's patterns file under "Slurm
 * Error". (torc 1.0.0 means to attach such a block but never does: it looks up type names that do
 * not exist.) Guidance appears only when a job failed that recover_workflow would fix.
 */
import type { Diagnosis } from './diagnose.ts'
import { DEFAULT_MEMORY_MULTIPLIER, DEFAULT_RUNTIME_MULTIPLIER } from './options.ts'

export interface LogLines {
  oom_errors: number
  timeout_errors: number
  slurm_oom_lines: number
  slurm_timeout_lines: number
}

export interface LogGuidance {
  jobs_out_of_memory: number
  jobs_timed_out: number
  oom_lines: number
  timeout_lines: number
  recommendation: string
  recovery_workflow: string[]
  tool_call_example: { tool: 'recover_workflow'; parameters: { workflow_id: number; dry_run: true }; note: string }
}

const RULE =
  `recover_workflow raises memory ${DEFAULT_MEMORY_MULTIPLIER}x (at least the observed peak + 10%) and runtime ` +
  `${DEFAULT_RUNTIME_MULTIPLIER}x (at least the longest run + 10%) by default, or by the multipliers the user gives`

/** Guidance when jobs failed out of memory or time; null when none did (whatever the lines say). */
export function logGuidance(workflowId: number, diagnosis: Diagnosis, lines: LogLines): LogGuidance | null {
  const failed = diagnosis.resource_violations
  const oom = failed.filter((f) => f.cause === 'oom' || f.cause === 'oom_and_timeout').length
  const timedOut = failed.filter((f) => f.cause === 'timeout' || f.cause === 'oom_and_timeout').length
  if (oom + timedOut === 0) return null
  const oomLines = lines.oom_errors + lines.slurm_oom_lines
  const timeoutLines = lines.timeout_errors + lines.slurm_timeout_lines
  const what = [oom && `${oom} job(s) failed out of memory`, timedOut && `${timedOut} job(s) ran out of time`]
    .filter(Boolean)
    .join(' and ')
  const evidence = [oomLines && `${oomLines} OOM line(s)`, timeoutLines && `${timeoutLines} time-limit line(s)`]
    .filter(Boolean)
    .join(' and ')
  return {
    jobs_out_of_memory: oom,
    jobs_timed_out: timedOut,
    oom_lines: oomLines,
    timeout_lines: timeoutLines,
    recommendation:
      `${what}, by their results${evidence ? `; the logs show ${evidence}` : ''}. ${RULE}: ` +
      'preview it, show the user the new values, and apply only if they agree.',
    recovery_workflow: [
      '1. check_resource_utilization: which jobs exceeded memory or runtime, and by how much',
      '2. recover_workflow with dry_run=true: the proposed memory/runtime changes',
      '3. Show the user the preview and ask whether to apply it (or with other multipliers)',
      '4. If they agree, send the `confirm` call the preview returned',
    ],
    tool_call_example: {
      tool: 'recover_workflow',
      parameters: { workflow_id: workflowId, dry_run: true },
      note: 'Preview first; the answer carries the exact call that applies it.',
    },
  }
}
