/**
 * Watches, their history and their notifications in D1 (migrations/0001_watches.sql). Nothing is
 * kept in memory between ticks: each tick claims due watches here with a lease, and writes back
 * what its check saw and did in one batch (one transaction). Events and notifications that must
 * happen once carry a key, so a tick that overran its lease and the tick that took over record
 * them once between them.
 */
import type { Db, DbStatement } from './db.ts'
import type { StoredPolicy } from './policy.ts'
import {
  type CheckRecord,
  EventRowSchema,
  type NewEvent,
  type OutboxRow,
  OutboxRowSchema,
  type Outgoing,
  parseRows,
  type Watch,
  WatchRowSchema,
  type WatchState,
  type WatchUpdate,
} from './rows.ts'

export * from './rows.ts'

export class WatchStore {
  private readonly db: Db

  constructor(db: Db) {
    this.db = db
  }

  /** A new active watch, or null when the workflow already has one. */
  async create(input: {
    workflow_id: number
    owner: string
    policy: StoredPolicy
    workflow_name: string
    now: number
  }): Promise<Watch | null> {
    const inserted = await this.db
      .prepare(
        `INSERT OR IGNORE INTO watches (workflow_id, owner, policy, workflow_name, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING *`
      )
      .bind(input.workflow_id, input.owner, JSON.stringify(input.policy), input.workflow_name, input.now, input.now)
      .all()
    const row = inserted.results[0]
    if (!row) return null
    const watch = WatchRowSchema.parse(row)
    await this.append(watch.id, input.now, [
      { kind: 'created', summary: `watching workflow ${input.workflow_id} for ${input.owner}`, detail: input.policy },
    ])
    return watch
  }

  async get(id: number): Promise<Watch | null> {
    const row = await this.db.prepare('SELECT * FROM watches WHERE id = ?').bind(id).first()
    return row ? WatchRowSchema.parse(row) : null
  }

  async activeFor(workflowId: number): Promise<Watch | null> {
    const row = await this.db
      .prepare("SELECT * FROM watches WHERE workflow_id = ? AND state = 'active'")
      .bind(workflowId)
      .first()
    return row ? WatchRowSchema.parse(row) : null
  }

  /** The workflow's active watch, else its most recent one. */
  async latestFor(workflowId: number): Promise<Watch | null> {
    const row = await this.db
      .prepare("SELECT * FROM watches WHERE workflow_id = ? ORDER BY state = 'active' DESC, id DESC LIMIT 1")
      .bind(workflowId)
      .first()
    return row ? WatchRowSchema.parse(row) : null
  }

  async list(filter: {
    state?: WatchState | undefined
    workflow_id?: number | undefined
    limit: number
    offset: number
  }) {
    const where: string[] = []
    const values: unknown[] = []
    if (filter.state) {
      where.push('state = ?')
      values.push(filter.state)
    }
    if (filter.workflow_id) {
      where.push('workflow_id = ?')
      values.push(filter.workflow_id)
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : ''
    const [rows, total] = await this.db.batch([
      this.db
        .prepare(`SELECT * FROM watches ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
        .bind(...values, filter.limit, filter.offset),
      this.db.prepare(`SELECT COUNT(*) AS n FROM watches ${clause}`).bind(...values),
    ])
    return {
      items: parseRows(WatchRowSchema, rows?.results ?? []),
      total: Number((total?.results[0] as { n?: number } | undefined)?.n ?? 0),
    }
  }

  /** A watch's history, oldest first, after event `after` (0: from the start). */
  async events(watchId: number, options: { after: number; limit: number }) {
    const [rows, total] = await this.db.batch([
      this.db
        .prepare('SELECT * FROM watch_events WHERE watch_id = ? AND id > ? ORDER BY id LIMIT ?')
        .bind(watchId, options.after, options.limit),
      this.db.prepare('SELECT COUNT(*) AS n FROM watch_events WHERE watch_id = ?').bind(watchId),
    ])
    return {
      items: parseRows(EventRowSchema, rows?.results ?? []),
      total: Number((total?.results[0] as { n?: number } | undefined)?.n ?? 0),
    }
  }

  /**
   * Leases up to `limit` active watches whose lease is free, least recently checked first: one
   * statement, so two ticks at once never get the same watch.
   */
  async claim(now: number, limit: number, leaseMs: number, leaseId: string): Promise<Watch[]> {
    const claimed = await this.db
      .prepare(
        `UPDATE watches SET lease_until = ?, lease_id = ?
         WHERE id IN (SELECT id FROM watches WHERE state = 'active' AND lease_until <= ?
                      ORDER BY checked_at, id LIMIT ?)
         RETURNING *`
      )
      .bind(now + leaseMs, leaseId, now, limit)
      .all()
    return parseRows(WatchRowSchema, claimed.results).sort((a, b) => a.checked_at - b.checked_at || a.id - b.id)
  }

  /**
   * Writes back one check in one transaction: the check, events and notifications, the watch's new
   * facts, and the lease released (if this tick still holds it). Answers the keys newly recorded.
   */
  async save(
    watch: Watch,
    leaseId: string,
    now: number,
    changes: { update?: WatchUpdate; check?: CheckRecord; events?: NewEvent[]; outgoing?: Outgoing[] }
  ): Promise<{ recorded: Set<string> }> {
    const statements: DbStatement[] = []
    const keyed: (string | undefined)[] = []
    const check = changes.check
    if (check && check.signature === watch.last_signature && watch.last_check_event !== null) {
      statements.push(
        this.db
          .prepare('UPDATE watch_events SET repeats = repeats + 1, last_at = ? WHERE id = ?')
          .bind(now, watch.last_check_event)
      )
      keyed.push(undefined)
    } else if (check) {
      statements.push(this.insertEvent(watch.id, now, { kind: 'check', summary: check.summary, detail: check.detail }))
      keyed.push(undefined)
    }
    for (const event of changes.events ?? []) {
      statements.push(this.insertEvent(watch.id, now, event))
      keyed.push(event.key)
    }
    for (const out of changes.outgoing ?? []) {
      statements.push(
        this.db
          .prepare(
            `INSERT OR IGNORE INTO watch_outbox (watch_id, event, destination, body, key, next_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)`
          )
          .bind(watch.id, out.event, out.destination, out.body, out.key, now, now)
      )
      keyed.push(out.key)
    }
    statements.push(this.updateWatch(watch.id, leaseId, now, changes.update ?? {}, check))
    keyed.push(undefined)
    const results = await this.db.batch(statements)
    const recorded = new Set<string>()
    results.forEach((r, i) => {
      const key = keyed[i]
      if (key && (r.meta.changes ?? 0) > 0) recorded.add(key)
    })
    return { recorded }
  }

  /** Adds events outside a check (creation, unwatch). */
  async append(watchId: number, now: number, events: NewEvent[]): Promise<void> {
    if (events.length) await this.db.batch(events.map((e) => this.insertEvent(watchId, now, e)))
  }

  /** Ends an active watch; false when it had ended already. */
  async stop(watchId: number, reason: string, by: string, now: number): Promise<boolean> {
    const [ended] = await this.db.batch([
      this.db
        .prepare("UPDATE watches SET state = 'stopped', reason = ?, updated_at = ? WHERE id = ? AND state = 'active'")
        .bind(reason, now, watchId),
      this.insertEvent(watchId, now, { kind: 'state', summary: `stopped by ${by}: ${reason}`, key: 'state:end' }),
    ])
    return (ended?.meta.changes ?? 0) > 0
  }

  /** Leases due notifications (pending, next attempt due), oldest first. */
  async claimOutbox(now: number, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const claimed = await this.db
      .prepare(
        `UPDATE watch_outbox SET lease_until = ?, attempts = attempts + 1
         WHERE id IN (SELECT id FROM watch_outbox WHERE status = 'pending' AND next_at <= ? AND lease_until <= ?
                      ORDER BY next_at, id LIMIT ?)
         RETURNING id, watch_id, event, destination, body, key, attempts`
      )
      .bind(now + leaseMs, now, now, limit)
      .all()
    return parseRows(OutboxRowSchema, claimed.results).sort((a, b) => a.id - b.id)
  }

  /** Records one delivery attempt: delivered, retried at `retryAt`, or given up (retryAt null). */
  async delivered(
    row: OutboxRow,
    now: number,
    outcome: { ok: true; summary: string } | { ok: false; error: string; retryAt: number | null; summary: string }
  ): Promise<void> {
    const update = outcome.ok
      ? this.db
          .prepare("UPDATE watch_outbox SET status = 'delivered', delivered_at = ?, last_error = NULL WHERE id = ?")
          .bind(now, row.id)
      : outcome.retryAt === null
        ? this.db
            .prepare("UPDATE watch_outbox SET status = 'failed', last_error = ? WHERE id = ?")
            .bind(outcome.error, row.id)
        : this.db
            .prepare('UPDATE watch_outbox SET next_at = ?, lease_until = 0, last_error = ? WHERE id = ?')
            .bind(outcome.retryAt, outcome.error, row.id)
    await this.db.batch([
      update,
      this.insertEvent(row.watch_id, now, {
        kind: 'delivery',
        summary: outcome.summary,
        detail: { event: row.event, destination: row.destination, attempt: row.attempts, ok: outcome.ok },
      }),
    ])
  }

  private insertEvent(watchId: number, now: number, event: NewEvent): DbStatement {
    return this.db
      .prepare(
        `INSERT OR IGNORE INTO watch_events (watch_id, at, last_at, kind, summary, detail, key)
         VALUES (?, ?, ?, ?, ?, ?, ?)`
      )
      .bind(
        watchId,
        now,
        now,
        event.kind,
        event.summary,
        event.detail === undefined ? null : JSON.stringify(event.detail),
        event.key ?? null
      )
  }

  private updateWatch(
    id: number,
    leaseId: string,
    now: number,
    u: WatchUpdate,
    check: CheckRecord | undefined
  ): DbStatement {
    const sets: string[] = ['updated_at = ?', 'lease_until = CASE WHEN lease_id = ? THEN 0 ELSE lease_until END']
    const values: unknown[] = [now, leaseId]
    const set = (column: string, value: unknown) => {
      sets.push(`${column} = ?`)
      values.push(value)
    }
    if (u.checked_at !== undefined) set('checked_at', u.checked_at)
    if (check) {
      sets.push('checks = checks + 1')
      set('last_signature', check.signature)
      sets.push("last_check_event = (SELECT MAX(id) FROM watch_events WHERE watch_id = watches.id AND kind = 'check')")
    }
    if (u.state) {
      // SET expressions read the row as it was: both CASEs see the old state.
      sets.push("state = CASE WHEN state = 'active' THEN ? ELSE state END")
      sets.push("reason = CASE WHEN state = 'active' THEN ? ELSE reason END")
      values.push(u.state, u.reason ?? null)
    } else if (u.reason !== undefined) set('reason', u.reason)
    if (u.recount_retries)
      sets.push("retries = (SELECT COUNT(*) FROM watch_events WHERE watch_id = watches.id AND key LIKE 'recovered:%')")
    if (u.workflow_name !== undefined) set('workflow_name', u.workflow_name)
    if (u.last_status !== undefined) set('last_status', JSON.stringify(u.last_status))
    if (u.unreachable_since !== undefined) set('unreachable_since', u.unreachable_since)
    if (u.unreachable_notified !== undefined) set('unreachable_notified', u.unreachable_notified ? 1 : 0)
    if (u.stranded_since !== undefined) set('stranded_since', u.stranded_since)
    if (u.rescheduled_at !== undefined) set('rescheduled_at', u.rescheduled_at)
    return this.db.prepare(`UPDATE watches SET ${sets.join(', ')} WHERE id = ?`).bind(...values, id)
  }
}
