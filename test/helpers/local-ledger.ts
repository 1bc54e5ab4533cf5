/**
 * The change ledger for unit tests: the same LedgerState rules the Durable Object runs, each scope
 * on its own in-memory node:sqlite database (as each scope is its own object), behind the async
 * Ledger interface tools see. `now` lets a test move the clock (leases, windows, TTLs).
 */
import { DatabaseSync } from 'node:sqlite'
import type { Ledger, LedgerScope } from '../../src/changes/ledger.ts'
import { LedgerState, type Sql } from '../../src/changes/ledger-state.ts'

export function sqliteSql(db: DatabaseSync = new DatabaseSync(':memory:')): Sql {
  return { rows: (query, ...bindings) => db.prepare(query).all(...bindings) as Record<string, unknown>[] }
}

export interface LocalLedger extends Ledger {
  /** The rules behind one scope, for assertions. */
  state(scope: string): LedgerState
}

export function localLedger(options: { now?: () => number; newId?: () => string } = {}): LocalLedger {
  const scopes = new Map<string, LedgerState>()
  const state = (scope: string) => {
    let found = scopes.get(scope)
    if (!found) {
      found = new LedgerState(sqliteSql(), options.now, options.newId)
      scopes.set(scope, found)
    }
    return found
  }
  const ledger = (scope: string): LedgerScope => {
    const s = state(scope)
    // Async like the Durable Object's RPC stubs; each call still runs whole, as one RPC does.
    return {
      remember: async (ref) => s.remember(ref),
      lock: async (leaseMs) => s.lock(leaseMs),
      claim: async (lockId, claim) => s.claim(lockId, claim),
      finish: async (lockId, outcome) => s.finish(lockId, outcome),
    }
  }
  return Object.assign(ledger, { state })
}
