/**
 * The change ledger's rules, over one SQLite database per scope (a workflow, or one creation). The
 * Durable Object runs them on its own storage (ledger-object.ts); unit tests on node:sqlite. Every
 * method is synchronous SQL, so inside the Durable Object each call is atomic: two applies of one
 * plan can never both pass `claim`.
 *
 * What it keeps:
 * - previews: plan_id -> tool, parameters, caller (so an apply can name the parameter that differs,
 *   and a caller who previewed exactly this plan may apply it without repeating the plan_id);
 * - one lock per scope with a lease (one apply at a time, whoever sends it);
 * - plans being applied, applied (for "already applied" answers) or stopped midway (partial: the
 *   same plan_id finishes it, its steps converging on the stored targets).
 */

/** How long a preview stays applicable by its plan_id alone. */
export const PREVIEW_TTL_MS = 60 * 60_000
/** An apply without plan_id is accepted when the same caller previewed the identical plan this recently. */
export const IMPLICIT_CONFIRM_MS = 15 * 60_000
/** A lock outlives any apply (its budget is 25 s, each Torc call 20 s more at most). */
export const LEASE_MS = 120_000
/** Applied plans are remembered for "already applied" answers; stopped ones can be finished this long. */
export const APPLIED_TTL_MS = 24 * 3600_000
export const PARTIAL_TTL_MS = 60 * 60_000

export interface Sql {
  rows(query: string, ...bindings: (string | number | null)[]): Record<string, unknown>[]
}

export interface PlanRef {
  plan_id: string
  tool: string
  params: unknown
  caller: string
}

/** A plan stored when its apply began: what it changes, and its preview (shown again when resuming). */
export interface StoredPlan extends PlanRef {
  snapshot: unknown
  preview: unknown
  at: number
}

export type LockResult =
  | { ok: true; lock_id: string; pending: StoredPlan | null }
  | { ok: false; busy_plan: string | null; since: number }

export interface Claim extends PlanRef {
  snapshot: unknown
  preview: unknown
  /** The plan_id the caller sent; null when it relies on its own recent preview. */
  requested: string | null
  /** Finishing a plan that stopped midway: its stored snapshot is applied. */
  resume: boolean
}

export type ClaimResult =
  | { ok: true }
  | { ok: false; reason: 'applied'; plan_id: string; at: number; summary: string; caller: string }
  | { ok: false; reason: 'mismatch'; previewed: PlanRef | null }
  | { ok: false; reason: 'unconfirmed' }
  | { ok: false; reason: 'lost_lock' }

export type Outcome = { applied: true; summary: string } | { applied: false; partial: boolean }

const json = (value: unknown) => JSON.stringify(value ?? null)
const parse = (text: unknown) => (typeof text === 'string' ? (JSON.parse(text) as unknown) : null)

export class LedgerState {
  private readonly sql: Sql
  private readonly now: () => number
  private readonly newId: () => string

  constructor(sql: Sql, now: () => number = Date.now, newId: () => string = () => crypto.randomUUID()) {
    this.sql = sql
    this.now = now
    this.newId = newId
    // One row per plan and caller: another caller's preview of the same plan keeps this one's.
    sql.rows(`CREATE TABLE IF NOT EXISTS previews (
      plan_id TEXT NOT NULL, tool TEXT NOT NULL, params TEXT NOT NULL, caller TEXT NOT NULL, at INTEGER NOT NULL,
      PRIMARY KEY (plan_id, caller))`)
    sql.rows(`CREATE TABLE IF NOT EXISTS plans (
      plan_id TEXT PRIMARY KEY, tool TEXT NOT NULL, params TEXT NOT NULL, caller TEXT NOT NULL,
      snapshot TEXT, preview TEXT, status TEXT NOT NULL, summary TEXT, at INTEGER NOT NULL)`)
    sql.rows(`CREATE TABLE IF NOT EXISTS lock (
      one INTEGER PRIMARY KEY CHECK (one = 1), lock_id TEXT NOT NULL, plan_id TEXT, since INTEGER NOT NULL,
      until INTEGER NOT NULL)`)
  }

  /** Records a preview; answers the plan that stopped midway, if one waits to be finished. */
  remember(ref: PlanRef): { pending: StoredPlan | null } {
    this.prune()
    this.sql.rows(
      'INSERT OR REPLACE INTO previews (plan_id, tool, params, caller, at) VALUES (?, ?, ?, ?, ?)',
      ref.plan_id,
      ref.tool,
      json(ref.params),
      ref.caller,
      this.now()
    )
    return { pending: this.pending() }
  }

  /** Takes the scope's lock, unless another apply holds it; a lock whose lease ran out leaves its plan partial. */
  lock(leaseMs = LEASE_MS): LockResult {
    this.prune()
    const now = this.now()
    const held = this.sql.rows('SELECT lock_id, plan_id, since, until FROM lock WHERE one = 1')[0]
    if (held && Number(held.until) > now) {
      return { ok: false, busy_plan: (held.plan_id as string | null) ?? null, since: Number(held.since) }
    }
    if (held?.plan_id)
      this.sql.rows(
        "UPDATE plans SET status = 'partial' WHERE plan_id = ? AND status = 'applying'",
        held.plan_id as string
      )
    const lock_id = this.newId()
    this.sql.rows(
      'INSERT OR REPLACE INTO lock (one, lock_id, plan_id, since, until) VALUES (1, ?, NULL, ?, ?)',
      lock_id,
      now,
      now + leaseMs
    )
    return { ok: true, lock_id, pending: this.pending() }
  }

  /** Decides, under the lock, whether this plan may be applied now; on refusal the lock is released. */
  claim(lockId: string, claim: Claim): ClaimResult {
    if (!this.holds(lockId)) return { ok: false, reason: 'lost_lock' }
    const refuse = (result: Exclude<ClaimResult, { ok: true }>): ClaimResult => {
      this.release(lockId)
      return result
    }
    if (claim.resume) {
      const pending = this.pending()
      if (pending?.plan_id !== claim.plan_id) return refuse({ ok: false, reason: 'mismatch', previewed: null })
    } else {
      const target = claim.requested ?? claim.plan_id
      const applied = this.plan(target)
      if (applied?.status === 'applied') {
        return refuse({
          ok: false,
          reason: 'applied',
          plan_id: target,
          at: Number(applied.at),
          summary: String(applied.summary ?? ''),
          caller: String(applied.caller),
        })
      }
      if (claim.requested !== null && claim.requested !== claim.plan_id) {
        return refuse({ ok: false, reason: 'mismatch', previewed: this.preview(claim.requested) })
      }
      if (claim.requested === null) {
        const seen = this.sql.rows(
          'SELECT at FROM previews WHERE plan_id = ? AND caller = ?',
          claim.plan_id,
          claim.caller
        )[0]
        const recent = seen && Number(seen.at) >= this.now() - IMPLICIT_CONFIRM_MS
        if (!recent) return refuse({ ok: false, reason: 'unconfirmed' })
      }
    }
    this.sql.rows(
      `INSERT OR REPLACE INTO plans (plan_id, tool, params, caller, snapshot, preview, status, summary, at)
       VALUES (?, ?, ?, ?, ?, ?, 'applying', NULL, ?)`,
      claim.plan_id,
      claim.tool,
      json(claim.params),
      claim.caller,
      json(claim.snapshot),
      json(claim.preview),
      this.now()
    )
    this.sql.rows('UPDATE lock SET plan_id = ? WHERE lock_id = ?', claim.plan_id, lockId)
    return { ok: true }
  }

  /** Ends an apply: applied, stopped midway (partial, finishable), or nothing done (forgotten). */
  finish(lockId: string, outcome: Outcome): void {
    const held = this.sql.rows('SELECT plan_id FROM lock WHERE lock_id = ?', lockId)[0]
    const planId = held?.plan_id as string | null | undefined
    if (planId) {
      if (outcome.applied) {
        this.sql.rows(
          "UPDATE plans SET status = 'applied', summary = ?, snapshot = NULL, at = ? WHERE plan_id = ?",
          outcome.summary,
          this.now(),
          planId
        )
      } else if (outcome.partial) {
        this.sql.rows("UPDATE plans SET status = 'partial', at = ? WHERE plan_id = ?", this.now(), planId)
      } else {
        this.sql.rows("DELETE FROM plans WHERE plan_id = ? AND status = 'applying'", planId)
      }
    }
    this.release(lockId)
  }

  private holds(lockId: string): boolean {
    const row = this.sql.rows('SELECT until FROM lock WHERE lock_id = ?', lockId)[0]
    return row !== undefined && Number(row.until) > this.now()
  }

  private release(lockId: string): void {
    this.sql.rows('DELETE FROM lock WHERE lock_id = ?', lockId)
  }

  private plan(planId: string): Record<string, unknown> | undefined {
    return this.sql.rows('SELECT * FROM plans WHERE plan_id = ?', planId)[0]
  }

  private preview(planId: string): PlanRef | null {
    const row = this.sql.rows(
      'SELECT plan_id, tool, params, caller FROM previews WHERE plan_id = ? ORDER BY at DESC LIMIT 1',
      planId
    )[0]
    return row
      ? { plan_id: String(row.plan_id), tool: String(row.tool), params: parse(row.params), caller: String(row.caller) }
      : null
  }

  private pending(): StoredPlan | null {
    const row = this.sql.rows("SELECT * FROM plans WHERE status = 'partial' ORDER BY at DESC LIMIT 1")[0]
    if (!row) return null
    return {
      plan_id: String(row.plan_id),
      tool: String(row.tool),
      params: parse(row.params),
      caller: String(row.caller),
      snapshot: parse(row.snapshot),
      preview: parse(row.preview),
      at: Number(row.at),
    }
  }

  private prune(): void {
    const now = this.now()
    this.sql.rows('DELETE FROM previews WHERE at < ?', now - PREVIEW_TTL_MS)
    this.sql.rows("DELETE FROM plans WHERE status = 'applied' AND at < ?", now - APPLIED_TTL_MS)
    this.sql.rows("DELETE FROM plans WHERE status = 'partial' AND at < ?", now - PARTIAL_TTL_MS)
  }
}
