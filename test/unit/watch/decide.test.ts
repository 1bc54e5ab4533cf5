/** decide(): torc watch's loop as one pure step over the status aggregate. */
import { describe, expect, it } from 'vitest'
import { decide, type StatusFacts } from '../../../src/watch/decide.ts'
import { resolvePolicy, WatchPolicySchema } from '../../../src/watch/policy.ts'

const MIN = 60_000
const policy = (over: Record<string, unknown> = {}) => resolvePolicy(WatchPolicySchema.parse(over))

function status(counts: Partial<StatusFacts['jobs_by_status']>, more: Partial<StatusFacts> = {}): StatusFacts {
  const zero = {
    uninitialized: 0,
    blocked: 0,
    ready: 0,
    pending: 0,
    running: 0,
    completed: 0,
    failed: 0,
    canceled: 0,
    terminated: 0,
    disabled: 0,
    pending_failed: 0,
  }
  return {
    jobs_by_status: { ...zero, ...counts },
    is_canceled: false,
    active_compute_nodes: 0,
    pending_scheduled_nodes: 0,
    active_scheduled_nodes: 0,
    ...more,
  }
}

const watch = (over: Partial<Parameters<typeof decide>[1]> = {}) => ({
  policy: policy(),
  retries: 0,
  stranded_since: null,
  rescheduled_at: null,
  ...over,
})

describe('decide', () => {
  it('waits while jobs run, and ends completed when every job completed', () => {
    expect(decide(status({ running: 2, completed: 1 }, { active_compute_nodes: 1 }), watch(), 0).decision).toEqual({
      kind: 'running',
      note: '2 job(s) ready, pending or running; 1 completed',
    })
    expect(decide(status({ completed: 3, disabled: 1 }), watch(), 0).decision).toEqual({ kind: 'completed' })
  })

  it('recovers failures only once the runners and allocations are gone, as torc watch waits for workers to exit', () => {
    const failed = { failed: 3, canceled: 2, completed: 5 }
    expect(decide(status(failed, { active_scheduled_nodes: 1 }), watch(), 0).decision.kind).toBe('wait_runners')
    expect(decide(status(failed), watch(), 0).decision).toEqual({ kind: 'recover', reason: 'failures' })
    expect(decide(status({ terminated: 1 }), watch(), 0).decision.kind).toBe('recover')
  })

  it('gives up at max_retries (retry_count >= max, as torc), and only notifies when recovery is off', () => {
    expect(decide(status({ failed: 1 }), watch({ retries: 3 }), 0).decision).toEqual({ kind: 'gave_up' })
    expect(decide(status({ failed: 1 }), watch({ retries: 2 }), 0).decision.kind).toBe('recover')
    expect(decide(status({ failed: 1 }), watch({ policy: policy({ max_retries: 0 }) }), 0).decision.kind).toBe(
      'gave_up'
    )
    expect(decide(status({ failed: 1 }), watch({ policy: policy({ recover: false }) }), 0).decision).toEqual({
      kind: 'failed',
      why: '1 job(s) did not succeed and recovery is off',
    })
  })

  it('a canceled workflow ends the watch; pending_failed jobs wait for classification', () => {
    expect(decide(status({ canceled: 4 }, { is_canceled: true }), watch(), 0).decision.kind).toBe('canceled')
    expect(decide(status({ pending_failed: 2, completed: 1 }), watch(), 0).decision).toEqual({
      kind: 'classify',
      count: 2,
    })
  })

  it('reschedules ready jobs nothing runs once stranded for stranded_minutes, then not again within the cooldown', () => {
    const stranded = status({ ready: 4, completed: 6 })
    const first = decide(stranded, watch(), 1000)
    expect(first).toEqual({
      decision: { kind: 'stranded', due: false, note: '4 ready job(s) with no runner or allocation for 0 min' },
      stranded_since: 1000,
    })
    expect(decide(stranded, watch({ stranded_since: 1000 }), 1000 + 10 * MIN).decision).toMatchObject({ due: true })
    expect(
      decide(stranded, watch({ stranded_since: 1000, rescheduled_at: 1000 + 5 * MIN }), 1000 + 20 * MIN).decision
    ).toMatchObject({ due: false })
    expect(
      decide(stranded, watch({ stranded_since: 1000, policy: policy({ auto_schedule: false }) }), 1000 + 60 * MIN)
        .decision
    ).toMatchObject({ due: false })
    // A runner appears: no longer stranded.
    expect(decide(status({ ready: 4 }, { active_compute_nodes: 1 }), watch({ stranded_since: 1000 }), 5 * MIN)).toEqual(
      {
        decision: { kind: 'running', note: '4 job(s) ready, pending or running; 0 completed' },
        stranded_since: null,
      }
    )
  })

  it('jobs marked running with no runner left are recovered as orphans once stranded long enough', () => {
    const orphaned = status({ running: 2, completed: 3 })
    expect(decide(orphaned, watch({ stranded_since: 0 }), 5 * MIN).decision.kind).toBe('stranded')
    expect(decide(orphaned, watch({ stranded_since: 0 }), 10 * MIN).decision).toEqual({
      kind: 'recover',
      reason: 'orphans',
    })
  })
})
