/**
 * Torc's eleven job statuses and the colour each is drawn in, per theme. The colours are set as CSS
 * variables (--st-<status>) so every bar, chip and legend uses the same ones, and the browser tests
 * compare what is drawn with this table.
 */
import { type Child, h } from './dom.ts'

export const STATUSES = [
  'completed',
  'failed',
  'terminated',
  'pending_failed',
  'canceled',
  'running',
  'pending',
  'ready',
  'blocked',
  'uninitialized',
  'disabled',
] as const
export type Status = (typeof STATUSES)[number]

export const STATUS_COLORS: Record<Status, { light: string; dark: string }> = {
  completed: { light: '#2e7d32', dark: '#66bb6a' },
  failed: { light: '#c62828', dark: '#ef5350' },
  terminated: { light: '#e65100', dark: '#ff8a50' },
  pending_failed: { light: '#ad1457', dark: '#f06292' },
  canceled: { light: '#795548', dark: '#bcaaa4' },
  running: { light: '#1565c0', dark: '#64b5f6' },
  pending: { light: '#00838f', dark: '#4dd0e1' },
  ready: { light: '#6a1b9a', dark: '#ba68c8' },
  blocked: { light: '#9e7700', dark: '#ffd54f' },
  uninitialized: { light: '#9e9e9e', dark: '#757575' },
  disabled: { light: '#cfcfcf', dark: '#4a4a4a' },
}

/** Statuses whose jobs did not succeed and have logs worth reading. */
export const FAILED: readonly string[] = ['failed', 'terminated', 'pending_failed']

export const isStatus = (value: unknown): value is Status => STATUSES.includes(value as Status)

export function applyStatusColors(theme: 'light' | 'dark'): void {
  for (const status of STATUSES) {
    document.documentElement.style.setProperty(`--st-${status}`, STATUS_COLORS[status][theme])
  }
}

const label = (status: string) => status.replace('_', ' ')

/**
 * Jobs by status as one stacked bar (each segment as wide as its share) with a legend of the
 * non-zero counts. `caption` says what is counted.
 */
export function statusBar(counts: Partial<Record<string, number>>, caption: string): HTMLElement {
  const entries = STATUSES.map((s) => [s, counts[s] ?? 0] as const).filter(([, n]) => n > 0)
  const total = entries.reduce((sum, [, n]) => sum + n, 0)
  const segments = entries.map(([status, n]) =>
    h('span', {
      class: `seg st-${status}`,
      attrs: { 'data-status': status, 'data-count': n, title: `${n} ${label(status)}` },
      style: { 'flex-grow': String(n) },
    })
  )
  return h(
    'figure',
    { class: 'status-bar', attrs: { 'data-total': total } },
    h(
      'div',
      { class: 'bar', attrs: { role: 'img', 'aria-label': `${caption}: ${legendText(entries) || 'none'}` } },
      total ? segments : h('span', { class: 'seg empty' })
    ),
    h('figcaption', null, h('span', { class: 'sr-only' }, `${caption}: `), legend(entries))
  )
}

const legendText = (entries: readonly (readonly [string, number])[]) =>
  entries.map(([s, n]) => `${n} ${label(s)}`).join(', ')

function legend(entries: readonly (readonly [Status, number])[]): Child {
  if (!entries.length) return h('span', { class: 'muted' }, 'no jobs')
  return h(
    'ul',
    { class: 'legend' },
    entries.map(([status, n]) =>
      h(
        'li',
        { attrs: { 'data-status': status } },
        h('span', { class: `swatch st-${status}`, attrs: { 'aria-hidden': 'true' } }),
        h('span', { class: 'count' }, n.toLocaleString('en-US')),
        ` ${label(status)}`
      )
    )
  )
}

/** A status as a coloured badge. */
export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge st-${isStatus(status) ? status : 'uninitialized'}` }, label(status))
}
