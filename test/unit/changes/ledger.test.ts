/**
 * The change ledger's rules (src/changes/ledger-state.ts) over node:sqlite, the SQL the Durable
 * Object runs on its own storage: the lock and its lease, what a claim refuses, the implicit
 * confirmation window, how an apply ends, and what is forgotten when.
 */
import { describe, expect, it } from 'vitest'
import {
  APPLIED_TTL_MS,
  type Claim,
  IMPLICIT_CONFIRM_MS,
  LEASE_MS,
  LedgerState,
  PARTIAL_TTL_MS,
  PREVIEW_TTL_MS,
} from '../../../src/changes/ledger-state.ts'
import { localLedger, sqliteSql } from '../../helpers/local-ledger.ts'

const MIN = 60_000

function ledger() {
  const clock = { now: 1_000_000_000 }
  let ids = 0
  const state = new LedgerState(
    sqliteSql(),
    () => clock.now,
    () => `lock-${++ids}`
  )
  const advance = (ms: number) => {
    clock.now += ms
  }
  return { state, clock, advance }
}

const PARAMS = { workflow_id: 12, memory_multiplier: 2 }
const ref = (plan_id: string, caller = 'alice', params: unknown = PARAMS) => ({
  plan_id,
  tool: 'recover_workflow',
  params,
  caller,
})
/** A claim of `plan_id` (recomputed under the lock) for the plan_id the caller sent. */
const claim = (plan_id: string, requested: string | null, extra: Partial<Claim> = {}): Claim => ({
  ...ref(plan_id),
  snapshot: { targets: ['15g'] },
  preview: { summary: 'raise memory' },
  requested,
  resume: false,
  ...extra,
})

function locked(state: LedgerState, leaseMs?: number) {
  const lock = state.lock(leaseMs)
  if (!lock.ok) throw new Error(`expected the lock, it is held by ${lock.busy_plan}`)
  return lock
}

describe('the lock', () => {
  it('is one per scope: a second apply is refused while the first holds it, naming its plan once claimed', () => {
    const { state, clock, advance } = ledger()
    const first = locked(state)
    expect(state.lock()).toEqual({ ok: false, busy_plan: null, since: clock.now })
    const since = clock.now
    advance(1000)
    expect(state.claim(first.lock_id, claim('rp_a', 'rp_a'))).toEqual({ ok: true })
    expect(state.lock()).toEqual({ ok: false, busy_plan: 'rp_a', since })
    state.finish(first.lock_id, { applied: true, summary: 'done' })
    expect(state.lock().ok).toBe(true)
  })

  it('holds across the async Ledger too: of two applies at once, one gets it', async () => {
    const scope = localLedger()('workflow:12')
    const [a, b] = await Promise.all([scope.lock(), scope.lock()])
    expect([a.ok, b.ok].sort()).toEqual([false, true])
    const other = await localLedger()('workflow:13').lock()
    expect(other.ok).toBe(true)
  })

  it('whose lease ran out is taken over, and the plan it was applying becomes partial (finishable)', () => {
    const { state, advance } = ledger()
    const first = locked(state, 5000)
    state.claim(first.lock_id, claim('rp_a', 'rp_a'))
    advance(4999)
    expect(state.lock().ok).toBe(false)
    advance(1)
    const second = locked(state)
    expect(second.pending).toMatchObject({
      plan_id: 'rp_a',
      tool: 'recover_workflow',
      params: PARAMS,
      caller: 'alice',
      snapshot: { targets: ['15g'] },
      preview: { summary: 'raise memory' },
    })
    // The stopped apply's late finish changes nothing: its lock is gone, the new holder keeps its own.
    state.finish(first.lock_id, { applied: true, summary: 'late' })
    expect(state.lock().ok).toBe(false)
    expect(state.claim(second.lock_id, claim('rp_a', 'rp_a', { resume: true }))).toEqual({ ok: true })
  })

  it('defaults to a lease longer than any apply', () => {
    const { state, advance } = ledger()
    locked(state)
    advance(LEASE_MS - 1)
    expect(state.lock().ok).toBe(false)
    advance(1)
    expect(state.lock().ok).toBe(true)
  })
})

describe('a claim refuses', () => {
  it('a plan already applied, saying when, by whom and what it did', () => {
    const { state, clock, advance } = ledger()
    const first = locked(state)
    state.claim(first.lock_id, claim('rp_a', 'rp_a'))
    state.finish(first.lock_id, { applied: true, summary: 'Recovered 2 jobs.' })
    const at = clock.now
    advance(MIN)
    const again = locked(state)
    expect(state.claim(again.lock_id, { ...claim('rp_a', 'rp_a'), caller: 'bob' })).toEqual({
      ok: false,
      reason: 'applied',
      plan_id: 'rp_a',
      at,
      summary: 'Recovered 2 jobs.',
      caller: 'alice',
    })
    // The same holds for the same caller relying on its own preview (no plan_id sent).
    state.remember(ref('rp_a'))
    expect(state.claim(locked(state).lock_id, claim('rp_a', null))).toMatchObject({ reason: 'applied' })
  })

  it('a plan_id that is not the plan recomputed now, with the preview behind it so the answer can name what differs', () => {
    const { state } = ledger()
    state.remember(ref('rp_old', 'alice', { workflow_id: 12, memory_multiplier: 3 }))
    const lock = locked(state)
    expect(state.claim(lock.lock_id, claim('rp_new', 'rp_old'))).toEqual({
      ok: false,
      reason: 'mismatch',
      previewed: {
        plan_id: 'rp_old',
        tool: 'recover_workflow',
        params: { workflow_id: 12, memory_multiplier: 3 },
        caller: 'alice',
      },
    })
    // A plan_id never previewed here: no preview to compare with.
    expect(state.claim(locked(state).lock_id, claim('rp_new', 'rp_bogus'))).toEqual({
      ok: false,
      reason: 'mismatch',
      previewed: null,
    })
  })

  it('an apply without plan_id unless the same caller previewed exactly this plan in the last 15 minutes', () => {
    const { state, advance } = ledger()
    expect(state.claim(locked(state).lock_id, claim('rp_a', null))).toEqual({ ok: false, reason: 'unconfirmed' })
    state.remember(ref('rp_a', 'bob'))
    expect(state.claim(locked(state).lock_id, claim('rp_a', null))).toEqual({ ok: false, reason: 'unconfirmed' })
    state.remember(ref('rp_other', 'alice'))
    expect(state.claim(locked(state).lock_id, claim('rp_a', null))).toEqual({ ok: false, reason: 'unconfirmed' })
    state.remember(ref('rp_a', 'alice'))
    advance(IMPLICIT_CONFIRM_MS + 1)
    expect(state.claim(locked(state).lock_id, claim('rp_a', null))).toEqual({ ok: false, reason: 'unconfirmed' })
    state.remember(ref('rp_a', 'alice'))
    advance(IMPLICIT_CONFIRM_MS)
    expect(state.claim(locked(state).lock_id, claim('rp_a', null))).toEqual({ ok: true })
  })

  it("another caller's later preview of the same plan leaves this caller's confirmation in place", () => {
    const { state, advance } = ledger()
    state.remember(ref('rp_a', 'alice'))
    advance(MIN)
    state.remember(ref('rp_a', 'bob'))
    expect(state.claim(locked(state).lock_id, claim('rp_a', null))).toEqual({ ok: true })
  })

  it('with an explicit plan_id, whoever previewed it (the id is the confirmation)', () => {
    const { state, advance } = ledger()
    state.remember(ref('rp_a', 'bob'))
    advance(IMPLICIT_CONFIRM_MS * 2)
    expect(state.claim(locked(state).lock_id, claim('rp_a', 'rp_a'))).toEqual({ ok: true })
  })

  it('when the lock is not held: never taken, or its lease over', () => {
    const { state, advance } = ledger()
    expect(state.claim('lock-forged', claim('rp_a', 'rp_a'))).toEqual({ ok: false, reason: 'lost_lock' })
    const lock = locked(state, 1000)
    advance(1000)
    expect(state.claim(lock.lock_id, claim('rp_a', 'rp_a'))).toEqual({ ok: false, reason: 'lost_lock' })
  })

  it('finishing a stopped plan other than the one pending', () => {
    const { state } = ledger()
    const lock = locked(state)
    state.claim(lock.lock_id, claim('rp_a', 'rp_a'))
    state.finish(lock.lock_id, { applied: false, partial: true })
    expect(state.claim(locked(state).lock_id, claim('rp_b', 'rp_b', { resume: true }))).toEqual({
      ok: false,
      reason: 'mismatch',
      previewed: null,
    })
  })

  it('and every refusal releases the lock', () => {
    const { state } = ledger()
    const lock = locked(state)
    expect(state.claim(lock.lock_id, claim('rp_a', null)).ok).toBe(false)
    expect(state.lock().ok).toBe(true)
  })
})

describe('how an apply ends', () => {
  it('applied: remembered as applied (snapshot dropped), lock released', () => {
    const { state } = ledger()
    const lock = locked(state)
    state.claim(lock.lock_id, claim('rp_a', 'rp_a'))
    state.finish(lock.lock_id, { applied: true, summary: 'ok' })
    const next = locked(state)
    expect(next.pending).toBeNull()
    expect(state.claim(next.lock_id, claim('rp_a', 'rp_a'))).toMatchObject({ reason: 'applied', summary: 'ok' })
  })

  it('stopped midway: partial, offered to every preview and lock until finished by its plan_id', () => {
    const { state, advance } = ledger()
    const lock = locked(state)
    state.claim(lock.lock_id, claim('rp_a', 'rp_a'))
    advance(2000)
    state.finish(lock.lock_id, { applied: false, partial: true })
    expect(state.remember(ref('rp_b')).pending).toMatchObject({ plan_id: 'rp_a', snapshot: { targets: ['15g'] } })
    const resume = locked(state)
    expect(resume.pending?.plan_id).toBe('rp_a')
    expect(state.claim(resume.lock_id, claim('rp_a', 'rp_a', { resume: true }))).toEqual({ ok: true })
    state.finish(resume.lock_id, { applied: true, summary: 'finished' })
    expect(state.remember(ref('rp_b')).pending).toBeNull()
    expect(state.claim(locked(state).lock_id, claim('rp_a', 'rp_a'))).toMatchObject({
      reason: 'applied',
      summary: 'finished',
    })
  })

  it('failed before changing anything: forgotten, so the same plan may be applied again', () => {
    const { state } = ledger()
    const lock = locked(state)
    state.claim(lock.lock_id, claim('rp_a', 'rp_a'))
    state.finish(lock.lock_id, { applied: false, partial: false })
    const next = locked(state)
    expect(next.pending).toBeNull()
    expect(state.claim(next.lock_id, claim('rp_a', 'rp_a'))).toEqual({ ok: true })
  })

  it('a resumed plan stopped again stays partial', () => {
    const { state } = ledger()
    const lock = locked(state)
    state.claim(lock.lock_id, claim('rp_a', 'rp_a'))
    state.finish(lock.lock_id, { applied: false, partial: true })
    const again = locked(state)
    state.claim(again.lock_id, claim('rp_a', 'rp_a', { resume: true }))
    state.finish(again.lock_id, { applied: false, partial: true })
    expect(locked(state).pending?.plan_id).toBe('rp_a')
  })
})

describe('what is forgotten when', () => {
  it('previews after an hour: their plan_id no longer names parameters', () => {
    const { state, advance } = ledger()
    state.remember(ref('rp_old', 'alice', { workflow_id: 12, memory_multiplier: 3 }))
    advance(PREVIEW_TTL_MS + 1)
    expect(state.claim(locked(state).lock_id, claim('rp_new', 'rp_old'))).toEqual({
      ok: false,
      reason: 'mismatch',
      previewed: null,
    })
  })

  it('applied plans after a day, stopped ones after an hour', () => {
    const { state, advance } = ledger()
    const a = locked(state)
    state.claim(a.lock_id, claim('rp_a', 'rp_a'))
    state.finish(a.lock_id, { applied: true, summary: 'ok' })
    advance(APPLIED_TTL_MS - 1)
    expect(state.claim(locked(state).lock_id, claim('rp_a', 'rp_a'))).toMatchObject({ reason: 'applied' })
    advance(2)
    const b = locked(state)
    expect(state.claim(b.lock_id, claim('rp_a', 'rp_a'))).toEqual({ ok: true })
    state.finish(b.lock_id, { applied: false, partial: true })
    advance(PARTIAL_TTL_MS - 1)
    expect(state.remember(ref('rp_x')).pending?.plan_id).toBe('rp_a')
    advance(2)
    expect(state.remember(ref('rp_x')).pending).toBeNull()
  })
})
