/**
 * A watch's changes, made as a person makes them: recover_workflow (and the watch's reschedule)
 * previewed, then applied with the preview's plan_id, through the change primitive with the watch
 * as the caller (`watch:<id>`). So a tick and a person, or two ticks, never apply one recovery
 * twice: the second apply finds the plan applied, the workflow changed under it, or the lock held.
 */
import { toToolError } from '../errors.ts'
import type { ToolContext } from '../registry.ts'
import { recoverWorkflow } from '../tools/recovery.ts'
import type { StoredPolicy } from './policy.ts'
import { recoveryInput } from './policy.ts'
import { rescheduleWorkflow } from './reschedule.ts'

type Answer = Record<string, unknown>

export type RecoveryOutcome =
  | { kind: 'applied'; preview: Answer; answer: Answer }
  /** Nothing recoverable (unknown causes only, without retry_unknown): the watch cannot help. */
  | { kind: 'nothing'; preview: Answer }
  /** Blocked for now (allocations still active, jobs still running): tried again next tick. */
  | { kind: 'blocked'; preview: Answer; why: string }
  /** Another apply took it, or it stopped midway (the next tick's preview resumes it). */
  | { kind: 'refused'; preview: Answer | null; why: string; code: string }

export async function recover(
  watchCtx: ToolContext,
  workflowId: number,
  policy: StoredPolicy
): Promise<RecoveryOutcome> {
  const input = recoveryInput(workflowId, policy)
  // recover_workflow submits a Slurm workflow's allocations through the agent when it can: a policy
  // without resubmit hides the agent from it, so it only resets.
  const ctx = policy.resubmit ? watchCtx : { ...watchCtx, agent: undefined }
  let preview: Answer | null = null
  try {
    preview = await recoverWorkflow.handler(recoverWorkflow.input.parse({ ...input, dry_run: true }), ctx)
    if (!preview.can_apply) {
      const retry = (preview.jobs_to_retry as unknown[] | undefined) ?? []
      if (!retry.length && !preview.resuming) return { kind: 'nothing', preview }
      return { kind: 'blocked', preview, why: (preview.blockers as string[]).join(' ') }
    }
    // The preview's own arguments (a resumed plan keeps the parameters it was planned with).
    const confirm = preview.confirm as { arguments: Answer }
    const answer = await recoverWorkflow.handler(recoverWorkflow.input.parse(confirm.arguments), ctx)
    return { kind: 'applied', preview, answer }
  } catch (err) {
    const error = toToolError(err)
    return { kind: 'refused', preview, why: error.message, code: error.code }
  }
}

export type RescheduleOutcome = { ok: boolean; summary: string; plan_id: string | null }

/** `round`: the watch's last reschedule (0 for none), so each attempt is its own plan. */
export async function reschedule(ctx: ToolContext, workflowId: number, round: number): Promise<RescheduleOutcome> {
  let planId: string | null = null
  try {
    const preview = await rescheduleWorkflow.handler({ workflow_id: workflowId, round, dry_run: true }, ctx)
    planId = String(preview.plan_id)
    if (!preview.can_apply)
      return { ok: false, summary: `not resubmitted: ${(preview.blockers as string[]).join(' ')}`, plan_id: planId }
    const confirm = preview.confirm as { arguments: Answer }
    const answer = await rescheduleWorkflow.handler(rescheduleWorkflow.input.parse(confirm.arguments), ctx)
    const applied = answer.applied as { submitted: boolean; detail: string }
    return { ok: applied.submitted, summary: `resubmitted: ${applied.detail}`, plan_id: planId }
  } catch (err) {
    return { ok: false, summary: `not resubmitted: ${toToolError(err).message}`, plan_id: planId }
  }
}
