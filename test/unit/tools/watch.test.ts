/**
 * The watch tools (src/tools/watch.ts) through invoke(), on the scripted Torc world and node:sqlite
 * D1 of test/unit/watch: watch_workflow's change contract (its apply is one step: no midway), the
 * errors each face maps, and paging of list_watches and get_watch. What a watch does on its ticks,
 * and the previews' wording: test/unit/watch/*.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { ToolError } from '../../../src/errors.ts'
import { invoke, type ToolContext } from '../../../src/registry.ts'
import { getWatch, listWatches, unwatchWorkflow, watchWorkflow } from '../../../src/tools/watch.ts'
import { torcError } from '../../helpers/scripted-torc.ts'
import { harness } from '../watch/harness.ts'
import { TorcWorld } from '../watch/torc-world.ts'
import { changeContract, session } from './change-contract.ts'
import { data, failure, quietToolLogs } from './harness.ts'

quietToolLogs()

function world() {
  const w = new TorcWorld([8, 8])
  return Object.assign(w, { h: harness(w.torc) })
}
type World = ReturnType<typeof world>
const withStore = (w: World, base: ToolContext): Partial<ToolContext> => ({
  watches: w.h.store,
  config: { ...base.config, TORC_EDGE_WEBHOOKS: w.h.config.TORC_EDGE_WEBHOOKS, TORC_EDGE_WEBHOOK_SECRET: 'unit' },
})
const watches = (w: World) => w.h.d1.sqlite.prepare('SELECT id, workflow_id, state, owner FROM watches').all()
const contract = {
  tool: watchWorkflow,
  world,
  context: withStore,
  state: watches,
  input: { workflow_id: 1, destinations: ['ops'] },
  differing: { max_retries: 5 },
  firstRead: { method: 'GET', path: '/workflows/1/status' },
}

describe('watch_workflow: the change contract', () => {
  changeContract(contract)
})

describe('the watch tools through invoke()', () => {
  it('watch_workflow refuses a destination URL (invalid_input naming the field) and an unknown name', async () => {
    const { call } = session(contract, world())
    const url = failure(await call({ workflow_id: 1, destinations: ['https://evil.example.org/hook'] }))
    expect(url.status).toBe(400)
    expect(url.message).toMatch(/^invalid input: destinations\.0: a destination name/)
    expect(failure(await call({ workflow_id: 1, destinations: ['pager'] })).message).toBe(
      'invalid input: destinations: pager not configured; the operator configured: ops, team'
    )
  })

  it('a workflow unwatched can be watched again with the same policy: a new plan, a new watch', async () => {
    const w = world()
    const watch = session(contract, w)
    const unwatch = session({ tool: unwatchWorkflow, context: withStore }, w)
    const first = data(await watch.call(data(await watch.call(contract.input)).confirm.arguments))
    data(await unwatch.call(data(await unwatch.call({ workflow_id: 1 })).confirm.arguments))
    const again = data(await watch.call(contract.input))
    expect(again.plan_id).not.toBe(first.plan_id)
    const second = data(await watch.call(again.confirm.arguments))
    expect(second.applied).toEqual({ watch_id: 2, state: 'active' })
    expect(watches(w).map((x) => x.state)).toEqual(['stopped', 'active'])
  })

  it('a watch made whose answer was lost: the plan resumes, and finishing it finds that watch, making none', async () => {
    const w = world()
    const create = w.h.store.create.bind(w.h.store)
    let lose = true
    w.h.store.create = async (input) => {
      const made = await create(input)
      if (lose) {
        lose = false
        throw new ToolError('upstream_timeout', 'D1 did not answer')
      }
      return made
    }
    const { call } = session(contract, w)
    const preview = data(await call(contract.input))
    expect(failure(await call(preview.confirm.arguments)).message).toContain('it may have taken effect')
    const resumed = data(await call(contract.input))
    expect(resumed).toMatchObject({ resuming: true, plan_id: preview.plan_id })
    expect(data(await call(resumed.confirm.arguments)).applied).toEqual({ watch_id: 1, state: 'active' })
    expect(watches(w)).toHaveLength(1)
  })

  it('unwatch_workflow: 404 for a watch that does not exist; watch_id or workflow_id required', async () => {
    const w = world()
    const { call } = session({ tool: unwatchWorkflow, context: withStore }, w)
    expect(failure(await call({ watch_id: 9 }))).toMatchObject({ status: 404, message: 'watch 9 not found' })
    expect(failure(await call({ workflow_id: 1 }))).toMatchObject({ status: 404, message: 'workflow 1 has no watch' })
    expect(failure(await call({}))).toMatchObject({
      status: 400,
      message: 'invalid input: give watch_id or workflow_id',
    })
  })

  it('list_watches pages newest first and filters; a read-only credential may list; no watches is empty', async () => {
    const w = world()
    const read = { ...w.h.context(w.h.client(w.torc), 'reader'), caller: { id: 'reader', scope: 'read' as const } }
    expect(data(await invoke(listWatches, {}, read, 'rest'))).toMatchObject({
      total: 0,
      count: 0,
      has_more: false,
      watches: [],
    })
    for (let i = 0; i < 3; i++) {
      await w.h.watch({ workflow_id: 1 })
      await w.h.store.stop(i + 1, 'unwatched', 'alice', Date.now())
    }
    await w.h.watch({ workflow_id: 1 })
    const page = data(await invoke(listWatches, { limit: 2, offset: 1 }, read, 'rest'))
    expect(page).toMatchObject({ total: 4, offset: 1, count: 2, has_more: true })
    expect(page.watches.map((x: { watch_id: number }) => x.watch_id)).toEqual([3, 2])
    const active = data(await invoke(listWatches, { state: 'active' }, read, 'rest'))
    expect(active.watches.map((x: { watch_id: number }) => x.watch_id)).toEqual([4])
    expect(failure(await invoke(listWatches, { state: 'sleeping' }, read, 'rest')).status).toBe(400)
  })

  it('get_watch pages its history with after; has_more says when more follows', async () => {
    const w = world()
    await w.h.watch({ workflow_id: 1 })
    for (let i = 0; i < 3; i++) {
      w.h.clock.now += 60_000 * 5
      await w.h.tick()
    }
    const ctx = w.h.context(w.h.client(w.torc), 'alice')
    const first = data(await invoke(getWatch, { watch_id: 1, limit: 2 }, ctx, 'rest'))
    expect(first).toMatchObject({ has_more: true })
    expect(first.history).toHaveLength(2)
    const rest = data(await invoke(getWatch, { watch_id: 1, after: first.history[1].id, limit: 50 }, ctx, 'rest'))
    expect(rest.has_more).toBe(false)
    expect(first.history_total).toBe(2 + rest.history.length)
  })

  it("Torc missing the workflow is not_found when watching; Torc's 500 is upstream_error, no watch made", async () => {
    const w = world()
    const { call } = session(contract, w)
    expect(failure(await call({ workflow_id: 2 })).code).toBe('not_found')
    w.torc.on('GET', '/workflows/1/status', torcError(500, 'database is locked'), 1)
    expect(failure(await call({ workflow_id: 1 })).code).toBe('upstream_error')
    expect(watches(w)).toEqual([])
  })
})
