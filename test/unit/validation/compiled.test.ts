/**
 * The generated parsers (src/validation/parsers.gen.ts) against zod's runtime parse of the same
 * schema, for every registered schema: a valid value built from the schema, then that value with
 * each field removed, nulled, of the wrong type or joined by an unknown one. Both must agree on
 * success, on the parsed value (key order included) and on every issue.
 */

import { describe, expect, it } from 'vitest'
import type { z } from 'zod'
import { tools } from '../../../src/tools/index.ts'
import * as torc from '../../../src/torc/schemas.ts'
import { compiledSchemas } from '../../../src/validation/compiled.ts'
import { PARSERS } from '../../../src/validation/parsers.gen.ts'

type Def = { type: string; [k: string]: unknown }
const defOf = (schema: unknown) => (schema as { _zod: { def: Def } })._zod.def

/** A value `schema` accepts (the smallest obvious one of each type). */
function sampleOf(schema: unknown, depth = 0): unknown {
  const def = defOf(schema)
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, unknown>
      return Object.fromEntries(Object.entries(shape).map(([key, field]) => [key, sampleOf(field, depth + 1)]))
    }
    case 'array':
      return depth > 6 ? [] : [sampleOf(def.element, depth + 1), sampleOf(def.element, depth + 1)]
    case 'string':
      return 'text'
    case 'number':
      return 3
    case 'boolean':
      return true
    case 'null':
      return null
    case 'enum':
      return Object.values(def.entries as Record<string, unknown>)[0]
    case 'literal':
      return (def.values as unknown[])[0]
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
      return sampleOf(def.innerType, depth)
    case 'union':
      return sampleOf((def.options as unknown[])[0], depth)
    case 'record':
      return { key: sampleOf(def.valueType, depth + 1) }
    case 'unknown':
    case 'any':
      return { any: [1, 'two'] }
    case 'lazy':
      return sampleOf((def.getter as () => unknown)(), depth + 1)
    default:
      throw new Error(`no sample for a ${def.type}`)
  }
}

/** The value and, for each top-level and first nested field, the value with that field broken. */
function variants(valid: unknown): [string, unknown][] {
  const out: [string, unknown][] = [['valid', valid]]
  const breakAt = (path: string, holder: Record<string, unknown>, root: unknown) => {
    for (const key of Object.keys(holder)) {
      for (const [how, value] of [
        ['missing', undefined],
        ['null', null],
        ['string', 'x'],
        ['fraction', 1.5],
        ['object', {}],
      ] as const) {
        const copy = structuredClone(root) as Record<string, unknown>
        const target = path ? (copy[path] as Record<string, unknown>) : copy
        if (how === 'missing') delete target[key]
        else target[key] = value
        out.push([`${path ? `${path}.` : ''}${key} ${how}`, copy])
      }
    }
  }
  if (valid && typeof valid === 'object' && !Array.isArray(valid)) {
    const root = valid as Record<string, unknown>
    breakAt('', root, root)
    for (const [key, value] of Object.entries(root)) {
      if (value && typeof value === 'object' && !Array.isArray(value))
        breakAt(key, value as Record<string, unknown>, root)
    }
    out.push(['unknown key', { ...root, not_in_the_schema: 1 }])
  }
  out.push(['not an object', 'x'], ['an array', [valid]])
  return out
}

/** What a parse says, comparable across the two parsers (the value as JSON keeps its key order). */
function outcome(schema: z.ZodType, value: unknown) {
  const result = schema.safeParse(value)
  return result.success
    ? { success: true, data: JSON.stringify(result.data) }
    : { success: false, issues: JSON.stringify(result.error.issues) }
}

describe('generated parsers', () => {
  // Other test files (sharing this worker) may register schemas of their own, without parsers.
  const generated = Object.keys(PARSERS).sort()

  it("exist for every tool's output and every Torc model, and each for a registered schema", () => {
    for (const tool of tools) expect(generated).toContain(`output:${tool.name}`)
    const torcKeys = [...compiledSchemas.keys()].filter((key) => key.startsWith('torc:'))
    expect(torcKeys.length).toBeGreaterThan(5)
    for (const key of torcKeys) expect(generated).toContain(key)
    for (const key of generated) expect(compiledSchemas.has(key), key).toBe(true)
  })

  it('are installed on the schemas the Worker uses', () => {
    const used = [...tools.map((t) => t.output), torc.ResultSchema, torc.JobSchema, torc.WorkflowStatusSchema]
    const installed = new Set(generated.map((key) => compiledSchemas.get(key)!.used))
    for (const schema of used) expect(installed.has(schema)).toBe(true)
    // withParser's clones, not the schemas as registered.
    for (const key of generated) expect(compiledSchemas.get(key)!.used).not.toBe(compiledSchemas.get(key)!.given)
  })

  for (const key of generated) {
    it(`${key}: the same answers as zod's runtime parse`, () => {
      const { given, used } = compiledSchemas.get(key)!
      const valid = sampleOf(given)
      expect(given.safeParse(valid).success, `${key} accepts its sample`).toBe(true)
      for (const [name, value] of variants(valid)) {
        expect(outcome(used, value), `${key}: ${name}`).toEqual(outcome(given, value))
      }
    })
  }
})
