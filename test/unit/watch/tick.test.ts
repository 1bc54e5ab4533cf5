/**
 * The tick's logic on a scripted Torc world (torc-world.ts): recovery with recover_workflow's own
 * plan and apply through the change primitive, giving up at max_retries, one recovery between
 * overlapping ticks and between a tick and a person, and what the history and receiver get.
 */
import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { AgentClient } from '../../../src/output/agent.ts'
import { recoverWorkflow } from '../../../src/tools/recovery.ts'
import type { Transport } from '../../../src/transport.ts'
import { eventsOf, harness, MIN, SECRET, T0 } from './harness.ts'
import { TorcWorld } from './torc-world.ts'

/** Ten jobs at 10g; work_1..3 need 12 GiB and are killed for memory (137) until raised. */
const oomWorld = () => new TorcWorld([12, 12, 12, 8, 8, 8, 8, 8, 8, 8])

describe('a watched OOM workflow', () => {
  it('is recovered once, then reported completed: "recovered" then "completed", every step in the history', async () => {
    const world = oomWorld()
    const h = harness(world.torc)
    const id = await h.watch({ workflow_id: 1, destinations: ['ops'], max_retries: 3 })
    world.run()
    expect(world.counts()).toMatchObject({ failed: 3, completed: 7 })

    const first = await h.tick()
    expect(first.checks).toEqual([expect.objectContaining({ watch_id: id, decision: 'recover' })])
    expect(world.workflow.run_id).toBe(2)
    expect(world.rr.memory).not.toBe('10g')
    expect(world.counts()).toMatchObject({ ready: 3, completed: 7 })
    expect((await h.store.get(id))?.retries).toBe(1)

    h.clock.now += MIN
    expect((await h.tick()).checks[0]?.decision).toBe('stranded')
    world.run()
    h.clock.now += MIN
    expect((await h.tick()).checks[0]?.decision).toBe('completed')
    h.clock.now += MIN
    expect((await h.tick()).claimed).toBe(0)

    expect(eventsOf(h.hooks)).toEqual(['recovered', 'completed'])
    const recovered = JSON.parse(h.hooks[0]!.body)
    expect(recovered.text).toMatch(
      /^torc-edge: workflow 1 "oom-world" recovered \(attempt 1 of 3\): 3 job\(s\) reset for run 2/
    )
    expect(recovered.attachments[0].fields.map((f: { title: string }) => f.title)).toEqual([
      'Diagnosis',
      'Changes',
      'Next',
    ])
    expect(recovered.torc_edge).toMatchObject({
      event: 'recovered',
      watch_id: id,
      workflow_id: 1,
      attempt: 1,
      new_run_id: 2,
    })
    // The signature is HMAC-SHA256 over the exact body with the operator's secret.
    const expected = `sha256=${createHmac('sha256', SECRET).update(h.hooks[0]!.body).digest('hex')}`
    expect(h.hooks[0]!.headers['X-Torc-Edge-Signature']).toBe(expected)
    expect(h.hooks[0]!.url).toBe('https://hooks.example.org/ops')

    const kinds = (await h.store.events(id, { after: 0, limit: 100 })).items.map((e) => `${e.kind}: ${e.summary}`)
    expect(kinds[0]).toMatch(/^created: watching workflow 1 for alice/)
    expect(kinds).toContainEqual(expect.stringMatching(/^check: finished with 3 failure\(s\): recovering/))
    expect(kinds).toContainEqual(
      expect.stringMatching(/^diagnosis: 3 job\(s\) did not succeed: 3 out of memory\. Retry 3 after 1 resource change/)
    )
    expect(kinds).toContainEqual(expect.stringMatching(/^change: Recovered: 3 job\(s\) reset for run 2/))
    expect(kinds).toContainEqual(expect.stringMatching(/^note: not resubmitted: .*no login-node agent is configured/))
    expect(kinds).toContainEqual(expect.stringMatching(/^notification: notified recovered to ops/))
    expect(kinds).toContainEqual('delivery: delivered recovered to ops (attempt 1)')
    expect(kinds).toContainEqual(expect.stringMatching(/^state: completed: all 10 job\(s\) finished without failure/))
    expect(kinds.at(-1)).toBe('delivery: delivered completed to ops (attempt 1)')
  })

  it('that keeps failing stops at max_retries and says "gave up" once', async () => {
    const world = new TorcWorld([500, 8])
    const h = harness(world.torc)
    const id = await h.watch({ workflow_id: 1, destinations: ['ops', 'team'], max_retries: 2, notify_on: ['gave_up'] })
    for (let i = 0; i < 6; i++) {
      world.run()
      await h.tick()
      h.clock.now += MIN
    }
    expect(world.workflow.run_id).toBe(3)
    const watch = await h.store.get(id)
    expect(watch).toMatchObject({
      state: 'gave_up',
      retries: 2,
      reason: 'max_retries (2) reached with 1 job(s) still failed',
    })
    expect(eventsOf(h.hooks)).toEqual(['gave_up', 'gave_up'])
    expect(h.hooks.map((x) => x.url).sort()).toEqual([
      'https://hooks.example.org/ops',
      'https://hooks.example.org/team',
    ])
  })
})

/**
 * The login-node agent's `run` action as the site server answers it; "running" the workflow here is
 * the world's pretend runner finishing every ready job.
 */
function scriptedAgent(world: TorcWorld, runs: number[]): AgentClient {
  const transport: Transport = {
    baseUrl: 'http://agent.internal',
    host: 'agent.internal',
    async fetch(path, init) {
      if (path !== '/v1/actions/run') return new Response('unscripted', { status: 500 })
      runs.push(JSON.parse(String(init.body)).workflow_id)
      world.run()
      return Response.json({
        action: 'run',
        ok: true,
        runs: [],
        background: { pid: 4000 + runs.length, already_running: false, started_at: new Date().toISOString() },
        timeout_ms: 3000,
      })
    },
  }
  return new AgentClient(transport)
}

describe('resubmission through the agent', () => {
  it('starts the reset jobs after each recovery, each time a new plan (the same counts are not "already applied")', async () => {
    const world = new TorcWorld([500, 8])
    const runs: number[] = []
    const h = harness(world.torc, {}, scriptedAgent(world, runs))
    const id = await h.watch({ workflow_id: 1, max_retries: 2 })
    world.run()
    for (let i = 0; i < 4; i++) {
      await h.tick()
      h.clock.now += MIN
    }
    expect(runs).toEqual([1, 1])
    const history = (await h.store.events(id, { after: 0, limit: 100 })).items.map((e) => `${e.kind}: ${e.summary}`)
    expect(history.filter((l) => l.startsWith('change: resubmitted: torc run started on the login node'))).toHaveLength(
      2
    )
    expect(await h.store.get(id)).toMatchObject({ state: 'gave_up', retries: 2 })
  })
})

describe('exactly one recovery', () => {
  it('between two overlapping ticks, even when the first overran its lease', async () => {
    const world = oomWorld()
    const h = harness(world.torc)
    const id = await h.watch({ workflow_id: 1, destinations: ['ops'] })
    world.run()
    // Slow Torc: both ticks are in flight at once. The second runs 11 minutes later by its clock,
    // past the first's 10-minute lease, so it claims the watch too and both plan the same recovery.
    world.delayMs = 5
    const [a, b] = await Promise.all([h.tick(), h.tick({ at: T0 + 11 * MIN })])
    const decisions = [...a.checks, ...b.checks].map((c) => c.decision)
    expect(decisions).toEqual(['recover', 'recover'])
    expect(world.workflow.run_id).toBe(2)
    expect((await h.store.get(id))?.retries).toBe(1)
    const history = (await h.store.events(id, { after: 0, limit: 100 })).items
    expect(history.filter((e) => e.kind === 'change' && e.summary.startsWith('Recovered'))).toHaveLength(1)
    expect(history.filter((e) => e.kind === 'note' && e.summary.startsWith('recovery not applied'))).toHaveLength(1)
    expect(eventsOf(h.hooks)).toEqual(['recovered'])
  })

  it('between a tick and a person applying the same recovery', async () => {
    const world = oomWorld()
    const h = harness(world.torc)
    await h.watch({ workflow_id: 1 })
    world.run()
    const person = h.context(h.client(world.torc), 'bob')
    const preview = await recoverWorkflow.handler(recoverWorkflow.input.parse({ workflow_id: 1 }), person)
    const apply = recoverWorkflow
      .handler(recoverWorkflow.input.parse({ workflow_id: 1, dry_run: false, plan_id: preview.plan_id }), person)
      .then(
        () => 'applied',
        (err: Error) => err.message
      )
    world.delayMs = 5
    const [byPerson] = await Promise.all([apply, h.tick()])
    expect(world.workflow.run_id).toBe(2)
    const history = (await h.store.events(1, { after: 0, limit: 100 })).items
    const byTick = history.some((e) => e.kind === 'change' && e.summary.startsWith('Recovered'))
    expect([byPerson === 'applied', byTick].filter(Boolean)).toHaveLength(1)
  })
})
