/**
 * Plan ids make "preview, then apply exactly that" work without storage: the id is a hash of
 * everything a plan would do and of the state it was computed from. Applying recomputes the plan
 * from current state; a different id means the workflow changed since the preview.
 */

import { ToolError } from './errors.ts'
import { sha256Hex } from './hash.ts'

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

export async function planId(kind: string, content: unknown): Promise<string> {
  return `${kind}_${(await sha256Hex(canonical(content))).slice(0, 24)}`
}

/**
 * The apply half of preview-then-apply: a plan_id is required and must match the plan recomputed
 * from current state, else nothing is done.
 */
export function requireMatchingPlan(
  input: { dry_run: boolean; plan_id?: string | undefined },
  current: string,
  what: string
): void {
  if (!input.plan_id) {
    throw new ToolError(
      'invalid_input',
      `invalid input: plan_id is required with dry_run=false; preview ${what} with dry_run=true first`
    )
  }
  if (input.plan_id !== current) {
    throw new ToolError(
      'conflict',
      `${what} changed since the preview (plan ${input.plan_id} no longer matches): preview again with dry_run=true`
    )
  }
}
