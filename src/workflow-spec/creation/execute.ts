import { type ErrorCode, ToolError } from '../../errors.ts'
import { CREATION_BUDGET, type CreationBudget, DeadlineClock, MIN_CALL_MS, type TorcLink } from './budget.ts'
import { buildRequest, newIdMaps, recordResponse } from './requests.ts'
import { leftoverText, type Phase, phaseOf, type Removal, removeWorkflow } from './rollback.ts'
import { type SweepReport, sweepIncomplete } from './sweep.ts'
import type { CreationPlan, CreationStep } from './types.ts'

export interface CreationRun {
  /** The tool call's cancellation: forward steps stop on it; the rollback does not. */
  signal?: AbortSignal | undefined
  /** When the tool call began (Date.now()); the budget counts from here (default: now). */
  startedAt?: number | undefined
  /** Longest any one Torc call may take (TORC_TIMEOUT_MS; default 20 s), shortened to what the budget leaves. */
  callTimeoutMs?: number | undefined
  budget?: Partial<CreationBudget> | undefined
  /** Remove what earlier failed creations of the same Torc user left (default true). */
  sweep?: boolean | undefined
  progress?: ((done: number, total: number, label: string) => Promise<void>) | undefined
  /** Time source; tests pass a fake. */
  now?: (() => number) | undefined
}

export interface CreatedWorkflow {
  workflow_id: number
  counts: CreationPlan['counts']
  /** What the sweep of earlier leftovers did (undefined when it did not run). */
  swept: SweepReport | undefined
}

/** What a failed creation did and left, for the answer (the message says the same in words). */
export interface CreationFailure {
  /** 1-based step that failed, of `steps`. */
  failed_step: number
  steps: number
  request: string
  workflow_id: number | null
  phase: Phase
  removal: Removal | null
  /** True when Torc holds nothing of this creation (or only what the next create call removes). */
  clean: boolean
  swept: SweepReport | undefined
}

/** A creation that failed: a ToolError whose message names what was left, with the facts in `failure`. */
export class CreationFailed extends ToolError {
  readonly failure: CreationFailure

  constructor(code: ErrorCode, message: string, failure: CreationFailure, cause: unknown) {
    super(code, message, { cause })
    this.failure = failure
  }
}

/**
 * Sends a creation plan to Torc within the call's time budget: the sweep of earlier leftovers once
 * the new workflow is guarded, every step with its timeout shortened to what is left, and on any
 * failure (Torc's, a timeout, the deadline, a cancel) the workflow deleted again, retried and
 * checked. Whatever could not be deleted is named in the error with what it is and who removes it.
 */
export async function createInTorc(
  plan: CreationPlan,
  torc: TorcLink,
  run: CreationRun = {}
): Promise<CreatedWorkflow> {
  const budget = { ...CREATION_BUDGET, ...run.budget }
  const clock = new DeadlineClock(torc, { startedAt: run.startedAt, callTimeoutMs: run.callTimeoutMs, now: run.now })
  const forwardUntil = clock.at(budget.forwardMs)
  const ids = newIdMaps()
  let done = 0
  let swept: SweepReport | undefined
  try {
    for (const step of plan.steps) {
      if (clock.left(forwardUntil) < MIN_CALL_MS) {
        throw new ToolError(
          'upstream_timeout',
          `the creation did not finish within its ${budget.forwardMs / 1000} s (Torc answered ${done} of ` +
            `${plan.steps.length} requests)`
        )
      }
      const request = buildRequest(step, ids)
      const response = await clock.send(request.method, request.path, request.body, forwardUntil, run.signal)
      recordResponse(step, response, ids)
      done++
      if (step.kind === 'archive' && step.archived && run.sweep !== false && ids.workflowUser !== undefined) {
        // Our own workflow is guarded now, and its timestamp is torc-server's "now".
        const serverNow = Date.parse(ids.workflowCreatedAt ?? '')
        swept = await sweepIncomplete(torc, ids.workflowUser, {
          clock,
          until: Math.min(forwardUntil, clock.now() + budget.sweepMs),
          excludeId: ids.workflowId,
          ...(Number.isFinite(serverNow) ? { serverNow } : {}),
        })
      }
      // A progress notification that cannot be sent (client gone) is no reason to undo the creation.
      await run.progress?.(done, plan.steps.length, describe(step)).catch(() => undefined)
    }
    return { workflow_id: ids.workflowId as number, counts: plan.counts, swept }
  } catch (err) {
    const step = plan.steps[done] as CreationStep
    const phase = phaseOf(step)
    const id = ids.workflowId
    const rollbackUntil = Math.min(clock.at(budget.answerMs), clock.now() + budget.rollbackMs)
    const removal = id === undefined ? undefined : await removeWorkflow(clock, id, rollbackUntil)
    const left = leftoverText(phase, id, plan.workflow_name, removal, err)
    const code = err instanceof ToolError ? err.code : 'upstream_error'
    const message = err instanceof Error ? err.message : String(err)
    const failure: CreationFailure = {
      failed_step: done + 1,
      steps: plan.steps.length,
      request: describe(step),
      workflow_id: id ?? null,
      phase,
      removal: removal ?? null,
      clean: removal?.removed === true || phase === 'none' || phase === 'empty' || phase === 'guarded',
      swept,
    }
    throw new CreationFailed(
      code,
      `creating the workflow failed at step ${done + 1} of ${plan.steps.length} (${describe(step)}, ` +
        `${clock.elapsedSeconds()} s into the call): ${message}; ${left}`,
      failure,
      err
    )
  }
}

/** A step as the answer names it. */
export function describe(step: CreationStep): string {
  const path = step.path.replace('/workflows/{id}', '/workflows/W')
  switch (step.kind) {
    case 'jobs':
      return `${step.method} ${path} level ${step.level} batch ${step.batch}`
    case 'files':
    case 'user_data':
      return `${step.method} ${path} batch ${step.batch}`
    case 'archive':
      return `${step.method} ${path} ${step.archived ? '(guard)' : '(unguard)'}`
    default:
      return `${step.method} ${path}`
  }
}
