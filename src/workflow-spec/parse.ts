import { decodeSpec } from './decode.ts'
import { SpecError } from './errors.ts'
import { parseAuto, parseText, type SpecFormat, type TextOptions } from './formats.ts'
import type { WorkflowSpec } from './model.ts'
import type { FileReader } from './values.ts'

/** Options shared by every entry point that reads spec text. */
export interface ParseOptions extends TextOptions {
  /** Reads `parameters_file` tables and `@file` lists (relative paths are the caller's business). */
  readFile?: FileReader
}

export interface ParsedSpec {
  spec: WorkflowSpec
  format: SpecFormat
  warnings: string[]
}

/** Parses spec text of a known or detected format into the typed model, with parse warnings. */
export function parseSpecDetailed(
  text: string,
  format: SpecFormat | 'auto' = 'auto',
  options: ParseOptions = {}
): ParsedSpec {
  if (typeof text !== 'string') throw new SpecError('workflow spec text must be a string')
  const parsed = format === 'auto' ? parseAuto(text, options) : parseText(text, format, options)
  try {
    return { spec: decodeSpec(parsed.value, options.readFile), format: parsed.format, warnings: parsed.warnings }
  } catch (error) {
    // A KDL value of the wrong type is dropped, which then surfaces as "missing field"; say why.
    if (!(error instanceof SpecError) || parsed.warnings.length === 0) throw error
    throw new SpecError([...error.issues, ...parsed.warnings.map((message) => ({ path: '', message }))])
  }
}

/** Parses spec text (JSON, JSON5, YAML or KDL) into the typed model; throws SpecError. */
export function parseSpec(
  text: string,
  format: SpecFormat | 'auto' = 'auto',
  options: ParseOptions = {}
): WorkflowSpec {
  return parseSpecDetailed(text, format, options).spec
}

/** Types an already-parsed JSON value (for callers that hold an object, not text). */
export function parseSpecValue(value: unknown, options: ParseOptions = {}): WorkflowSpec {
  return decodeSpec(value, options.readFile)
}
