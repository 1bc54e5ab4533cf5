/** The watch tools on the scripted world: previews, refusals that name what to do, list, get, unwatch. */
import { describe, expect, it } from 'vitest'
import type { ToolError } from '../../../src/errors.ts'
import { getWatch, listWatches, unwatchWorkflow, watchWorkflow } from '../../../src/tools/watch.ts'
import { harness } from './harness.ts'
import { TorcWorld } from './torc-world.ts'

const setup = (env: Record<string, string> = {}) => {
  const world = new TorcWorld([8, 8])
  const h = harness(world.torc, env)
  const ctx = h.context(h.client(world.torc), 'alice')
  const call = async (tool: typeof watchWorkflow | typeof unwatchWorkflow, input: Record<string, unknown>) =>
    (await tool.handler(tool.input.parse(input), ctx)) as Record<string, any>
  return { world, h, ctx, call }
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a refusal')
    },
    (err: ToolError) => `${err.code}: ${err.message}`
  )

describe('watch_workflow', () => {
  it('previews the resolved policy and changes nothing; applying it starts one watch', async () => {
    const { h, call } = setup()
    const preview = await call(watchWorkflow, { workflow_id: 1, destinations: ['team', 'ops'] })
    expect(preview).toMatchObject({
      status: 'preview',
      workflow_name: 'oom-world',
      policy: {
        recover: true,
        max_retries: 3,
        memory_multiplier: null,
        destinations: ['ops', 'team'],
        notify_on: ['completed', 'failed', 'recovered', 'gave_up', 'unreachable'],
      },
      blockers: [],
      confirm: { tool: 'watch_workflow' },
    })
    expect(preview.notes).toContain(
      'No login-node agent is configured: after a recovery the history says which command to run on the cluster.'
    )
    expect((await h.store.list({ limit: 10, offset: 0 })).total).toBe(0)
    const applied = await call(watchWorkflow, preview.confirm.arguments)
    expect(applied).toMatchObject({ status: 'applied', applied: { watch_id: 1, state: 'active' } })
    const again = await call(watchWorkflow, { workflow_id: 1 })
    expect(again.blockers).toEqual([
      'workflow 1 is already watched (watch 1): unwatch_workflow it first to change the policy.',
    ])
  })

  it('takes only destination names the operator configured, never a URL', async () => {
    const { call } = setup()
    expect(await refusal(call(watchWorkflow, { workflow_id: 1, destinations: ['pager'] }))).toBe(
      'invalid_input: invalid input: destinations: pager not configured; the operator configured: ops, team'
    )
    await expect(
      call(watchWorkflow, { workflow_id: 1, destinations: ['https://evil.example.org/hook'] })
    ).rejects.toThrow(/destination name/)
  })

  it('refuses to notify unsigned: destinations need TORC_EDGE_WEBHOOK_SECRET', async () => {
    const { call } = setup({ TORC_EDGE_WEBHOOK_SECRET: '' })
    const preview = await call(watchWorkflow, { workflow_id: 1, destinations: ['ops'] })
    expect(preview.can_apply).toBe(false)
    expect(preview.blockers).toEqual([
      'notifications are signed, and TORC_EDGE_WEBHOOK_SECRET is not set: ask the operator to set it.',
    ])
  })

  it('says so when the deployment has no WATCHES binding', async () => {
    const { h, world } = setup()
    const ctx = { ...h.context(h.client(world.torc), 'alice'), watches: undefined }
    const preview = await watchWorkflow.handler(watchWorkflow.input.parse({ workflow_id: 1 }), ctx)
    expect(preview.blockers).toEqual(['watches are not set up on this deployment (its WATCHES D1 binding is missing).'])
    expect(await refusal(listWatches.handler(listWatches.input.parse({}), ctx))).toMatch(
      /^internal: watches are not set up on this deployment: its WATCHES D1 binding is missing/
    )
  })
})

describe('list_watches, get_watch, unwatch_workflow', () => {
  it('list and show the watch with its history; unwatch previews, stops it once, keeps the history', async () => {
    const { h, ctx, call } = setup()
    await h.watch({ workflow_id: 1, destinations: ['ops'], max_retries: 1 })
    await h.tick()
    const list = await listWatches.handler(listWatches.input.parse({ state: 'active' }), ctx)
    expect(list).toMatchObject({
      total: 1,
      watches: [{ watch_id: 1, workflow_id: 1, state: 'active', max_retries: 1, checks: 1, destinations: ['ops'] }],
    })
    const shown = await getWatch.handler(getWatch.input.parse({ workflow_id: 1 }), ctx)
    expect(shown.history.map((e: { kind: string }) => e.kind)).toEqual(['created', 'check'])
    expect(shown.watch.jobs_by_status).toMatchObject({ ready: 2 })

    const preview = await call(unwatchWorkflow, { workflow_id: 1 })
    expect(preview).toMatchObject({ status: 'preview', watch: { watch_id: 1, state: 'active' } })
    const applied = await call(unwatchWorkflow, preview.confirm.arguments)
    expect(applied.applied).toEqual({ stopped: true })
    expect((await h.tick()).claimed).toBe(0)
    const after = await getWatch.handler(getWatch.input.parse({ watch_id: 1 }), ctx)
    expect(after.watch).toMatchObject({ state: 'stopped', reason: 'unwatched' })
    expect(after.history.at(-1)).toMatchObject({ kind: 'state', summary: 'stopped by alice: unwatched' })
    expect((await call(unwatchWorkflow, { watch_id: 1 })).blockers).toEqual(['watch 1 already ended (stopped).'])
    expect(await refusal(getWatch.handler(getWatch.input.parse({ watch_id: 9 }), ctx))).toBe(
      'not_found: watch 9 not found'
    )
  })

  it('a watched workflow deleted from Torc ends the watch as failed', async () => {
    const { h } = setup()
    await h.watch({ workflow_id: 1 })
    h.d1.sqlite.exec('UPDATE watches SET workflow_id = 2')
    await h.tick()
    expect(await h.store.get(1)).toMatchObject({ state: 'failed', reason: 'workflow 2 no longer exists' })
  })
})
