import { loadParameterTable } from './tables.ts'
import type { FileReader } from './values.ts'

/**
 * Workflow-level `variables` (new in torc 1.0.0, `apply_workflow_variables`): constants substituted
 * as `{name}` / `{name:fmt}` into every string of the raw spec before it is typed. Variables may not
 * collide with parameter names, may not contain template references, and once any variable is
 * declared, every `{identifier}` token must name a variable or a parameter. `${...}` is left alone.
 */
type Json = unknown

const isIdentifier = (s: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s)
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v)

function kind(value: Json): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value === 'object' ? 'object' : typeof value
}

/** Returns the spec value with variables substituted; throws with Torc's messages. */
export function applyWorkflowVariables(value: Json, readFile?: FileReader): Json {
  if (!isObject(value) || !('variables' in value)) return value
  const vars = value['variables']
  if (!isObject(vars)) throw new Error('workflow `variables` must be an object of string key/value pairs')
  const entries = Object.entries(vars)
  if (entries.length === 0) return value
  const variables = new Map<string, string>()
  for (const [name, v] of entries) {
    if (!isIdentifier(name)) {
      throw new Error(
        `workflow variable name '${name}' must be a valid identifier ([A-Za-z_][A-Za-z0-9_]*). Rename ` +
          `the variable.`
      )
    }
    if (typeof v !== 'string') throw new Error(`workflow variable '${name}' must be a string (got ${kind(v)})`)
    variables.set(name, v)
  }
  const parameterNames = collectParameterNames(value, variables, readFile)
  const collisions = [...variables.keys()].filter((n) => parameterNames.has(n)).sort()
  if (collisions.length > 0) {
    throw new Error(
      `workflow \`variables\` collide with parameter names: ${collisions.join(', ')}. ` +
        'Rename the variable(s) or the parameter(s) so each name appears in only one map.'
    )
  }
  for (const [name, v] of variables) checkVariableValue(name, v, variables)
  const valid = new Set([...variables.keys(), ...parameterNames])
  return substituteValue(value, variables, valid)
}

/** Walks `{...}` tokens the way Torc's byte scanners do; calls `visit` with the inner text. */
function scanTokens(s: string, visit: (inner: string) => void): void {
  let i = 0
  while (i < s.length) {
    if (s[i] !== '{' || (i > 0 && s[i - 1] === '$')) {
      i++
      continue
    }
    let j = i + 1
    while (j < s.length && s[j] !== '}' && s[j] !== '{') j++
    if (j >= s.length || s[j] !== '}') {
      i++
      continue
    }
    visit(s.slice(i + 1, j))
    i = j + 1
  }
}

function checkVariableValue(name: string, s: string, variables: Map<string, string>): void {
  scanTokens(s, (inner) => {
    const token = inner.split(':')[0] ?? ''
    if (!isIdentifier(token)) return
    if (variables.has(token)) {
      throw new Error(
        `variable '${name}' value '${s}' references another variable '{${inner}}'. Variable values may not ` +
          'reference other variables; resolution order would be undefined. Inline the constant or ' +
          'compose at the use site.'
      )
    }
    throw new Error(
      `variable '${name}' value '${s}' contains template reference '{${inner}}'. Variable values must be ` +
        `plain ` +
        'literal strings (shell-style `${...}` is allowed). Compose at the use site instead.'
    )
  })
}

function collectParameterNames(spec: Record<string, Json>, variables: Map<string, string>, readFile?: FileReader) {
  const out = new Set<string>()
  const cache = new Map<string, string[] | undefined>()
  const tableColumns = (path: Json): string[] | undefined => {
    if (typeof path !== 'string') return undefined
    const resolved = substituteString(path, variables)
    if (!cache.has(resolved)) {
      try {
        const rows = loadParameterTable(resolved, readFile)
        cache.set(resolved, [...new Set(rows.flatMap((row) => [...row.keys()]))].sort())
      } catch {
        cache.set(resolved, undefined)
      }
    }
    return cache.get(resolved)
  }
  const params = spec['parameters']
  if (isObject(params)) for (const k of Object.keys(params)) out.add(k)
  const workflowTable = tableColumns(spec['parameters_file'])
  for (const k of workflowTable ?? []) out.add(k)
  for (const field of ['jobs', 'files', 'user_data']) {
    const items = spec[field]
    if (!Array.isArray(items)) continue
    for (const item of items) {
      if (!isObject(item)) continue
      const own = item['parameters']
      if (isObject(own)) for (const k of Object.keys(own)) out.add(k)
      for (const k of tableColumns(item['parameters_file']) ?? []) out.add(k)
      if (item['use_parameters_file'] === true) for (const k of workflowTable ?? []) out.add(k)
    }
  }
  return out
}

function checkUndefinedTokens(s: string, valid: Set<string>): void {
  scanTokens(s, (inner) => {
    const name = inner.split(':')[0] ?? ''
    if (isIdentifier(name) && !valid.has(name)) {
      throw new Error(
        `undefined template name '{${inner}}' in '${s}': not declared in \`variables\` or any ` +
          `\`parameters\` map. ` +
          'Add it to `variables` or fix the typo.'
      )
    }
  })
}

/** Single left-to-right pass replacing `{var}` / `{var:fmt}`; other tokens and `${...}` stay. */
function substituteString(s: string, variables: Map<string, string>): string {
  let result = ''
  let copied = 0
  let i = 0
  while (i < s.length) {
    if (s[i] !== '{' || (i > 0 && s[i - 1] === '$')) {
      i++
      continue
    }
    const end = s.indexOf('}', i + 1)
    if (end < 0) {
      i++
      continue
    }
    const inner = s.slice(i + 1, end)
    const colon = inner.indexOf(':')
    const value = variables.get(colon < 0 ? inner : inner.slice(0, colon))
    if (value !== undefined) {
      result += s.slice(copied, i) + value
      copied = end + 1
    }
    i = end + 1
  }
  return result + s.slice(copied)
}

function substituteValue(value: Json, variables: Map<string, string>, valid: Set<string>): Json {
  if (typeof value === 'string') {
    checkUndefinedTokens(value, valid)
    return substituteString(value, variables)
  }
  if (Array.isArray(value)) return value.map((item) => substituteValue(item, variables, valid))
  if (!isObject(value)) return value
  const out: Record<string, Json> = {}
  for (const [key, child] of Object.entries(value)) {
    let next = child
    if (key === 'parameters') {
      if (isObject(child)) {
        next = Object.fromEntries(Object.entries(child).map(([k, v]) => [k, substituteValue(v, variables, valid)]))
      }
    } else if (key !== 'variables' && key !== 'use_parameters') next = substituteValue(child, variables, valid)
    Object.defineProperty(out, key, { value: next, enumerable: true, writable: true, configurable: true })
  }
  return out
}
