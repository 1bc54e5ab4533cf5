/**
 * A plan_id names one plan exactly: a hash of the tool, its parameters, the state the plan was
 * computed from, what it would do and the preview that shows it. Applying recomputes the plan from
 * current state under the scope's lock; the same id means the same plan.
 */
import { sha256Hex } from '../hash.ts'

/** JSON with sorted keys and no undefined members: equal values, equal text. */
export function canonical(value: unknown): string {
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

/** The parameters that differ between two calls, by name, for "the preview used …, this call …" answers. */
export function differingParameters(
  previewed: Record<string, unknown>,
  now: Record<string, unknown>
): { name: string; previewed: unknown; now: unknown }[] {
  const names = [...new Set([...Object.keys(previewed), ...Object.keys(now)])].sort()
  return names
    .filter((name) => canonical(previewed[name]) !== canonical(now[name]))
    .map((name) => ({ name, previewed: previewed[name], now: now[name] }))
}
