import { DurableObject } from 'cloudflare:workers'
import {
  type Claim,
  type ClaimResult,
  LedgerState,
  type LockResult,
  type Outcome,
  type PlanRef,
  type Sql,
  type StoredPlan,
} from './ledger-state.ts'

/**
 * One Durable Object per change scope (a workflow, or one creation): Cloudflare runs each object in
 * one place, one request at a time between awaits, and LedgerState's methods never await, so every
 * call below is atomic across all Worker instances. Bound as CHANGES (wrangler.toml).
 */
export class ChangeLedger extends DurableObject<Record<string, unknown>> {
  private readonly state: LedgerState

  constructor(ctx: DurableObjectState, env: Record<string, unknown>) {
    super(ctx, env)
    const storage = ctx.storage.sql
    const sql: Sql = { rows: (query, ...bindings) => storage.exec(query, ...bindings).toArray() }
    this.state = new LedgerState(sql)
  }

  remember(ref: PlanRef): { pending: StoredPlan | null } {
    return this.state.remember(ref)
  }

  lock(leaseMs?: number): LockResult {
    return this.state.lock(leaseMs)
  }

  claim(lockId: string, claim: Claim): ClaimResult {
    return this.state.claim(lockId, claim)
  }

  finish(lockId: string, outcome: Outcome): void {
    this.state.finish(lockId, outcome)
  }
}
