/**
 * The watch flows' steps, shared by the local (`torc run` through the agent) and Slurm files: a
 * workflow created and submitted from the chat, a watch started on it, then only cron ticks until
 * the watch ends; and what get_watch and the receiver say afterwards.
 */
import { expect } from 'vitest'
import { sleep } from '../../scripts/slurm/procs.ts'
import { signedBy, WEBHOOK_SECRET } from './watch-receiver.ts'
import type { WatchStack } from './watch-stack.ts'

/** create_workflow + confirm, submit_workflow + confirm: the workflow id. */
export async function createAndSubmit(stack: WatchStack, spec: string): Promise<number> {
  const created = await stack.apply('create_workflow', { spec, format: 'yaml', action: 'create_workflow' })
  const wf = created.applied.workflow_id as number
  const submitted = await stack.apply('submit_workflow', { workflow_id: wf })
  expect(submitted.status).toBe('applied')
  return wf
}

/** watch_workflow previewed and applied: the watch id. */
export async function startWatch(stack: WatchStack, args: Record<string, unknown>): Promise<number> {
  const applied = await stack.apply('watch_workflow', args)
  return applied.applied.watch_id as number
}

/** Fires cron ticks (nothing else) until the watch leaves `active`; its get_watch answer. */
export async function tickUntilEnded(stack: WatchStack, watchId: number, ms: number, everyMs = 2000): Promise<any> {
  const deadline = Date.now() + ms
  for (;;) {
    await stack.tick()
    const shown = await stack.ok('get_watch', { watch_id: watchId, limit: 200 })
    if (shown.watch.state !== 'active') return shown
    if (Date.now() > deadline)
      throw new Error(`watch ${watchId} still active after ${ms} ms: ${JSON.stringify(shown.history.slice(-5))}`)
    await sleep(everyMs)
  }
}

/** Waits (no tick) until the workflow has finished its run and its runners are gone. */
export async function finished(stack: WatchStack, wf: number, ms: number): Promise<Record<string, number>> {
  const deadline = Date.now() + ms
  for (;;) {
    const s = await stack.torcGet<any>(`/workflows/${wf}/status`)
    const busy = s.active_compute_nodes + s.pending_scheduled_nodes + s.active_scheduled_nodes
    if (s.is_complete && busy === 0) return s.jobs_by_status
    if (Date.now() > deadline) throw new Error(`workflow ${wf} not finished after ${ms} ms: ${JSON.stringify(s)}`)
    await sleep(1000)
  }
}

/** Every notification the receiver got carries a valid signature. */
export function expectSigned(stack: WatchStack): void {
  for (const r of stack.receiver.received)
    expect(signedBy(WEBHOOK_SECRET, r.body, r.headers['x-torc-edge-signature']), r.body).toBe(true)
}

export const historyLines = (shown: any): string[] =>
  shown.history.map((e: { kind: string; summary: string }) => `${e.kind}: ${e.summary}`)
