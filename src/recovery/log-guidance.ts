/**
 * The recovery guidance torc 1.0.0's `analyze_workflow_logs` means to attach when logs show OOM kills
 * or timeouts. Its trigger looks up type names that never exist ("oom", "timeout"), so 1.0.0 never
 * emits it; here it fires on the "OOM Killed" and "Timeout" counts. The texts are 1.0.0's, pointed at
 * this project's recover_workflow: its defaults (runtime 1.4x where 1.0.0's text says 1.5x) and its
 * plan_id step, and check_resource_utilization first for the per-job picture.
 */
import { DEFAULT_MEMORY_MULTIPLIER, DEFAULT_RUNTIME_MULTIPLIER } from './plan.ts'

export interface RecoveryGuidance {
  oom_errors: number
  timeout_errors: number
  recommendation: string
  recovery_workflow: string[]
  tool_call_example: {
    tool: 'recover_workflow'
    parameters: { workflow_id: number | null; dry_run: true; memory_multiplier: number; runtime_multiplier: number }
    note: string
  }
  oom_fix?: string
  timeout_fix?: string
}

/** Guidance for the assistant when OOM or timeout findings exist; null when there are none. */
export function recoveryGuidance(
  workflowId: number | undefined,
  oom: number,
  timeout: number
): RecoveryGuidance | null {
  if (oom <= 0 && timeout <= 0) return null
  return {
    oom_errors: oom,
    timeout_errors: timeout,
    recommendation: 'RECOVERABLE ERRORS DETECTED! Use the recover_workflow tool to automatically fix these issues.',
    recovery_workflow: [
      '1. Call check_resource_utilization to see which jobs exceeded memory or runtime, and by how much',
      '2. Call recover_workflow with dry_run=true to preview the recovery actions',
      '3. Show the user the preview results (memory/runtime adjustments)',
      "4. Ask user: 'Would you like me to proceed with these recovery actions?'",
      '5. If approved, call recover_workflow with dry_run=false and the plan_id from the preview',
    ],
    tool_call_example: {
      tool: 'recover_workflow',
      parameters: {
        workflow_id: workflowId ?? null,
        dry_run: true,
        memory_multiplier: DEFAULT_MEMORY_MULTIPLIER,
        runtime_multiplier: DEFAULT_RUNTIME_MULTIPLIER,
      },
      note: 'Start with dry_run=true to preview changes',
    },
    ...(oom > 0
      ? {
          oom_fix: `${oom} job(s) ran out of memory. Recovery will increase memory by ${DEFAULT_MEMORY_MULTIPLIER}x (configurable).`,
        }
      : {}),
    ...(timeout > 0
      ? {
          timeout_fix: `${timeout} job(s) exceeded time limit. Recovery will increase runtime by ${DEFAULT_RUNTIME_MULTIPLIER}x (configurable).`,
        }
      : {}),
  }
}
