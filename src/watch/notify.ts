/**
 * Notifications: a Slack incoming-webhook payload (`text`, and the details as an attachment's
 * `fields`) that also carries the facts for machines under `torc_edge`, signed with HMAC-SHA256
 * over the exact body (X-Torc-Edge-Signature: sha256=<hex>), sent only to destinations the operator
 * configured, and retried with backoff on later ticks (the outbox in D1 keeps the exact body).
 */
import { upstreamText } from '../errors.ts'
import type { NotifyEvent } from './policy.ts'

export const SIGNATURE_HEADER = 'X-Torc-Edge-Signature'
export const EVENT_HEADER = 'X-Torc-Edge-Event'
export const DELIVERY_HEADER = 'X-Torc-Edge-Delivery'

/** Attempts per notification, and the wait before each retry (minutes): about two hours in all. */
export const MAX_ATTEMPTS = 8
const BACKOFF_MINUTES = [1, 2, 4, 8, 15, 30, 60]
const DELIVERY_TIMEOUT_MS = 10_000

/** When the next attempt is due after `attempts` failed ones, or null when there is none left. */
export function retryAt(now: number, attempts: number): number | null {
  if (attempts >= MAX_ATTEMPTS) return null
  const minutes = BACKOFF_MINUTES[Math.min(attempts, BACKOFF_MINUTES.length) - 1] ?? 60
  return now + minutes * 60_000
}

export interface Notice {
  /** `reachable` is sent under the `unreachable` choice: Torc answers again after an outage notice. */
  event: NotifyEvent | 'reachable'
  /** Once per watch: the same key is never notified twice. */
  key: string
  watch_id: number
  workflow_id: number
  workflow_name: string | null
  headline: string
  fields: { title: string; value: string }[]
  data?: Record<string, unknown>
}

const COLORS: Record<Notice['event'], string> = {
  completed: 'good',
  recovered: '#2f80ed',
  failed: 'danger',
  gave_up: 'danger',
  unreachable: 'warning',
  reachable: 'good',
}

/** The body as sent (and signed): Slack renders `text` and the attachment; `torc_edge` is for machines. */
export function noticeBody(notice: Notice, now: number): string {
  const name = notice.workflow_name ? ` "${notice.workflow_name}"` : ''
  const text = `torc-edge: workflow ${notice.workflow_id}${name} ${notice.headline}`
  return JSON.stringify({
    text,
    attachments: [
      {
        color: COLORS[notice.event],
        fallback: text,
        fields: notice.fields.map((f) => ({ title: f.title, value: f.value, short: f.value.length <= 40 })),
      },
    ],
    torc_edge: {
      event: notice.event,
      delivery: notice.key,
      watch_id: notice.watch_id,
      workflow_id: notice.workflow_id,
      workflow_name: notice.workflow_name,
      at: new Date(now).toISOString(),
      ...notice.data,
    },
  })
}

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')

/** `sha256=<hex HMAC-SHA256(secret, body)>`: what receivers recompute to trust a notification. */
export async function sign(secret: string, body: string): Promise<string> {
  const enc = new TextEncoder()
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
  ])
  return `sha256=${hex(await crypto.subtle.sign('HMAC', key, enc.encode(body)))}`
}

export type Delivery = { ok: true; status: number } | { ok: false; error: string }

/** One POST of `body` to `url`; never follows a redirect, never says the URL (it is a credential). */
export async function deliver(
  url: string,
  body: string,
  headers: { event: string; delivery: string; secret: string },
  fetcher: typeof fetch = fetch
): Promise<Delivery> {
  try {
    const res = await fetcher(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'torc-edge-watch',
        [EVENT_HEADER]: headers.event,
        [DELIVERY_HEADER]: headers.delivery,
        [SIGNATURE_HEADER]: await sign(headers.secret, body),
      },
      body,
    })
    await res.body?.cancel()
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status }
    return { ok: false, error: `HTTP ${res.status}` }
  } catch (err) {
    if (err instanceof Error && err.name === 'TimeoutError') return { ok: false, error: 'timed out' }
    const reason = err instanceof Error ? err.message : String(err)
    return { ok: false, error: upstreamText(reason, [new URL(url).host]) }
  }
}
