import { z } from 'zod'
import { ToolError } from '../../errors.ts'
import { type DeadlineClock, MIN_CALL_MS } from './budget.ts'
import { GUARD_TEXT, INCOMPLETE_NAME } from './marker.ts'
import type { CreationStep } from './types.ts'

export interface Removal {
  removed: boolean
  /** A GET after the DELETE answered 404 (or the DELETE itself did). */
  verified: boolean
  attempts: number
  /** Why it is not (known to be) removed. */
  reason?: string
}

const RETRYABLE = new Set(['upstream_unavailable', 'upstream_timeout', 'upstream_error'])
const codeOf = (err: unknown) => (err instanceof ToolError ? err.code : 'internal')
const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err))

/**
 * Deletes the workflow (Torc deletes its records with it), retrying with backoff while Torc is
 * unreachable, times out or fails, until `until`; then checks that it is gone. A request of the
 * creation that lands after the DELETE cannot bring anything back: torc-server answers 404 to
 * records for a workflow that does not exist (test/e2e/creation-faults.test.ts checks it).
 */
export async function removeWorkflow(clock: DeadlineClock, id: number, until: number): Promise<Removal> {
  let attempts = 0
  let reason = 'no time was left to delete it'
  for (let backoff = 250; clock.left(until) >= MIN_CALL_MS; backoff = Math.min(backoff * 2, 2_000)) {
    attempts++
    let deleted = false
    try {
      await clock.send('DELETE', `/workflows/${id}`, null, until)
      deleted = true
    } catch (err) {
      if (codeOf(err) === 'not_found') return { removed: true, verified: true, attempts }
      reason = `DELETE /workflows/${id}: ${reasonOf(err)}`
      if (!RETRYABLE.has(codeOf(err))) return { removed: false, verified: false, attempts, reason }
    }
    if (deleted) {
      try {
        await clock.get(`/workflows/${id}`, z.unknown(), undefined, until)
        reason = `workflow ${id} was still there after its DELETE`
      } catch (err) {
        if (codeOf(err) === 'not_found') return { removed: true, verified: true, attempts }
        return { removed: true, verified: false, attempts, reason: `the check that it is gone: ${reasonOf(err)}` }
      }
    }
    if (!(await clock.pause(backoff, until))) break
  }
  return { removed: false, verified: false, attempts, reason }
}

/** Where the creation stood when it failed: what a workflow left behind looks like. */
export type Phase = 'none' | 'empty' | 'guarded' | 'unmarking' | 'unguarding' | 'complete'

export function phaseOf(step: CreationStep): Phase {
  switch (step.kind) {
    case 'workflow':
      return 'none'
    case 'cancel':
      return 'empty'
    case 'archive':
      return step.archived ? 'empty' : 'unguarding'
    case 'unmark':
      return 'unmarking'
    case 'reset_status':
      return 'unguarding'
    case 'initialize':
      return 'complete'
    default:
      return 'guarded'
  }
}

/** What the answer says about the workflow: gone, or what is left, whether it can run and who removes it. */
export function leftoverText(
  phase: Phase,
  id: number | undefined,
  name: string,
  removal: Removal | undefined,
  failure: unknown
): string {
  if (id === undefined) {
    const late = codeOf(failure) === 'upstream_timeout' || codeOf(failure) === 'upstream_unavailable'
    return late
      ? `nothing was created, unless Torc still completes that first request: a workflow made that late is named ` +
          `"${INCOMPLETE_NAME}", has no jobs, and the next create_workflow call removes it`
      : 'nothing had been created'
  }
  if (removal?.removed) {
    return removal.verified
      ? `workflow ${id} was deleted again (Torc confirms it is gone)`
      : `workflow ${id} was deleted again (Torc answered the DELETE; ${removal.reason})`
  }
  const why = `workflow ${id} could NOT be deleted (${removal?.reason ?? 'not attempted'})`
  const byHand = `\`torc workflows delete ${id}\``
  switch (phase) {
    case 'none':
    case 'empty':
      return (
        `${why}. It has no jobs and is named "${INCOMPLETE_NAME}", so nothing in it can run; the next ` +
        `create_workflow call removes it (or ${byHand})`
      )
    case 'guarded':
      return `${why}. It is incomplete but ${GUARD_TEXT}; the next create_workflow call removes it (or ${byHand})`
    case 'unmarking':
      return (
        `${why}. All its records landed; it is archived and canceled, so none of its jobs can run. If the rename did ` +
        `not reach Torc it is still named "${INCOMPLETE_NAME}" and the next create_workflow call removes it; if it ` +
        `did, it is named "${name}": remove it with ${byHand}`
      )
    case 'unguarding':
      return (
        `${why}. It is complete (named "${name}") but canceled, not initialized, and perhaps still ` +
        `archived: its jobs cannot run as it is. Later calls leave it alone: remove it with ${byHand}, ` +
        `or use it with \`torc workflows archive false ${id}\` then \`torc workflows init ${id}\``
      )
    case 'complete':
      return (
        `${why}. It is complete (named "${name}"), perhaps not initialized. Later calls leave it alone: remove it ` +
        `with ${byHand}, or initialize it with \`torc workflows init ${id}\``
      )
  }
}
