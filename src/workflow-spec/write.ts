import { stringify } from 'yaml'
import { decodeSpec } from './decode.ts'
import type { SpecFormat } from './formats.ts'
import { kdlToValue } from './kdl/parse.ts'
import { specToKdl } from './kdl/write.ts'
import type { WorkflowSpec } from './model.ts'

/**
 * Spec text for a file (MCP `save_spec_file`; torc 1.0.0 `slurm generate -o` picks the format the
 * same way, from the file's extension). JSON5 is written as JSON, as torc does. KDL is written
 * only when it reads back as the same spec, since KDL cannot express every field; otherwise the
 * text is YAML and `note` says why.
 */
export interface SpecFile {
  text: string
  format: SpecFormat
  /** Suggested file name: the workflow name made safe, with the format's extension. */
  file_name: string
  media_type: string
  /** Set when the requested format could not be used. */
  note?: string
}

export const MEDIA_TYPES: Record<SpecFormat, string> = {
  yaml: 'application/yaml',
  json: 'application/json',
  json5: 'application/json5',
  kdl: 'application/kdl',
}

/** A file name from a workflow name: letters, digits, `.`, `_` and `-` only; never empty or hidden. */
export function specFileName(workflowName: string, format: SpecFormat): string {
  const base =
    workflowName
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._]+/, '')
      .slice(0, 100) || 'workflow'
  return `${base}.${format}`
}

/** Writes the spec in the requested format (KDL falls back to YAML when it would lose fields). */
export function writeSpec(spec: WorkflowSpec, format: SpecFormat): SpecFile {
  const file = (text: string, used: SpecFormat, note?: string): SpecFile => ({
    text,
    format: used,
    file_name: specFileName(spec.name, used),
    media_type: MEDIA_TYPES[used],
    ...(note === undefined ? {} : { note }),
  })
  if (format === 'json' || format === 'json5') return file(`${JSON.stringify(spec, null, 2)}\n`, format)
  if (format === 'yaml') return file(stringify(spec), 'yaml')
  const kdl = specToKdl(spec)
  const lost = kdlLosses(spec, kdl)
  if (lost.length === 0) return file(kdl, 'kdl')
  const shown = lost.slice(0, 5).join(', ') + (lost.length > 5 ? `, ... (${lost.length - 5} more)` : '')
  return file(stringify(spec), 'yaml', `written as YAML: KDL cannot express ${shown}`)
}

/** The paths whose values differ after writing KDL and reading it back (empty: a faithful round trip). */
function kdlLosses(spec: WorkflowSpec, kdl: string): string[] {
  let back: unknown
  try {
    back = decodeSpec(kdlToValue(kdl, false).value)
  } catch (error) {
    return [`the spec (${(error as Error).message})`]
  }
  const out: string[] = []
  diff(normalize(spec), normalize(back), '', out)
  return out
}

/** Drops undefined members and empty lists, so that absent, undefined and `[]` compare equal. */
function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_, v: unknown) => (Array.isArray(v) && v.length === 0 ? undefined : v))
}

function diff(a: unknown, b: unknown, path: string, out: string[]): void {
  if (out.length > 20) return
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (const [i, item] of a.entries()) diff(item, b[i], `${path}[${i}]`, out)
    return
  }
  if (isObject(a) && isObject(b) && !Array.isArray(a) && !Array.isArray(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      diff(a[key], b[key], path ? `${path}.${key}` : key, out)
    }
    return
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path || '(document)')
}
