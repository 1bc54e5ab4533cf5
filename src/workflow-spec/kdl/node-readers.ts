import type { Entry, Node } from '@bgotink/kdl'
import { SpecError } from '../errors.ts'

/**
 * Readers for one KDL node and its values, shared by the section builders and the document
 * parser: typed scalars (warning and skipping a value of the wrong KDL type), string lists, names
 * and string maps, and blocks of known scalar fields.
 */
export type Obj = Record<string, unknown>
export type Kind = 'string' | 'int' | 'bool'

export interface Ctx {
  aliases: boolean
  warnings: string[]
}

const INTEGER = /^[+-]?(0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*)$/
export const isInt = (entry: Entry): boolean =>
  typeof entry.getValue() === 'number' && INTEGER.test(entry.value.representation ?? String(entry.getValue()))

export function scalar(node: Node, kind: Kind, ctx: Ctx, where: string): unknown {
  const entry = node.entries[0]
  if (entry === undefined) return undefined
  const v = entry.getValue()
  const ok = kind === 'string' ? typeof v === 'string' : kind === 'bool' ? typeof v === 'boolean' : isInt(entry)
  if (ok) return v
  const shown = entry.value.representation ?? String(v)
  const expected = kind === 'int' ? 'an integer' : `a ${kind}`
  ctx.warnings.push(`KDL ${where} > ${node.getName()}: value ${shown} is not ${expected} and was ignored`)
  return undefined
}

export const children = (node: Node): Node[] => node.children?.nodes ?? []
export const strings = (node: Node): string[] =>
  node.entries.map((e) => e.getValue()).filter((v): v is string => typeof v === 'string')

export function set(obj: Obj, key: string, value: unknown): void {
  if (value !== undefined) obj[key] = value
}

export function nameOf(node: Node, error: string | undefined): string | undefined {
  const v = node.entries[0]?.getValue()
  if (typeof v === 'string') return v
  if (error !== undefined) throw new SpecError([{ path: node.getName(), message: error }])
  return undefined
}

export function stringMap(node: Node, label: string): Obj | undefined {
  const out: Obj = {}
  for (const child of children(node)) {
    const v = child.entries[0]?.getValue()
    if (typeof v !== 'string') {
      throw new SpecError([{ path: node.getName(), message: `${label} '${child.getName()}' must have a string value` }])
    }
    out[child.getName()] = v
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** Reads one scalar child of a block into `into`; warns and skips when the node is unknown. */
export function field(child: Node, fields: Record<string, Kind>, ctx: Ctx, where: string, into: Obj): void {
  const kind = fields[child.getName()]
  if (kind === undefined) ctx.warnings.push(`KDL ${where} > ${child.getName()}: unknown node ignored`)
  else set(into, child.getName(), scalar(child, kind, ctx, where))
}

/** Reads a block whose children are all scalars of known kinds. */
export function block(node: Node, fields: Record<string, Kind>, ctx: Ctx, where: string, into: Obj = {}): Obj {
  for (const child of children(node)) field(child, fields, ctx, where, into)
  return into
}

export const S: Kind = 'string'
export const I: Kind = 'int'
export const B: Kind = 'bool'
