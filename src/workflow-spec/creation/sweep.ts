import { z } from 'zod'
import { ToolError } from '../../errors.ts'
import { ListPageSchema } from '../../torc/schemas.ts'
import { DeadlineClock, type TorcLink } from './budget.ts'
import { INCOMPLETE_NAME, SWEEP_MIN_AGE_MS } from './marker.ts'

/** What a sweep did: ids it removed, ids it left and why. */
export interface SweepReport {
  removed: number[]
  /** Marked, but young enough to be a creation still in progress. */
  recent: number[]
  /** Marked, but not removed: the reason per id. */
  failed: { workflow_id: number; reason: string }[]
  /** Why the sweep stopped early (Torc unreachable, out of time), if it did. */
  stopped?: string
}

export interface SweepOptions {
  /** Now, by torc-server's clock, in ms (workflow timestamps are its own); Date.now() by default. */
  serverNow?: number
  /** Leave this one alone: the caller's own creation. */
  excludeId?: number
  /** Younger marked workflows are left alone (default SWEEP_MIN_AGE_MS). */
  minAgeMs?: number
  /** When the sweep must be done (a time on `clock`); 3 s from now by default. */
  until?: number
  /** The call's deadline clock; a fresh one (TorcLink's transport, 20 s per call) by default. */
  clock?: DeadlineClock
}

/** The most marked workflows one sweep looks at; the rest wait for the next call. */
const PAGE = 100

const MarkedSchema = ListPageSchema.extend({
  items: z
    .array(
      z
        .object({
          id: z.number().int(),
          name: z.string(),
          timestamp: z.string().nullish(),
          is_archived: z.boolean().nullish(),
        })
        .loose()
    )
    .nullish(),
})

/**
 * Removes the caller's workflows that an earlier creation left marked (marker.ts): those named
 * INCOMPLETE_NAME, owned by `user`, older than the safety margin, and archived or without jobs (a
 * workflow of that name with jobs that is not archived was not left by torc-edge, and stays). One
 * filtered list request when there is nothing to do; never throws.
 */
export async function sweepIncomplete(torc: TorcLink, user: string, options: SweepOptions = {}): Promise<SweepReport> {
  const clock = options.clock ?? new DeadlineClock(torc)
  const until = options.until ?? clock.now() + 3_000
  const now = options.serverNow ?? Date.now()
  const minAge = options.minAgeMs ?? SWEEP_MIN_AGE_MS
  const report: SweepReport = { removed: [], recent: [], failed: [] }
  let items: NonNullable<z.output<typeof MarkedSchema>['items']>
  try {
    const query = { user, name: INCOMPLETE_NAME, offset: 0, limit: PAGE }
    items = (await clock.get('/workflows', MarkedSchema, query, until)).items ?? []
  } catch (err) {
    report.stopped = reason(err)
    return report
  }
  for (const wf of items) {
    if (wf.id === options.excludeId || wf.name !== INCOMPLETE_NAME) continue
    const created = Date.parse(wf.timestamp ?? '')
    if (!Number.isFinite(created) || now - created < minAge) {
      report.recent.push(wf.id)
      continue
    }
    try {
      if (wf.is_archived !== true) {
        const jobs = await clock.get('/jobs', ListPageSchema, { workflow_id: wf.id, offset: 0, limit: 1 }, until)
        if (jobs.total_count > 0) {
          report.failed.push({ workflow_id: wf.id, reason: 'has jobs but is not archived: not left by torc-edge' })
          continue
        }
      }
      await clock.send('DELETE', `/workflows/${wf.id}`, null, until)
      report.removed.push(wf.id)
    } catch (err) {
      if (err instanceof ToolError && err.code === 'not_found') {
        report.removed.push(wf.id) // gone already (its own creation's rollback landed late)
        continue
      }
      report.failed.push({ workflow_id: wf.id, reason: reason(err) })
      if (err instanceof ToolError && err.code.startsWith('upstream_')) {
        report.stopped = reason(err)
        break
      }
    }
  }
  return report
}

const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err))

/** One sentence for an answer, or undefined when the sweep removed nothing and found nothing stuck. */
export function sweepSentence(report: SweepReport | undefined): string | undefined {
  if (report === undefined) return undefined
  const parts: string[] = []
  if (report.removed.length > 0) {
    parts.push(`Removed incomplete workflow(s) ${report.removed.join(', ')} left by earlier failed creations.`)
  }
  if (report.failed.length > 0) {
    const ids = report.failed.map((f) => `${f.workflow_id} (${f.reason})`).join(', ')
    parts.push(`Could not remove incomplete workflow(s) ${ids}; a later call tries again.`)
  }
  return parts.length > 0 ? parts.join(' ') : undefined
}
