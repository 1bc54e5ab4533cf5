/**
 * The change primitive's wire shape: the input every change tool adds (dry_run, plan_id), the
 * envelope of every answer, and the words of every refusal, in one place.
 */
import { z } from 'zod'
import { ToolError } from '../errors.ts'
import type { LedgerScope } from './ledger.ts'
import { differingParameters } from './plan-id.ts'

/** A tool call to make once the user agrees: the tool, and exactly the arguments to send. */
export const confirmCall = z.object({
  tool: z.string().describe('The tool to call.'),
  arguments: z.record(z.string(), z.unknown()).describe('Exactly the arguments to send.'),
})

export const STATUS = z
  .enum(['preview', 'needs_confirmation', 'applied'])
  .describe(
    'preview: nothing changed; needs_confirmation: nothing changed, show the preview and, if the user agrees, ' +
      'send `confirm`; applied: the change was made (see applied).'
  )

export function envelope<A extends z.ZodType>(applied: A) {
  return {
    status: STATUS,
    dry_run: z.boolean().describe('True when nothing was changed by this call.'),
    plan_id: z.string().describe('Names this exact plan; apply it with dry_run=false and this plan_id.'),
    can_apply: z.boolean().describe('True when the plan can be applied now.'),
    blockers: z.array(z.string()).describe('What prevents applying now, and what to do about it.'),
    resuming: z.boolean().describe('True when this is an earlier apply that stopped midway: applying it finishes it.'),
    applied: applied.nullable().describe('What was changed (null when nothing was).'),
    confirm: confirmCall
      .nullable()
      .describe('The call that applies this plan, once the user agrees (null when it cannot be applied).'),
    next_steps: z.string().describe('What to do next.'),
  }
}

export const changeInput = {
  dry_run: z.boolean().default(true).describe('Preview only (default true). To apply: false, with the plan_id.'),
  plan_id: z
    .string()
    .max(64)
    .optional()
    .describe('The plan_id of the preview the user agreed to (optional when you previewed this exact plan just now).'),
}

/** `workflow:12` -> `workflow 12`; other scopes (one creation) read as the request. */
export const label = (scope: string) => (scope.startsWith('workflow:') ? scope.replace(':', ' ') : 'this request')

export const ago = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s ago`

/** Why a claim was refused, for the caller: what differs, or that the plan was applied already. */
export function refusal(
  claim: Exclude<Awaited<ReturnType<LedgerScope['claim']>>, { ok: true }>,
  requested: string | undefined,
  params: Record<string, unknown>,
  scopeName: string
): ToolError {
  switch (claim.reason) {
    case 'applied':
      return new ToolError(
        'conflict',
        `plan ${claim.plan_id} was already applied ${ago(Date.now() - claim.at)} (by ` +
          `${claim.caller}): ${claim.summary} Preview again for anything further.`
      )
    case 'mismatch': {
      const differ = claim.previewed
        ? differingParameters(claim.previewed.params as Record<string, unknown>, params)
        : []
      if (differ.length) {
        const list = differ
          .map(
            (d) =>
              `${d.name}: the preview used ${JSON.stringify(d.previewed) ?? 'nothing'}, ` +
              `this call ${JSON.stringify(d.now) ?? 'nothing (the default)'}`
          )
          .join('; ')
        return new ToolError(
          'conflict',
          `this call's parameters differ from plan ${requested}'s (${list}): send the same parameters, or preview again`
        )
      }
      return new ToolError(
        'conflict',
        `${label(scopeName)} changed since plan ${requested} was previewed (or ` +
          `that preview is over an hour old): preview again with dry_run=true`
      )
    }
    default:
      return new ToolError('conflict', `the lock on ${label(scopeName)} was lost while applying: preview again`)
  }
}
