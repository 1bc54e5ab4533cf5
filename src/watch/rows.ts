/** The watch store's rows as D1 holds them (migrations/0001_watches.sql), checked with zod on the way in. */
import { z } from 'zod'
import { StoredPolicySchema } from './policy.ts'

export const WATCH_STATES = ['active', 'completed', 'failed', 'gave_up', 'stopped'] as const
export type WatchState = (typeof WATCH_STATES)[number]

const json = z.string().transform((s) => JSON.parse(s) as unknown)
const nullableJson = json.nullable()

export const WatchRowSchema = z.object({
  id: z.number().int(),
  workflow_id: z.number().int(),
  owner: z.string(),
  policy: json.pipe(StoredPolicySchema),
  state: z.enum(WATCH_STATES),
  reason: z.string().nullable(),
  retries: z.number().int(),
  checks: z.number().int(),
  created_at: z.number(),
  updated_at: z.number(),
  checked_at: z.number(),
  lease_id: z.string().nullable(),
  workflow_name: z.string().nullable(),
  last_status: nullableJson,
  last_signature: z.string().nullable(),
  last_check_event: z.number().int().nullable(),
  unreachable_since: z.number().nullable(),
  unreachable_notified: z.number().transform((n) => n !== 0),
  stranded_since: z.number().nullable(),
  rescheduled_at: z.number().nullable(),
})
export type Watch = z.output<typeof WatchRowSchema>

export const EVENT_KINDS = [
  'created',
  'check',
  'diagnosis',
  'change',
  'notification',
  'delivery',
  'unreachable',
  'state',
  'note',
] as const
export type EventKind = (typeof EVENT_KINDS)[number]

export const EventRowSchema = z.object({
  id: z.number().int(),
  watch_id: z.number().int(),
  at: z.number(),
  last_at: z.number(),
  repeats: z.number().int(),
  kind: z.enum(EVENT_KINDS),
  summary: z.string(),
  detail: nullableJson,
})
export type WatchEvent = z.output<typeof EventRowSchema>

export interface NewEvent {
  kind: EventKind
  summary: string
  detail?: unknown
  /** Recorded once per watch under this key (later attempts are ignored). */
  key?: string
}

export interface Outgoing {
  event: string
  destination: string
  body: string
  /** Once per key (the event's key and the destination). */
  key: string
}

/** What a check changes on the watch row; absent fields stay. */
export interface WatchUpdate {
  checked_at?: number
  /** Ends the watch (only an active one: the first tick to end it wins). */
  state?: Exclude<WatchState, 'active'>
  reason?: string
  /** Recount the recoveries applied (the `recovered:` events, each recorded once). */
  recount_retries?: boolean
  workflow_name?: string
  last_status?: unknown
  unreachable_since?: number | null
  unreachable_notified?: boolean
  stranded_since?: number | null
  rescheduled_at?: number
}

/** One check as history keeps it: an unchanged one (same signature) adds to the previous row. */
export interface CheckRecord {
  signature: string
  summary: string
  detail: unknown
}

export const OutboxRowSchema = z.object({
  id: z.number().int(),
  watch_id: z.number().int(),
  event: z.string(),
  destination: z.string(),
  body: z.string(),
  key: z.string(),
  attempts: z.number().int(),
})
export type OutboxRow = z.output<typeof OutboxRowSchema>

export const parseRows = <S extends z.ZodType>(schema: S, rows: unknown[]): z.output<S>[] =>
  rows.map((r) => schema.parse(r))
