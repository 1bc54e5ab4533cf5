/**
 * defineChange over the local ledger, with a change whose "Torc" is an object in memory: a memory
 * value raised by a factor and a run counter, each step converging on its target. What it shows:
 * confirmation (plan_id, or the caller's own recent preview), exactly once, and an apply stopped
 * midway (inside a step, between steps, or again while being finished) being finished, not compounded.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { defineChange } from '../../../src/changes/define.ts'
import { ToolError } from '../../../src/errors.ts'
import type { ToolContext } from '../../../src/registry.ts'
import { localLedger } from '../../helpers/local-ledger.ts'

interface World {
  memory: number
  run: number
  /** Fails the next call of these operations once each. */
  failing: Set<'set' | 'bump' | 'read' | 'set unanswered' | 'set lost'>
}

function raiseMemory(world: World) {
  const fail = (op: 'set' | 'bump' | 'read') => {
    if (world.failing.delete(op)) throw new ToolError('upstream_error', `injected ${op} failure`)
  }
  return defineChange({
    name: 'raise_memory',
    title: 'Raise memory',
    description: 'Raise memory by a factor and start a new run.',
    kind: 'rm',
    input: z.object({ workflow_id: z.number().int(), factor: z.number().default(1.5) }),
    preview: { old: z.number(), new: z.number(), run: z.number() },
    applied: z.object({ memory: z.number(), run: z.number() }),
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    scope: ({ workflow_id }) => `workflow:${workflow_id}`,
    async plan({ factor }) {
      const target = world.memory * factor
      return {
        snapshot: { target, run: world.run },
        basis: { memory: world.memory, run: world.run },
        fields: { old: world.memory, new: target, run: world.run },
        blockers: [],
      }
    },
    async apply(plan, _ctx, steps) {
      if (world.memory !== plan.target) {
        await steps.step(`set memory to ${plan.target}`, async () => {
          fail('set')
          // Unanswered, and it did not land either: the plan recomputes to the same plan_id.
          if (world.failing.delete('set lost')) throw new ToolError('upstream_unavailable', 'connection reset')
          world.memory = plan.target
          // The change landed, but its answer was lost (a timeout after Torc committed it).
          if (world.failing.delete('set unanswered')) throw new ToolError('upstream_timeout', 'Torc did not answer')
        })
      }
      fail('read')
      if (world.run === plan.run) {
        await steps.step('started a new run', async () => {
          fail('bump')
          world.run += 1
        })
      }
      return { memory: world.memory, run: world.run }
    },
    done: (applied) => `Memory is ${applied.memory}, run ${applied.run}.`,
  })
}

function setup() {
  const world: World = { memory: 10, run: 1, failing: new Set() }
  const tool = raiseMemory(world)
  const ledger = localLedger()
  const ctx = (caller = 'alice') =>
    ({
      caller: { id: caller, scope: 'write' },
      ledger,
      signal: new AbortController().signal,
      progress: async () => undefined,
    }) as unknown as ToolContext
  const call = (input: Record<string, unknown>, caller?: string) =>
    tool.handler(tool.input.parse({ workflow_id: 7, ...input }), ctx(caller)) as Promise<Record<string, any>>
  const refused = async (input: Record<string, unknown>, caller?: string): Promise<ToolError> => {
    const err = await call(input, caller).then(
      (out) => new Error(`expected a refusal, got ${JSON.stringify(out)}`),
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(ToolError)
    return err as ToolError
  }
  return { world, call, refused }
}

describe('defineChange', () => {
  it('previews by default, applies the plan_id once, and refuses it the second time', async () => {
    const { world, call, refused } = setup()
    const preview = await call({})
    expect(preview).toMatchObject({ status: 'preview', dry_run: true, old: 10, new: 15, applied: null })
    expect(preview.confirm).toEqual({
      tool: 'raise_memory',
      arguments: { workflow_id: 7, factor: 1.5, dry_run: false, plan_id: preview.plan_id },
    })
    expect(world).toMatchObject({ memory: 10, run: 1 })
    const done = await call(preview.confirm.arguments)
    expect(done).toMatchObject({ status: 'applied', dry_run: false, applied: { memory: 15, run: 2 }, confirm: null })
    const again = await refused(preview.confirm.arguments)
    expect(again.code).toBe('conflict')
    expect(again.message).toMatch(new RegExp(`^plan ${preview.plan_id} was already applied \\d+ s ago \\(by alice\\)`))
    expect(world).toMatchObject({ memory: 15, run: 2 })
  })

  it('without plan_id: asks unless this caller previewed exactly this plan; another caller is asked too', async () => {
    const { world, call } = setup()
    const asked = await call({ dry_run: false })
    expect(asked).toMatchObject({ status: 'needs_confirmation', dry_run: true, applied: null })
    expect(asked.next_steps).toMatch(/^Not applied yet/)
    expect(world.memory).toBe(10)
    expect(await call({ dry_run: false }, 'bob')).toMatchObject({ status: 'needs_confirmation' })
    expect(world.memory).toBe(10)
    expect(await call({ dry_run: false })).toMatchObject({ status: 'applied', plan_id: asked.plan_id })
    expect(world).toMatchObject({ memory: 15, run: 2 })
  })

  it('names the parameter that differs from the previewed plan', async () => {
    const { world, refused, call } = setup()
    const preview = await call({ factor: 2 })
    const err = await refused({ dry_run: false, plan_id: preview.plan_id })
    expect(err.message).toBe(
      `this call's parameters differ from plan ${preview.plan_id}'s (factor: the ` +
        `preview used 2, this call 1.5): send the same parameters, or preview again`
    )
    world.memory = 12
    const stale = await refused({ factor: 2, dry_run: false, plan_id: preview.plan_id })
    expect(stale.message).toContain(`workflow 7 changed since plan ${preview.plan_id} was previewed`)
    expect(world).toMatchObject({ memory: 12, run: 1 })
  })

  it('stopped inside a step: says what was done; the next preview is that plan; applying finishes it once', async () => {
    const { world, call, refused } = setup()
    const preview = await call({})
    world.failing.add('bump')
    const err = await refused(preview.confirm.arguments)
    expect(err.message).toBe(
      'started a new run failed: injected bump failure. Already done: set memory to 15. ' +
        'Apply the same plan again (same arguments, dry_run=false) to finish it.'
    )
    expect(world).toMatchObject({ memory: 15, run: 1 })
    // Planned anew it would be 15 -> 22.5; the stopped plan is offered instead, whatever the parameters.
    for (const input of [{}, { factor: 3 }]) {
      expect(await call(input)).toMatchObject({ resuming: true, plan_id: preview.plan_id, old: 10, new: 15 })
    }
    expect(await call(preview.confirm.arguments)).toMatchObject({ status: 'applied', applied: { memory: 15, run: 2 } })
    expect(await call({})).toMatchObject({ resuming: false, old: 15, new: 22.5 })
  })

  it('stopped between steps (a read failed): still finishable', async () => {
    const { world, call, refused } = setup()
    const preview = await call({})
    world.failing.add('read')
    const err = await refused(preview.confirm.arguments)
    expect(err.message).toBe(
      'injected read failure Already done: set memory to 15. Apply the ' +
        'same plan again (same arguments, dry_run=false) to finish it.'
    )
    expect(await call({})).toMatchObject({ resuming: true, plan_id: preview.plan_id })
    expect(await call({ dry_run: false })).toMatchObject({ status: 'applied', applied: { memory: 15, run: 2 } })
  })

  it('stopped again while being finished, before doing anything new: still finishable', async () => {
    const { world, call, refused } = setup()
    const preview = await call({})
    world.failing.add('bump')
    await refused(preview.confirm.arguments)
    world.failing.add('bump')
    const again = await refused(preview.confirm.arguments)
    expect(again.message).toMatch(
      /^started a new run failed: injected bump failure\. Nothing was changed\. Apply the same plan again/
    )
    expect(await call({})).toMatchObject({ resuming: true, plan_id: preview.plan_id, new: 15 })
    expect(await call(preview.confirm.arguments)).toMatchObject({ status: 'applied', applied: { memory: 15, run: 2 } })
    expect(world).toMatchObject({ memory: 15, run: 2 })
  })

  it('a request Torc never answered may have taken effect: finishable, and finishing converges', async () => {
    const { world, call, refused } = setup()
    const preview = await call({})
    world.failing.add('set unanswered')
    const err = await refused(preview.confirm.arguments)
    expect(err.code).toBe('upstream_timeout')
    expect(err.message).toBe(
      'set memory to 15 failed (it may have taken effect: Torc did not answer): Torc did not answer. ' +
        'Nothing else was changed. Apply the same plan again (same arguments, dry_run=false) to finish it.'
    )
    expect(await call({})).toMatchObject({ resuming: true, plan_id: preview.plan_id, old: 10, new: 15 })
    expect(await call(preview.confirm.arguments)).toMatchObject({ status: 'applied', applied: { memory: 15, run: 2 } })
  })

  it('an unanswered request that did not land: the preview still says it is unfinished', async () => {
    const { world, call, refused } = setup()
    const preview = await call({})
    world.failing.add('set lost')
    await refused(preview.confirm.arguments)
    expect(world.memory).toBe(10)
    const again = await call({})
    expect(again).toMatchObject({ resuming: true, plan_id: preview.plan_id })
    expect(again.next_steps).toContain('stopped midway')
    expect(await call({ dry_run: false })).toMatchObject({ status: 'applied', applied: { memory: 15, run: 2 } })
  })

  it('failed before changing anything: nothing pending, the same plan can be applied', async () => {
    const { world, call, refused } = setup()
    const preview = await call({})
    world.failing.add('set')
    const err = await refused(preview.confirm.arguments)
    expect(err.message).toBe('set memory to 15 failed: injected set failure. Nothing was changed.')
    expect(await call({})).toMatchObject({ resuming: false, plan_id: preview.plan_id })
    expect(await call(preview.confirm.arguments)).toMatchObject({ status: 'applied' })
  })
})
