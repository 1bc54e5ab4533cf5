/** The watch tools' output shapes (src/tools/watch.ts), every field described for the model. */
import { z } from 'zod'
import { NOTIFY_EVENTS } from './policy.ts'
import { EVENT_KINDS, WATCH_STATES, type Watch, type WatchEvent } from './store.ts'

const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : null)

export const policyOutput = z
  .object({
    recover: z.boolean().describe('Failed jobs are recovered unattended.'),
    max_retries: z.number().int().describe('Recoveries allowed before giving up.'),
    memory_multiplier: z.number().nullable().describe("Memory factor for OOM jobs (null: recover_workflow's default)."),
    runtime_multiplier: z
      .number()
      .nullable()
      .describe("Runtime factor for timeouts (null: recover_workflow's default)."),
    retry_unknown: z.boolean().describe('Jobs with unknown causes are retried too.'),
    resubmit: z.boolean().describe('Reset jobs are started through the login-node agent after a recovery.'),
    auto_schedule: z.boolean().describe('Stranded jobs are rescheduled.'),
    stranded_minutes: z.number().int().describe('Minutes jobs are stranded before rescheduling.'),
    reschedule_cooldown_minutes: z.number().int().describe('Least minutes between reschedules.'),
    destinations: z.array(z.string()).describe('Webhook destinations notified (names).'),
    notify_on: z.array(z.enum(NOTIFY_EVENTS)).describe('Events notified.'),
  })
  .describe('What the watch does.')

export const watchSummary = z.object({
  watch_id: z.number().int().describe('Watch id (get_watch, unwatch_workflow).'),
  workflow_id: z.number().int().describe('Workflow watched.'),
  workflow_name: z.string().nullable().describe('Its name when last checked.'),
  state: z
    .enum(WATCH_STATES)
    .describe('active (checked every tick), completed, failed (a failure it will not recover), gave_up, stopped.'),
  reason: z.string().nullable().describe('Why it ended, if it did.'),
  owner: z.string().describe('Credential that started it.'),
  retries: z.number().int().describe('Recoveries applied so far.'),
  max_retries: z.number().int().describe('Recoveries allowed.'),
  checks: z.number().int().describe('Checks made.'),
  created_at: z.string().describe('When it started (ISO 8601).'),
  checked_at: z.string().nullable().describe('Last check (ISO 8601), null before the first.'),
  jobs_by_status: z
    .record(z.string(), z.number().int())
    .nullable()
    .describe('Job counts at the last check (null before the first).'),
  torc_unreachable_since: z.string().nullable().describe('Torc has not answered its checks since then (ISO 8601).'),
  destinations: z.array(z.string()).describe('Destinations it notifies.'),
})

export function summarizeWatch(w: Watch): z.output<typeof watchSummary> {
  const last = (w.last_status ?? null) as { jobs_by_status?: Record<string, number> } | null
  return {
    watch_id: w.id,
    workflow_id: w.workflow_id,
    workflow_name: w.workflow_name,
    state: w.state,
    reason: w.reason,
    owner: w.owner,
    retries: w.retries,
    max_retries: w.policy.max_retries,
    checks: w.checks,
    created_at: iso(w.created_at)!,
    checked_at: iso(w.checked_at),
    jobs_by_status: last?.jobs_by_status ?? null,
    torc_unreachable_since: iso(w.unreachable_since),
    destinations: w.policy.destinations,
  }
}

export const historyEvent = z.object({
  id: z.number().int().describe('Event id (page on with after = the last id).'),
  at: z.string().describe('When (ISO 8601).'),
  last_at: z.string().describe('When last repeated (a check that saw the same as the one before adds to it).'),
  repeats: z.number().int().describe('How many times it happened in a row (checks only).'),
  kind: z
    .enum(EVENT_KINDS)
    .describe(
      'created, check (what a check saw and decided), diagnosis (a recovery plan), ' +
        'change (a recovery or resubmission applied), notification (queued), delivery ' +
        '(an attempt to send it), unreachable, state (the watch ended), note.'
    ),
  summary: z.string().describe('What happened.'),
  detail: z.unknown().describe('Its facts (counts, plan, changes), when any.'),
})

export function historyOf(e: WatchEvent): z.output<typeof historyEvent> {
  return {
    id: e.id,
    at: iso(e.at)!,
    last_at: iso(e.last_at)!,
    repeats: e.repeats,
    kind: e.kind,
    summary: e.summary,
    detail: e.detail ?? null,
  }
}
