/**
 * Turns what a check found into notifications for a watch: only the events its policy asks for,
 * only to the destinations it named that the operator still configures, each once (its key).
 */
import type { Config } from '../config.ts'
import { type Notice, noticeBody } from './notify.ts'
import type { NotifyEvent } from './policy.ts'
import type { NewEvent, Outgoing, Watch } from './store.ts'

export type NoticeInput = Omit<Notice, 'watch_id' | 'workflow_id' | 'workflow_name'>

/** The policy choice an event falls under (`reachable` follows `unreachable`). */
const choiceOf = (event: Notice['event']): NotifyEvent => (event === 'reachable' ? 'unreachable' : event)

/** The outbox rows and the history line for `input`; nothing when the policy does not ask for it. */
export function notify(
  config: Config,
  watch: Watch,
  workflowName: string | null,
  input: NoticeInput,
  now: number
): { outgoing: Outgoing[]; events: NewEvent[] } {
  const { policy } = watch
  if (!policy.notify_on.includes(choiceOf(input.event)) || policy.destinations.length === 0)
    return { outgoing: [], events: [] }
  const configured = new Set(config.TORC_EDGE_WEBHOOKS.map((h) => h.name))
  const targets = policy.destinations.filter((d) => configured.has(d))
  const missing = policy.destinations.filter((d) => !configured.has(d))
  const notes: string[] = []
  if (missing.length) notes.push(`not configured any more: ${missing.join(', ')}`)
  if (!config.TORC_EDGE_WEBHOOK_SECRET) notes.push('TORC_EDGE_WEBHOOK_SECRET is not set, so nothing is sent')
  const sendTo = config.TORC_EDGE_WEBHOOK_SECRET ? targets : []
  const notice: Notice = {
    ...input,
    watch_id: watch.id,
    workflow_id: watch.workflow_id,
    workflow_name: workflowName,
  }
  const body = noticeBody(notice, now)
  const outgoing = sendTo.map((destination) => ({
    event: input.event,
    destination,
    body,
    key: `w${watch.id}:${input.key}:${destination}`,
  }))
  const to = sendTo.length ? `to ${sendTo.join(', ')}` : 'to no destination'
  const events: NewEvent[] = [
    {
      kind: 'notification',
      summary: `notified ${input.event} ${to}: ${input.headline}${notes.length ? ` (${notes.join('; ')})` : ''}`,
      detail: { event: input.event, destinations: sendTo, key: input.key },
      key: `notify:${input.key}`,
    },
  ]
  return { outgoing, events }
}
