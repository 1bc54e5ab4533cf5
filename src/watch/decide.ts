/**
 * What one check of a watch decides from one GET /workflows/{id}/status (the server's aggregate:
 * counts by status, runners, allocations), as torc 1.0.0's `torc watch` loop does: wait while jobs
 * run; once the workflow is complete and its runners and allocations are gone, recover the failures
 * (or stop: recovery off, retries spent); jobs that nothing can run any more are rescheduled after a
 * while (its --auto-schedule). Pure: the tick does what it says.
 */
import type { WorkflowStatus } from '../torc/schemas.ts'
import type { StoredPolicy } from './policy.ts'

export type Decision =
  | { kind: 'running'; note: string }
  | { kind: 'completed' }
  | { kind: 'canceled' }
  | { kind: 'classify'; count: number }
  | { kind: 'wait_runners'; note: string }
  | { kind: 'recover'; reason: 'failures' | 'orphans' }
  | { kind: 'failed'; why: string }
  | { kind: 'gave_up' }
  | { kind: 'stranded'; due: boolean; note: string }

export interface WatchFacts {
  policy: StoredPolicy
  retries: number
  stranded_since: number | null
  rescheduled_at: number | null
}

const MINUTE = 60_000

export type StatusFacts = Pick<
  WorkflowStatus,
  'jobs_by_status' | 'is_canceled' | 'active_compute_nodes' | 'pending_scheduled_nodes' | 'active_scheduled_nodes'
>

export function failuresOf(status: StatusFacts): number {
  const c = status.jobs_by_status
  return c.failed + c.terminated + c.canceled
}

/** The decision, and when the workflow's jobs became stranded (null: they are not). */
export function decide(
  status: StatusFacts,
  watch: WatchFacts,
  now: number
): { decision: Decision; stranded_since: number | null } {
  const c = status.jobs_by_status
  const runners = status.active_compute_nodes
  const allocations = status.pending_scheduled_nodes + status.active_scheduled_nodes
  const unfinished = c.uninitialized + c.blocked + c.ready + c.pending + c.running
  const failures = failuresOf(status)
  const { policy } = watch
  const done = (decision: Decision) => ({ decision, stranded_since: null })

  if (status.is_canceled) return done({ kind: 'canceled' })
  if (unfinished === 0 && c.pending_failed === 0) {
    if (failures === 0) return done({ kind: 'completed' })
    if (runners > 0 || allocations > 0)
      return done({
        kind: 'wait_runners',
        note:
          `finished with ${failures} failure(s); waiting for ` +
          `${runners} runner(s) and ${allocations} allocation(s) to exit`,
      })
    if (!policy.recover) return done({ kind: 'failed', why: `${failures} job(s) did not succeed and recovery is off` })
    if (watch.retries >= policy.max_retries) return done({ kind: 'gave_up' })
    return done({ kind: 'recover', reason: 'failures' })
  }
  if (unfinished === 0) return done({ kind: 'classify', count: c.pending_failed })

  const live = c.ready + c.pending + c.running
  if (runners > 0 || allocations > 0 || live === 0) {
    const note =
      live === 0
        ? `${unfinished} job(s) not started yet`
        : `${live} job(s) ready, pending or running; ${c.completed} completed`
    return done({ kind: 'running', note })
  }
  // Jobs wait for a runner that no longer exists: stranded since the first check that saw it.
  const since = watch.stranded_since ?? now
  const waited = now - since
  const cooled =
    watch.rescheduled_at === null || now - watch.rescheduled_at >= policy.reschedule_cooldown_minutes * MINUTE
  const due = policy.auto_schedule && waited >= policy.stranded_minutes * MINUTE && cooled
  const minutes = Math.floor(waited / MINUTE)
  if (c.ready === 0) {
    // Only running (or claimed) jobs and no runner: orphans, which recovery fails and reruns.
    const orphans = c.running + c.pending
    if (due && policy.recover && watch.retries < policy.max_retries)
      return { decision: { kind: 'recover', reason: 'orphans' }, stranded_since: since }
    return {
      decision: {
        kind: 'stranded',
        due: false,
        note: `${orphans} job(s) marked running with no runner for ${minutes} min`,
      },
      stranded_since: since,
    }
  }
  return {
    decision: {
      kind: 'stranded',
      due,
      note: `${c.ready} ready job(s) with no runner or allocation for ${minutes} min`,
    },
    stranded_since: since,
  }
}
