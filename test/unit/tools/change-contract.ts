/**
 * What every write tool (defineChange, src/changes/define.ts) promises its caller, run against one
 * tool on a scripted world: a preview changes nothing; its plan_id applies once; the caller's own
 * preview confirms an apply without plan_id, no preview asks first; a plan_id sent with other
 * parameters is refused naming the parameter; a Torc failure midway says what was done, the next
 * preview offers the same plan to finish and finishing ends where an uninterrupted apply ends; the
 * plan's first Torc read failing becomes the right error. Each tool's file adds what is its own.
 */
import { expect, it } from 'vitest'
import type { ChangeTool } from '../../../src/changes/define.ts'
import { invoke, type ToolContext } from '../../../src/registry.ts'
import { type Answer, type ScriptedTorc, scriptedContext, torcError } from '../../helpers/scripted-torc.ts'
import { data, failure, withFakeTime } from './harness.ts'

export interface World {
  torc: ScriptedTorc
}

export interface ChangeContract<W extends World> {
  tool: ChangeTool
  /** A fresh world in which the change can be applied. */
  world(): W
  input: Record<string, unknown>
  /**
   * One parameter with another value than `input`'s: the refusal must name it (none for a tool whose only parameter
   * picks the scope).
   */
  differing?: Record<string, unknown>
  /** The state the change alters, as plain data: equal before a preview and after it. */
  state(world: W): unknown
  /** A request of the apply made after its first write: it fails once with HTTP 500 (none for a one-step apply). */
  midway?: { method: string; path: string | RegExp; nth?: number }
  /** The first Torc request the tool makes for a plan. */
  firstRead: { method: string; path: string | RegExp }
  /** Its applies wait on purpose (seconds): run every call with time faked and moved on. */
  fakeTime?: boolean
  /** Extra context (output site, agent). */
  context?(world: W, ctx: ToolContext): Partial<ToolContext>
}

/** A caller's session: one ledger across its calls, as one deployment has. */
export function session<W extends World>(
  c: Pick<ChangeContract<W>, 'tool' | 'context' | 'fakeTime'>,
  world: W,
  options: { timeoutMs?: number } = {}
) {
  const base = scriptedContext(world.torc, options)
  const ctx = { ...base, ...c.context?.(world, base) }
  const call = (input: Record<string, unknown>, as: Partial<ToolContext> = {}) => {
    const once = () => invoke(c.tool, input, { ...ctx, ...as }, 'rest')
    return c.fakeTime ? withFakeTime(once) : once()
  }
  return { ctx, call }
}

export function changeContract<W extends World>(c: ChangeContract<W>): void {
  it('previews by default and changes nothing; its plan_id applies once, then is refused as applied', async () => {
    const world = c.world()
    const before = structuredClone(c.state(world))
    const { call } = session(c, world)
    const preview = data(await call(c.input))
    expect(preview).toMatchObject({ status: 'preview', dry_run: true, can_apply: true, applied: null })
    expect(preview.confirm).toEqual({
      tool: c.tool.name,
      arguments: expect.objectContaining({ dry_run: false, plan_id: preview.plan_id }),
    })
    expect(c.state(world)).toEqual(before)
    const applied = data(await call(preview.confirm.arguments))
    expect(applied).toMatchObject({ status: 'applied', dry_run: false, plan_id: preview.plan_id, confirm: null })
    expect(c.state(world)).not.toEqual(before)
    const after = structuredClone(c.state(world))
    const again = failure(await call(preview.confirm.arguments))
    expect(again.status).toBe(409)
    expect(again.message).toMatch(new RegExp(`^plan ${preview.plan_id} was already applied`))
    expect(c.state(world)).toEqual(after)
  })

  it("applies without plan_id right after this caller's own preview", async () => {
    const world = c.world()
    const { call } = session(c, world)
    const preview = data(await call(c.input))
    const applied = data(await call({ ...c.input, dry_run: false }))
    expect(applied).toMatchObject({ status: 'applied', plan_id: preview.plan_id })
  })

  it('without any preview, dry_run=false answers needs_confirmation and changes nothing', async () => {
    const world = c.world()
    const before = structuredClone(c.state(world))
    const { call } = session(c, world)
    const asked = data(await call({ ...c.input, dry_run: false }))
    expect(asked).toMatchObject({ status: 'needs_confirmation', dry_run: true, applied: null })
    expect(asked.confirm.arguments.plan_id).toBe(asked.plan_id)
    expect(c.state(world)).toEqual(before)
  })

  const differing = c.differing
  if (differing)
    it('a plan_id sent with other parameters is refused with 409 naming the parameter, and changes nothing', async () => {
      const world = c.world()
      const before = structuredClone(c.state(world))
      const { call } = session(c, world)
      const preview = data(await call(c.input))
      const refused = failure(await call({ ...preview.confirm.arguments, ...differing }))
      expect(refused.status).toBe(409)
      for (const name of Object.keys(differing)) expect(refused.message).toContain(`${name}: the preview used`)
      expect(c.state(world)).toEqual(before)
    })

  const midway = c.midway
  if (midway)
    it('a Torc failure midway says what was done; the next preview resumes that plan; applying finishes it', async () => {
      const straight = c.world()
      const s = session(c, straight)
      data(await s.call(data(await s.call(c.input)).confirm.arguments))

      const world = c.world()
      const { call } = session(c, world)
      const preview = data(await call(c.input))
      world.torc.nth(midway.method, midway.path, midway.nth ?? 1, torcError(500, 'database is locked'))
      const stopped = failure(await call(preview.confirm.arguments))
      expect(stopped.code).toBe('upstream_error')
      expect(stopped.message).toMatch(/Already done: .+\./)
      expect(stopped.message).toContain('Apply the same plan again')
      const resumed = data(await call(c.input))
      expect(resumed).toMatchObject({ status: 'preview', resuming: true, plan_id: preview.plan_id, can_apply: true })
      const finished = data(await call(resumed.confirm.arguments))
      expect(finished).toMatchObject({ status: 'applied', plan_id: preview.plan_id })
      expect(c.state(world)).toEqual(c.state(straight))
    })

  const faults: { what: string; answer: Answer; code: string }[] = [
    { what: 'HTTP 404', answer: torcError(404, 'not found with ID: 1'), code: 'not_found' },
    { what: 'HTTP 500', answer: torcError(500, 'database is locked at 10.0.0.5:5432'), code: 'upstream_error' },
    { what: 'a refused connection', answer: { fault: 'refused' }, code: 'upstream_unavailable' },
    { what: 'a hang', answer: { fault: 'hang' }, code: 'upstream_timeout' },
  ]
  it.each(faults)(
    "$what from the plan's first Torc read is $code, and nothing is changed",
    async ({ answer, code }) => {
      const world = c.world()
      const before = structuredClone(c.state(world))
      const { call } = session(c, world, { timeoutMs: 50 })
      world.torc.on(c.firstRead.method, c.firstRead.path, answer)
      const out = failure(await call(c.input))
      expect(out.code).toBe(code)
      expect(out.message).not.toMatch(/torc\.internal|10\.0\.0\.5/)
      expect(c.state(world)).toEqual(before)
    }
  )

  it('a read-only credential is refused (403) before Torc is asked', async () => {
    const world = c.world()
    const { call } = session(c, world)
    const out = failure(await call(c.input, { caller: { id: 'reader', scope: 'read' } }))
    expect(out.status).toBe(403)
    expect(world.torc.sent).toEqual([])
  })
}
