import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { torcCrateSource } from '../../scripts/torc-paths.ts'
import { TORC_VERSION } from '../../scripts/torc-version.ts'
import type { AnyTool } from '../../src/registry.ts'
import { tools } from '../../src/tools/index.ts'

/**
 * Parameter parity with the pinned torc-mcp-server: every tool of its src/mcp_server/server.rs
 * (the `#[tool]` fns and their `Parameters<...Params>` structs) exists in our registry with every
 * parameter, the same type, and required only where Rust requires it. Read from the crate's source,
 * so a new torc release that adds or changes a parameter fails here instead of drifting silently.
 *
 * Rules (ours may add parameters; Rust's may not go missing):
 * - a parameter Rust lets callers omit (Option<T>, #[serde(default)]) is optional in ours;
 * - a parameter Rust requires is required in ours, or ours declares a default (visible in the
 *   schema, e.g. dry_run defaults to true);
 * - ours accepts Rust's JSON type (an integer may be a number, a union must include it); arrays of
 *   structs are checked field by field;
 * - local-path parameters (output_dir, base_dir) mean nothing at the edge and may be absent, but
 *   only when the tool's description names them (it says what replaces them).
 */

/**
 * Known drift, issue 12 ("Every tool of the pinned torc-mcp-server"). Each key is a Rust tool or
 * `tool.parameter` that does not match yet. The test fails on drift NOT listed here, and on an entry
 * that no longer drifts (delete that line): the list only shrinks.
 */
const KNOWN_DRIFT: Record<string, string> = {}

/**
 * Deliberate differences, each a superset of what Rust accepts: every call a Rust prompt makes
 * still works. Kept here so the test names them; an entry that no longer differs fails too.
 */
const DELIBERATE: Record<string, string> = {
  'create_workflow.spec_json':
    'optional: the spec comes as spec_json (an object, as in Rust) or spec (text, any format)',
  'check_resource_utilization.workflow_id':
    "optional: without it the tool scans the caller's active workflows (Rust needs one workflow)",
}

const LOCAL_PATHS = new Set(['output_dir', 'base_dir'])

// --- the Rust side -------------------------------------------------------------------------------

type RustType =
  | { kind: 'integer' | 'number' | 'boolean' | 'string' | 'object' }
  | { kind: 'array'; items: RustType }
  | { kind: 'struct'; name: string }
interface RustField {
  name: string
  type: RustType
  optional: boolean
}
interface RustTool {
  name: string
  params: RustField[]
}

const SCALARS: Record<string, RustType['kind']> = {
  i64: 'integer',
  i32: 'integer',
  u64: 'integer',
  u32: 'integer',
  usize: 'integer',
  f64: 'number',
  f32: 'number',
  bool: 'boolean',
  String: 'string',
  'serde_json::Value': 'object',
}

function rustType(text: string): { type: RustType; optional: boolean } {
  const t = text.trim()
  const option = /^Option<(.+)>$/.exec(t)
  if (option) return { type: rustType(option[1]!).type, optional: true }
  const vec = /^Vec<(.+)>$/.exec(t)
  if (vec) return { type: { kind: 'array', items: rustType(vec[1]!).type }, optional: false }
  const scalar = SCALARS[t]
  if (scalar) return { type: { kind: scalar } as RustType, optional: false }
  if (/^[A-Z]\w*$/.test(t)) return { type: { kind: 'struct', name: t }, optional: false }
  throw new Error(`rust-parameters: no JSON type for Rust type ${t}`)
}

/** `pub struct X { ... }` bodies: each `pub name: Type,` with #[serde(default...)] making it optional. */
function parseStructs(source: string): Map<string, RustField[]> {
  const structs = new Map<string, RustField[]>()
  for (const m of source.matchAll(/^pub struct (\w+) \{\n([\s\S]*?)^\}/gm)) {
    const fields: RustField[] = []
    let defaulted = false
    for (const line of m[2]!.split('\n')) {
      if (/^ {4}#\[serde\(default/.test(line)) defaulted = true
      const field = /^ {4}pub (\w+): (.+),$/.exec(line)
      if (!field) continue
      const { type, optional } = rustType(field[2]!)
      fields.push({ name: field[1]!, type, optional: optional || defaulted })
      defaulted = false
    }
    structs.set(m[1]!, fields)
  }
  return structs
}

/** The `#[tool]` fns of the tool router impl and the params struct each takes (none for list_examples). */
function parseTools(source: string): RustTool[] {
  const start = source.indexOf('#[tool_router')
  const end = source.indexOf('#[tool_handler')
  if (start < 0 || end < start) throw new Error('rust-parameters: no #[tool_router] impl in server.rs')
  const structs = parseStructs(source)
  const router = source.slice(start, end)
  return [...router.matchAll(/async fn (\w+)\(\s*&self,?\s*(?:Parameters\(\w+\): Parameters<(\w+)>,?)?\s*\)/g)].map(
    (m) => {
      const struct = m[2]
      const params = struct ? structs.get(struct) : []
      if (!params) throw new Error(`rust-parameters: ${m[1]} takes ${struct}, which server.rs does not define`)
      return { name: m[1]!, params }
    }
  )
}

// --- our side and the comparison -----------------------------------------------------------------

interface JsonSchema {
  type?: string | string[]
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  items?: JsonSchema
  properties?: Record<string, JsonSchema>
  required?: string[]
  default?: unknown
}

const typesOf = (s: JsonSchema): Set<string> =>
  new Set([
    ...(Array.isArray(s.type) ? s.type : s.type ? [s.type] : []),
    ...[...(s.anyOf ?? []), ...(s.oneOf ?? [])].flatMap((m) => [...typesOf(m)]),
  ])

const membersOf = (s: JsonSchema): JsonSchema[] => [s, ...(s.anyOf ?? []), ...(s.oneOf ?? [])]

interface Drift {
  key: string
  message: string
}

/** Differences between one Rust parameter list and one of our object schemas. */
function compareFields(
  key: string,
  rust: RustField[],
  ours: JsonSchema,
  structs: Map<string, RustField[]>,
  description: string
): Drift[] {
  const drifts: Drift[] = []
  const props = ours.properties ?? {}
  const required = new Set(ours.required ?? [])
  for (const field of rust) {
    const at = `${key}.${field.name}`
    const mine = props[field.name]
    if (!mine) {
      if (LOCAL_PATHS.has(field.name) && description.includes(field.name)) continue
      drifts.push({ key: at, message: `${at}: missing (Rust has it${field.optional ? ', optional' : ', required'})` })
      continue
    }
    if (field.optional && required.has(field.name))
      drifts.push({ key: at, message: `${at}: required, Rust's is optional` })
    if (!field.optional && !required.has(field.name) && mine.default === undefined)
      drifts.push({ key: at, message: `${at}: optional without a default, Rust requires it` })
    drifts.push(...compareType(at, field.type, mine, structs, description))
  }
  return drifts
}

function compareType(
  at: string,
  rust: RustType,
  mine: JsonSchema,
  structs: Map<string, RustField[]>,
  description: string
): Drift[] {
  const types = typesOf(mine)
  const kind = rust.kind === 'struct' ? 'object' : rust.kind
  const accepted = types.has(kind) || (kind === 'integer' && types.has('number'))
  if (!accepted)
    return [{ key: at, message: `${at}: accepts ${[...types].join('|') || 'anything'}, Rust sends ${kind}` }]
  if (rust.kind === 'array') {
    const items = membersOf(mine).find((m) => m.items)?.items
    return items ? compareType(`${at}[]`, rust.items, items, structs, description) : []
  }
  if (rust.kind === 'struct') {
    const object = membersOf(mine).find((m) => m.properties)
    return object ? compareFields(at, structs.get(rust.name) ?? [], object, structs, description) : []
  }
  return []
}

function drift(rustTools: RustTool[], ours: readonly AnyTool[], structs: Map<string, RustField[]>): Drift[] {
  const byName = new Map(ours.map((t) => [t.name, t]))
  return rustTools.flatMap((rust) => {
    const tool = byName.get(rust.name)
    if (!tool) return [{ key: rust.name, message: `${rust.name}: not in the registry` }]
    const schema = tool.input.toJSONSchema({ io: 'input' }) as JsonSchema
    return compareFields(rust.name, rust.params, schema, structs, tool.description)
  })
}

// --- the tests -----------------------------------------------------------------------------------

const source = readFileSync(join(torcCrateSource(), 'src', 'mcp_server', 'server.rs'), 'utf8')
const structs = parseStructs(source)
const rustTools = parseTools(source)

describe(`parameter parity with torc-mcp-server ${TORC_VERSION} (src/mcp_server/server.rs)`, () => {
  it('reads all 23 tools of torc 1.0.0 and their parameters from the crate', () => {
    expect(rustTools).toHaveLength(23)
    const get = (name: string) => rustTools.find((t) => t.name === name)!
    expect(get('list_examples').params).toEqual([])
    expect(get('get_job_logs').params.map((p) => [p.name, p.optional])).toEqual([
      ['workflow_id', false],
      ['job_id', false],
      ['run_id', false],
      ['attempt_id', true], // #[serde(default = ...)]
      ['log_type', false],
      ['tail_lines', true],
    ])
    expect(get('classify_and_resolve_failures').params[1]).toEqual({
      name: 'classifications',
      type: { kind: 'array', items: { kind: 'struct', name: 'FailureClassificationParam' } },
      optional: false,
    })
  })

  it('every Rust tool and parameter is in the registry, or in the commented allow-list', () => {
    const found = drift(rustTools, tools, structs)
    const allowed = { ...KNOWN_DRIFT, ...DELIBERATE }
    const unexpected = found.filter((d) => !(d.key in allowed) && !(d.key.split('.')[0]! in allowed))
    expect(unexpected.map((d) => d.message)).toEqual([])
    const stale = Object.keys(allowed).filter((key) => !found.some((d) => d.key === key))
    expect(stale, 'these no longer drift: delete them from KNOWN_DRIFT').toEqual([])
  })

  it('the comparison catches a missing parameter, a wrong type, a stricter requirement and a bad item', () => {
    const fake = (input: z.ZodObject, description = 'a tool') => [
      { name: 'x', input, description } as unknown as AnyTool,
    ]
    const rust: RustTool[] = [
      {
        name: 'x',
        params: [
          { name: 'id', type: { kind: 'integer' }, optional: false },
          { name: 'note', type: { kind: 'string' }, optional: true },
          { name: 'items', type: { kind: 'array', items: { kind: 'struct', name: 'Item' } }, optional: false },
          { name: 'output_dir', type: { kind: 'string' }, optional: true },
        ],
      },
    ]
    const items = new Map([['Item', [{ name: 'job_id', type: { kind: 'integer' } as RustType, optional: false }]]])
    const good = z.object({
      id: z.number().int(),
      note: z.string().optional(),
      items: z.array(z.object({ job_id: z.number().int() })),
      extra: z.boolean().optional(),
    })
    expect(drift(rust, fake(good, 'reads logs from the site server, not output_dir'), items)).toEqual([])
    const bad = z.object({
      id: z.string(),
      note: z.string(),
      items: z.array(z.object({ job_id: z.string() })),
    })
    expect(drift(rust, fake(bad), items).map((d) => d.key)).toEqual([
      'x.id',
      'x.note',
      'x.items[].job_id',
      'x.output_dir',
    ])
  })
})
