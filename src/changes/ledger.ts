/**
 * How tools reach the change ledger: one scope per workflow (or per creation), each its own
 * Durable Object. Unit tests use `localLedger` (the same LedgerState over node:sqlite).
 */
import type { Claim, ClaimResult, LockResult, Outcome, PlanRef, StoredPlan } from './ledger-state.ts'

export interface LedgerScope {
  remember(ref: PlanRef): Promise<{ pending: StoredPlan | null }>
  lock(leaseMs?: number): Promise<LockResult>
  claim(lockId: string, claim: Claim): Promise<ClaimResult>
  finish(lockId: string, outcome: Outcome): Promise<void>
}

/** Opens a scope by name, e.g. `workflow:12`. */
export type Ledger = (scope: string) => LedgerScope

/** What the Worker binds as CHANGES: a namespace of ChangeLedger objects (RPC stubs). */
export interface LedgerNamespace {
  idFromName(name: string): unknown
  get(id: never): LedgerScope
}

export function durableLedger(namespace: LedgerNamespace): Ledger {
  return (scope) => namespace.get(namespace.idFromName(scope) as never)
}
