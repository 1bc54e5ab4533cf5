/**
 * What one check found and does, gathered while it runs and written in one D1 batch at the end
 * (store.save): the watch's new facts, history events, notifications; and Torc being unreachable.
 */
import type { Config } from '../config.ts'
import type { ToolContext } from '../registry.ts'
import type { Budget } from './budget.ts'
import { type NoticeInput, notify } from './notices.ts'
import type { NewEvent, Outgoing, Watch, WatchStore, WatchUpdate } from './store.ts'

export const MINUTE = 60_000

export interface CheckDeps {
  config: Config
  store: WatchStore
  budget: Budget
  context: (watch: Watch) => ToolContext
  tickId: string
  now: () => number
}

/** The record being built for one check, saved in one batch at the end. */
export class Findings {
  update: WatchUpdate = {}
  events: NewEvent[] = []
  outgoing: Outgoing[] = []
  check: { signature: string; summary: string; detail: unknown } | undefined
  private readonly deps: CheckDeps
  readonly watch: Watch
  readonly now: number

  constructor(deps: CheckDeps, watch: Watch, now: number) {
    this.deps = deps
    this.watch = watch
    this.now = now
  }

  note(kind: NewEvent['kind'], summary: string, detail?: unknown, key?: string) {
    this.events.push({ kind, summary, detail, ...(key ? { key } : {}) })
  }
  notice(input: NoticeInput, name: string | null) {
    const made = notify(this.deps.config, this.watch, name, input, this.now)
    this.outgoing.push(...made.outgoing)
    this.events.push(...made.events)
  }
  end(state: NonNullable<WatchUpdate['state']>, reason: string) {
    this.update.state = state
    this.update.reason = reason
    this.note('state', `${state}: ${reason}`, undefined, 'state:end')
  }
  save() {
    const { update, events, outgoing, check } = this
    return this.deps.store.save(this.watch, this.deps.tickId, this.now, {
      update,
      events,
      outgoing,
      ...(check ? { check } : {}),
    })
  }
}

/** Torc did not answer: recorded (one history row for the outage), notified once after the configured time. */
export async function recordUnreachable(rec: Findings, config: Config, why: string): Promise<void> {
  const { watch, now } = rec
  const since = watch.unreachable_since ?? now
  rec.update.checked_at = now
  rec.update.unreachable_since = since
  rec.check = { signature: 'unreachable', summary: `Torc unreachable: ${why}`, detail: null }
  if (watch.unreachable_since === null)
    rec.note('unreachable', `Torc unreachable: ${why}`, undefined, `unreachable:${since}`)
  const minutes = config.TORC_EDGE_WATCH_UNREACHABLE_MINUTES
  if (!watch.unreachable_notified && now - since >= minutes * MINUTE) {
    rec.update.unreachable_notified = true
    rec.notice(
      {
        event: 'unreachable',
        key: `unreachable:${since}`,
        headline: `cannot be checked: Torc has been unreachable for ${Math.round((now - since) / MINUTE)} min (${why})`,
        fields: [],
      },
      watch.workflow_name
    )
  }
  await rec.save()
}
