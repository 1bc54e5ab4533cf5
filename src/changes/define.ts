/**
 * The one change primitive: every tool that changes Torc is a plan function and an apply function.
 * The primitive owns the rest: the dry_run default, the plan_id, the preview-then-apply envelope,
 * confirmation (an explicit plan_id, or the caller's own preview of exactly this plan), and the
 * exactly-once guarantee: under the scope's lock (a Durable Object) the plan is recomputed from
 * current state, claimed, applied in steps that converge on its targets, and recorded, so two
 * applies of one plan never both take effect and a failure midway is finished by the same plan_id.
 */
import { z } from 'zod'
import { ToolError, toToolError } from '../errors.ts'
import type { AnyTool, ToolAnnotations, ToolContext } from '../registry.ts'
import { compiled } from '../validation/compiled.ts'
import { ago, changeInput, envelope, label, refusal, type STATUS } from './envelope.ts'
import type { LedgerScope } from './ledger.ts'
import type { StoredPlan } from './ledger-state.ts'
import { differingParameters, planId } from './plan-id.ts'
import { StepLog, StoppedMidway } from './steps.ts'

export interface ChangePlan<S> {
  /** Everything apply() needs, as JSON: stored while applying so a stopped apply can be finished. */
  snapshot: S
  /** The state the plan was computed from (with snapshot and parameters, hashed into the plan_id). */
  basis: unknown
  /** The tool's preview fields (its `preview` shape). */
  fields: Record<string, unknown>
  /** Why it cannot be applied now, each saying what to do; empty when it can. */
  blockers: string[]
}

export interface ChangeDefinition<
  I extends z.ZodObject,
  S,
  A extends z.ZodType,
  F extends z.ZodRawShape,
  N extends string = string,
> {
  name: N
  title: string
  description: string
  /** Plan parameters (the primitive adds dry_run and plan_id). */
  input: I
  /** The tool's own preview fields. */
  preview: F
  /** What an apply changed. */
  applied: A
  annotations: ToolAnnotations
  /** Short plan_id prefix, e.g. `rp` for recover_workflow. */
  kind: string
  /** One apply at a time per scope, e.g. `workflow:12`. */
  scope(params: z.output<I>, ctx: ToolContext): Promise<string> | string
  plan(params: z.output<I>, ctx: ToolContext): Promise<ChangePlan<S>>
  apply(snapshot: S, ctx: ToolContext, steps: StepLog, params: z.output<I>): Promise<z.input<A>>
  /** The parameters as the ledger keeps them (default: all); hash big ones (a spec text). */
  record?(params: z.output<I>): Record<string, unknown>
  /** What to tell the user after applying. */
  done(applied: z.output<A>, snapshot: S, fields: Record<string, unknown>): string
  /** Added to a preview's next steps (what happens after applying, what to run on the cluster). */
  after?(fields: Record<string, unknown>): string
  summarize?(output: Record<string, unknown>): string
  /** The MCP Apps view of its previews (src/views): the change review. */
  view?: AnyTool['view']
}

/** A change tool, and its preview for a tool that offers this change (create_workflow offers creation). */
export type ChangeTool<N extends string = string> = AnyTool & {
  name: N
  previewFor(params: Record<string, unknown>, ctx: ToolContext): Promise<Record<string, unknown>>
}

export function defineChange<
  I extends z.ZodObject,
  S,
  A extends z.ZodType,
  F extends z.ZodRawShape,
  const N extends string,
>(def: ChangeDefinition<I, S, A, F, N>): ChangeTool<N> {
  const record = (params: z.output<I>) => def.record?.(params) ?? (params as Record<string, unknown>)
  const input = def.input.extend(changeInput)
  const output = compiled(`output:${def.name}`, z.object({ ...def.preview, ...envelope(def.applied) }))

  async function compute(params: z.output<I>, ctx: ToolContext) {
    const plan = await def.plan(params, ctx)
    // The preview fields are hashed too: the same id means what the user was shown still holds (a
    // requirement raised by hand changes "10g -> 33g" into "12g -> 33g" even when the target stays).
    const id = await planId(def.kind, {
      tool: def.name,
      params,
      basis: plan.basis,
      snapshot: plan.snapshot,
      fields: plan.fields,
    })
    return { ...plan, plan_id: id }
  }

  function answer(
    status: z.output<typeof STATUS>,
    plan: { plan_id: string; fields: Record<string, unknown>; blockers: string[] },
    params: Record<string, unknown>,
    extra: { resuming?: boolean; applied?: unknown; next?: string } = {}
  ) {
    const canApply = plan.blockers.length === 0
    const confirm =
      canApply && status !== 'applied'
        ? { tool: def.name, arguments: { ...params, dry_run: false, plan_id: plan.plan_id } }
        : null
    const ask =
      status === 'needs_confirmation'
        ? 'Not applied yet: show the user this preview and ask; if they agree, send `confirm` exactly.'
        : 'Show the user this preview and ask before applying; if they agree, send `confirm` exactly.'
    const next =
      extra.next ??
      (canApply
        ? `${ask}${def.after ? ` ${def.after(plan.fields)}` : ''}`
        : `It cannot be applied now: ${plan.blockers.join(' ')}`)
    return {
      ...plan.fields,
      status,
      dry_run: status !== 'applied',
      plan_id: plan.plan_id,
      can_apply: canApply,
      blockers: plan.blockers,
      resuming: extra.resuming ?? false,
      applied: (extra.applied ?? null) as unknown,
      confirm,
      next_steps: next,
    }
  }

  async function preview(
    scope: LedgerScope | undefined,
    params: z.output<I>,
    ctx: ToolContext,
    status: 'preview' | 'needs_confirmation'
  ) {
    const plan = await compute(params, ctx)
    const remembered = await scope?.remember({
      plan_id: plan.plan_id,
      tool: def.name,
      params: record(params),
      caller: ctx.caller.id,
    })
    const pending = remembered?.pending
    // Also when it recomputes to the same plan_id (the stopped step left no visible trace): it is still unfinished.
    if (pending && pending.tool === def.name) return resumePreview(pending, status)
    return answer(status, plan, params)
  }

  function resumePreview(pending: StoredPlan, status: 'preview' | 'needs_confirmation') {
    const fields = (pending.preview ?? {}) as Record<string, unknown>
    const params = (pending.params ?? {}) as Record<string, unknown>
    const plan = { plan_id: pending.plan_id, fields, blockers: [] }
    return answer(status, plan, params, {
      resuming: true,
      next:
        `An apply of plan ${pending.plan_id} stopped midway ${ago(Date.now() - pending.at)}; this is that plan. ` +
        'Applying it again finishes it (steps already done are skipped), rather than planning anew on a ' +
        'half-changed workflow. Show the user and, if they agree, send `confirm` exactly.',
    })
  }

  return {
    previewFor: async (params, ctx) => {
      const parsed = def.input.parse(params) as z.output<I>
      return preview(ctx.ledger?.(await def.scope(parsed, ctx)), parsed, ctx, 'preview')
    },
    name: def.name,
    title: def.title,
    description: def.description,
    input,
    output,
    annotations: def.annotations,
    view: def.view,
    async handler(rawInput, ctx): Promise<Record<string, unknown>> {
      const { dry_run, plan_id: requested, ...rest } = rawInput as { dry_run: boolean; plan_id?: string }
      const params = rest as z.output<I>
      const scopeName = await def.scope(params, ctx)
      const scope = ctx.ledger?.(scopeName)
      if (dry_run) return preview(scope, params, ctx, 'preview')
      if (!scope) {
        throw new ToolError(
          'internal',
          'this deployment cannot apply changes: its CHANGES Durable Object binding is missing (wrangler.toml)'
        )
      }
      const lock = await scope.lock()
      if (!lock.ok) {
        const what = lock.busy_plan ? `plan ${lock.busy_plan}` : 'another change'
        throw new ToolError(
          'conflict',
          `${what} is being applied to ${label(scopeName)} (started ` +
            `${ago(Date.now() - lock.since)}): wait, then preview again`
        )
      }
      let claimed = false
      // A plan being finished stays finishable whatever this attempt does: its first part is in Torc.
      let resuming = false
      const steps = new StepLog()
      try {
        const pending = lock.pending?.tool === def.name ? lock.pending : null
        const resume =
          pending !== null &&
          (requested === pending.plan_id ||
            (requested === undefined &&
              pending.caller === ctx.caller.id &&
              differingParameters(pending.params as Record<string, unknown>, record(params)).length === 0))
        let snapshot: S
        let fields: Record<string, unknown>
        let id: string
        if (resume && pending) {
          const claim = await scope.claim(lock.lock_id, { ...pending, requested: pending.plan_id, resume: true })
          if (!claim.ok)
            throw new ToolError('conflict', `plan ${pending.plan_id} can no longer be finished: preview again`)
          resuming = true
          ;({ snapshot, fields, id } = {
            snapshot: pending.snapshot as S,
            fields: pending.preview as Record<string, unknown>,
            id: pending.plan_id,
          })
        } else {
          const plan = await compute(params, ctx)
          const claim = await scope.claim(lock.lock_id, {
            plan_id: plan.plan_id,
            tool: def.name,
            params: record(params),
            caller: ctx.caller.id,
            snapshot: plan.snapshot,
            preview: plan.fields,
            requested: requested ?? null,
            resume: false,
          })
          if (!claim.ok) {
            if (claim.reason === 'unconfirmed') {
              await scope.remember({
                plan_id: plan.plan_id,
                tool: def.name,
                params: record(params),
                caller: ctx.caller.id,
              })
              return answer('needs_confirmation', plan, params)
            }
            throw refusal(claim, requested, record(params), scopeName)
          }
          claimed = true
          if (plan.blockers.length)
            throw new ToolError('conflict', `cannot apply this plan now: ${plan.blockers.join(' ')}`)
          ;({ snapshot, fields, id } = { snapshot: plan.snapshot, fields: plan.fields, id: plan.plan_id })
        }
        claimed = true
        const raw = await def.apply(snapshot, ctx, steps, params)
        const parsed = def.applied.safeParse(raw)
        const result = (parsed.success ? parsed.data : raw) as z.output<A>
        const done = def.done(result, snapshot, fields)
        await scope.finish(lock.lock_id, { applied: true, summary: done })
        return answer('applied', { plan_id: id, fields, blockers: [] }, params, { applied: result, next: done })
      } catch (err) {
        // Changed something (or may have: a request left unanswered): kept as partial, to be finished.
        // Also when the failure came between steps (a read), not only inside one.
        const stopped = err instanceof StoppedMidway
        const partial = claimed && (steps.done.length > 0 || resuming || (stopped && err.uncertain))
        await scope.finish(lock.lock_id, { applied: false, partial }).catch(() => undefined)
        if (partial) {
          const failure = toToolError(err)
          const done = stopped ? '' : ` Already done: ${steps.done.join('; ')}.`
          throw new ToolError(
            failure.code,
            `${failure.message}${done} Apply the same plan again (same arguments, dry_run=false) to finish it.`,
            { cause: err }
          )
        }
        throw err
      }
    },
    summarize: (out) => def.summarize?.(out) ?? `${String(out.status)}: ${String(out.next_steps).split('. ')[0]}`,
  }
}
