/**
 * What one tick spends, counted by kind: each Torc call, D1 round trip, change-ledger call, site
 * server request (the agent's actions and /v1/info) and webhook delivery is one subrequest against
 * the Worker's per-invocation limit, so the tick checks what is left before starting work it cannot
 * finish.
 */
import type { Ledger } from '../changes/ledger.ts'
import type { Transport } from '../transport.ts'

export const SPEND_KINDS = ['torc', 'd1', 'ledger', 'agent', 'webhook'] as const
export type SpendKind = (typeof SPEND_KINDS)[number]

export class Budget {
  readonly limit: number
  readonly spent: Record<SpendKind, number> = { torc: 0, d1: 0, ledger: 0, agent: 0, webhook: 0 }

  constructor(limit: number) {
    this.limit = limit
  }

  count(kind: SpendKind, n = 1): void {
    this.spent[kind] += n
  }

  get total(): number {
    return SPEND_KINDS.reduce((sum, kind) => sum + this.spent[kind], 0)
  }

  get left(): number {
    return this.limit - this.total
  }
}

/** A transport that counts its requests. */
export function countedTransport(transport: Transport, count: () => void): Transport {
  return {
    baseUrl: transport.baseUrl,
    host: transport.host,
    fetch(pathAndQuery, init) {
      count()
      return transport.fetch(pathAndQuery, init)
    },
  }
}

/** A ledger whose every call (one Durable Object request) is counted. */
export function countedLedger(ledger: Ledger, count: () => void): Ledger {
  return (scope) => {
    const inner = ledger(scope)
    const counting =
      <A extends unknown[], R>(call: (...args: A) => R) =>
      (...args: A): R => {
        count()
        return call(...args)
      }
    return {
      remember: counting((ref: Parameters<typeof inner.remember>[0]) => inner.remember(ref)),
      lock: counting((leaseMs?: number) => inner.lock(leaseMs)),
      claim: counting((lockId: string, claim: Parameters<typeof inner.claim>[1]) => inner.claim(lockId, claim)),
      finish: counting((lockId: string, outcome: Parameters<typeof inner.finish>[1]) => inner.finish(lockId, outcome)),
    }
  }
}

/**
 * Subrequests a recovery of a workflow of `jobs` jobs with `failures` to reset may take: its plan
 * twice (preview, then again under the lock), each about a dozen reads plus a page per 10,000 jobs
 * and results, one reset per job, a few writes and the ledger's calls; then a resubmission.
 */
export function recoveryCost(jobs: number, failures: number): number {
  const pages = Math.max(1, Math.ceil(jobs / 10_000))
  const plan = 11 + 4 * pages
  // + writes and the ledger; + the agent's submission and its Slurm check when there is one.
  return 2 * plan + failures + 12 + 6 + 8 + 12
}

/** A check: the status call, and the D1 batch that records it. */
export const CHECK_COST = 2
