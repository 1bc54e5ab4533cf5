import JSON5 from 'json5'
import YAML from 'yaml'
import { errorMessage, offsetToLineColumn, SpecError } from './errors.ts'
import { kdlToValue } from './kdl/parse.ts'

/**
 * Step one of parsing: text to a generic value, per format. Syntax errors carry 1-based line and
 * column. YAML follows serde_yaml 0.9 closely enough: YAML 1.2 core schema (only `true`/`false` are
 * booleans, `1:10` is a string) and duplicate keys are errors.
 */
export type SpecFormat = 'json' | 'json5' | 'yaml' | 'kdl'

export interface ParsedText {
  value: unknown
  format: SpecFormat
  /** Non-fatal notes, e.g. KDL nodes that torc ignores. */
  warnings: string[]
}

export interface TextOptions {
  /** Accept `depends_on_job` and plural `input_files`/`output_files` inside KDL jobs (default true). */
  kdlAliases?: boolean
  /** The formats auto-detection may try, in torc's order (default all four; see limits.ts). */
  autoFormats?: readonly SpecFormat[]
}

/** Chooses the format from a file name the way torc does (case-insensitive extension). */
export function formatFromFileName(name: string): SpecFormat | undefined {
  const ext = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase()
  if (ext === 'json' || ext === 'json5' || ext === 'kdl') return ext
  if (ext === 'yaml' || ext === 'yml') return 'yaml'
  return undefined
}

/** Parses text in one format; throws SpecError with line/column on syntax errors. */
export function parseText(text: string, format: SpecFormat, options: TextOptions = {}): ParsedText {
  if (format === 'json') return { value: parseJson(text), format, warnings: [] }
  if (format === 'json5') return { value: parseJson5(text), format, warnings: [] }
  if (format === 'yaml') return { value: parseYaml(text), format, warnings: [] }
  const { value, warnings } = kdlToValue(text, options.kdlAliases ?? true)
  return { value, format, warnings }
}

/**
 * Extension-less input. torc 1.0.0 has two rules: `from_spec_file` takes the first of JSON, JSON5,
 * YAML, KDL that parses at all (so YAML swallows KDL text as a string), while `detect_spec_format`
 * (used for stdin) requires the result to be a mapping. We use the stricter stdin rule, so KDL
 * text reaches the KDL parser. When nothing parses, the error of the likeliest format is raised.
 */
export function parseAuto(text: string, options: TextOptions = {}): ParsedText {
  const allowed = options.autoFormats ?? AUTO_ORDER
  const errors = new Map<SpecFormat, unknown>()
  for (const format of AUTO_ORDER.filter((f) => allowed.includes(f))) {
    try {
      const parsed = parseText(text, format, options)
      if (format === 'kdl' || isMapping(parsed.value)) return parsed
    } catch (error) {
      errors.set(format, error)
    }
  }
  const trimmed = text.trimStart()
  const likely: SpecFormat = trimmed.startsWith('{') ? 'json5' : looksLikeYaml(trimmed) ? 'yaml' : 'kdl'
  const error = errors.get(likely) ?? errors.get('kdl') ?? [...errors.values()].at(-1)
  if (error === undefined) throw new SpecError('no spec format to try')
  throw error instanceof SpecError ? error : new SpecError(errorMessage(error))
}

/** The format torc's stdin detection would pick, or undefined when no parser accepts the text. */
export function detectSpecFormat(text: string): SpecFormat | undefined {
  try {
    return parseAuto(text).format
  } catch {
    return undefined
  }
}

const AUTO_ORDER: readonly SpecFormat[] = ['json', 'json5', 'yaml', 'kdl']

const isMapping = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v)

function looksLikeYaml(text: string): boolean {
  const first = text.split('\n').find((l) => l.trim() && !l.trim().startsWith('#')) ?? ''
  return /^(---|[A-Za-z_][\w-]*:(\s|$))/.test(first)
}

function syntaxError(text: string, message: string, offset: number | undefined): SpecError {
  if (offset === undefined) return new SpecError([{ path: '', message }])
  const { line, column } = offsetToLineColumn(text, offset)
  return new SpecError([{ path: '', message, line, column }])
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const offset = jsonErrorOffset(text)
    return raise(syntaxError(text, `invalid JSON: ${errorMessage(error).split('\n')[0]}`, offset))
  }
}

function parseJson5(text: string): unknown {
  try {
    return JSON5.parse(text)
  } catch (error) {
    const e = error as { lineNumber?: number; columnNumber?: number }
    const message = `invalid JSON5: ${errorMessage(error)
      .replace(/^JSON5: /, '')
      .replace(/ at \d+:\d+$/, '')}`
    if (typeof e.lineNumber === 'number') {
      return raise(new SpecError([{ path: '', message, line: e.lineNumber, column: e.columnNumber ?? 1 }]))
    }
    return raise(new SpecError([{ path: '', message }]))
  }
}

function parseYaml(text: string): unknown {
  const doc = YAML.parseDocument(text, { version: '1.2', schema: 'core', uniqueKeys: true })
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((e) => {
        const message = `invalid YAML: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`
        const pos = e.linePos?.[0]
        return pos === undefined ? { path: '', message } : { path: '', message, line: pos.line, column: pos.col }
      })
    )
  }
  return doc.toJS({ maxAliasCount: 1000 })
}

function raise(error: SpecError): never {
  throw error
}

/** Finds the offset of the first strict-JSON syntax error (JSON.parse does not always say). */
export function jsonErrorOffset(text: string): number {
  let i = 0
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++
  }
  const fail = (): never => {
    throw i
  }
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length
    else fail()
  }
  const string = (): void => {
    i++
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail()
      if (text[i] === '\\') {
        i++
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail()
          i += 4
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail()
      }
      i++
    }
    if (i >= text.length) fail()
    i++
  }
  const value = (): void => {
    ws()
    const c = text[i]
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      i++
      ws()
      if (text[i] === close) {
        i++
        return
      }
      for (;;) {
        if (c === '{') {
          ws()
          if (text[i] !== '"') fail()
          string()
          ws()
          if (text[i] !== ':') fail()
          i++
        }
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === close) {
          i++
          return
        } else fail()
      }
    }
    if (c === '"') {
      string()
      return
    }
    const word = ({ t: 'true', f: 'false', n: 'null' } as Record<string, string>)[c ?? '']
    if (word) {
      literal(word)
      return
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400))
    if (m === null) fail()
    else i += m[0].length
  }
  try {
    value()
    ws()
    if (i < text.length) fail()
  } catch (offset) {
    if (typeof offset === 'number') return offset
  }
  return Math.min(i, text.length)
}
