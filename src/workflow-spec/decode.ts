import type { z } from 'zod'
import { errorMessage, formatPath, SpecError, type SpecIssue } from './errors.ts'
import { KNOWN_FIELDS, type WorkflowSpec, WorkflowSpecSchema } from './model.ts'
import type { FileReader } from './values.ts'
import { applyWorkflowVariables } from './variables.ts'

/**
 * Step two of parsing (`WorkflowSpec::from_json_value`): generic value to typed spec. Applies the
 * 1.0.0 pre-checks (removed `slurm_config`, workflow `variables`) and then the strict model.
 * Every issue is reported, not only the first as serde does, each with its path.
 */
export function decodeSpec(value: unknown, readFile?: FileReader): WorkflowSpec {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'a sequence' : `a ${typeof value}`
    throw new SpecError([{ path: '', message: `invalid type: got ${got}, expected a workflow spec mapping` }])
  }
  if ('slurm_config' in value) {
    throw new SpecError([
      {
        path: 'slurm_config',
        message: "The 'slurm_config' field has been removed from the workflow spec. Use 'execution_config' instead.",
      },
    ])
  }
  let substituted: unknown
  try {
    substituted = applyWorkflowVariables(value, readFile)
  } catch (error) {
    throw new SpecError([{ path: 'variables', message: errorMessage(error) }])
  }
  const result = WorkflowSpecSchema.safeParse(substituted)
  if (result.success) return result.data
  throw new SpecError(result.error.issues.flatMap(toIssues))
}

function toIssues(issue: z.core.$ZodIssue): SpecIssue[] {
  if (issue.code === 'unrecognized_keys') {
    const known = knownFieldsAt(issue.path)
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: `unknown field${suggest(key, known)}`,
    }))
  }
  const path = formatPath(issue.path)
  if (issue.code === 'invalid_type') {
    if (/received undefined$/.test(issue.message)) return [{ path, message: 'missing field' }]
    return [{ path, message: issue.message.replace(/^Invalid input: /, 'invalid type: ') }]
  }
  return [{ path, message: issue.message }]
}

function knownFieldsAt(path: readonly PropertyKey[]): readonly string[] {
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i]
    if (typeof segment === 'string' && KNOWN_FIELDS[segment] !== undefined) return KNOWN_FIELDS[segment]
  }
  return KNOWN_FIELDS['workflow'] ?? []
}

function suggest(key: string, known: readonly string[]): string {
  let best: string | undefined
  let bestDistance = 3
  for (const candidate of known) {
    const d = distance(key, candidate)
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best === undefined ? '' : ` (did you mean \`${best}\`?)`
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      row[j] = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost)
    }
    prev = row
  }
  return prev[b.length] ?? 0
}
