import { parseRustFloat, parseRustInt, parseRustUint } from '../torc/units.ts'

/**
 * Parameter values and templates, ported from torc 1.0.0 parameter_expansion.rs: the value grammar
 * (ranges, float ranges, lists, single values, `@file` lists), Rust's display of numbers, the
 * `{name:03d}` / `{name:.2f}` format specs, and template substitution.
 */
export type ParamValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'str'; readonly value: string }

/** Reads a text file for `@file` parameter lists and `parameters_file` tables; absent at the edge. */
export type FileReader = (path: string) => string

/** Infers Integer, then Float, then String, as Torc does for list items, file lines and CSV cells. */
export function inferValue(text: string): ParamValue {
  const int = parseRustInt(text)
  if (int !== undefined) return { kind: 'int', value: int }
  const float = parseRustFloat(text)
  if (float !== undefined) return { kind: 'float', value: float }
  return { kind: 'str', value: text }
}

/** Rust's `{}` display of an f64: shortest round-trip digits, never exponent notation. */
export function displayFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  if (Object.is(value, -0)) return '-0'
  const text = String(value)
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (match === null) return text
  const [, sign, head, tail = '', expText] = match as unknown as [string, string, string, string, string]
  const digits = head + tail
  const exp = Number(expText)
  if (exp >= 0) return sign + digits.padEnd(exp + 1, '0')
  return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`
}

/** Plain display of a value (Rust `Display`). */
export function displayValue(value: ParamValue): string {
  if (value.kind === 'int') return String(value.value)
  if (value.kind === 'float') return displayFloat(value.value)
  return value.value
}

/** Applies a format spec: `0Nd` zero-pads integers, `.Nf` fixes float decimals, else plain. */
export function formatValue(value: ParamValue, spec: string | undefined): string {
  if (spec === undefined) return displayValue(value)
  if (value.kind === 'int' && spec.endsWith('d') && spec.startsWith('0')) {
    const width = parseRustUint(spec.slice(1, -1))
    if (width !== undefined) {
      const digits = String(Math.abs(value.value))
      const sign = value.value < 0 ? '-' : ''
      return sign + digits.padStart(Math.max(0, width - sign.length), '0')
    }
  }
  if (value.kind === 'float' && spec.endsWith('f') && spec.startsWith('.')) {
    const precision = parseRustUint(spec.slice(1, -1))
    if (precision !== undefined) return toFixedHalfEven(value.value, precision)
  }
  return displayValue(value)
}

/** Rust's `{:.N}` rounds exact binary ties to even; JavaScript's toFixed rounds them away from zero. */
function toFixedHalfEven(value: number, digits: number): string {
  if (!Number.isFinite(value)) return displayFloat(value)
  const places = Math.min(digits, 100)
  let text = value.toFixed(places)
  const last = Number(text.at(-1))
  if (last % 2 === 1 && isExactTie(value, places)) text = text.slice(0, -1) + String(last - 1)
  return digits > 100 ? text + '0'.repeat(digits - 100) : text
}

function isExactTie(value: number, places: number): boolean {
  const buffer = new DataView(new ArrayBuffer(8))
  buffer.setFloat64(0, Math.abs(value))
  const bits = buffer.getBigUint64(0)
  const exponent = Number((bits >> 52n) & 0x7ffn)
  const mantissa = (bits & 0xfffffffffffffn) | (exponent === 0 ? 0n : 0x10000000000000n)
  const e = (exponent === 0 ? 1 : exponent) - 1075
  if (mantissa === 0n || e >= 0) return false
  const scaled = mantissa * 10n ** BigInt(places) * 2n
  const divisor = 1n << BigInt(-e)
  return scaled % divisor === 0n && (scaled / divisor) % 2n === 1n
}

/** Parses one parameter value string into its ordered list of values (Torc's grammar). */
export function parseParameterValue(raw: string, readFile?: FileReader, limit = Infinity): ParamValue[] {
  let text = raw.trim()
  if (text.startsWith('@')) return parseFileList(text.slice(1), readFile)
  if (text.startsWith('{') && text.endsWith('}') && !text.includes(',')) text = text.slice(1, -1).trim()
  if (text.startsWith('[') && text.endsWith(']')) return parseList(text)
  if (text.includes(':')) return parseRange(text, limit)
  return [inferValue(text)]
}

function parseList(text: string): ParamValue[] {
  const inner = text.replace(/^\[+/, '').replace(/\]+$/, '').trim()
  if (inner === '') return []
  return inner.split(',').map((part) => {
    const item = part.trim()
    const value = inferValue(item)
    if (value.kind !== 'str') return value
    const unquoted = item.replace(/^'+/, '').replace(/'+$/, '').replace(/^"+/, '').replace(/"+$/, '')
    return { kind: 'str', value: unquoted }
  })
}

function parseFileList(path: string, readFile: FileReader | undefined): ParamValue[] {
  const trimmed = path.trim()
  if (trimmed === '') throw new Error("Empty file path after '@' in parameter value")
  if (readFile === undefined) {
    throw new Error(`Failed to read parameter file '${trimmed}': no file access here; inline the values instead`)
  }
  let content: string
  try {
    content = readFile(trimmed)
  } catch (error) {
    throw new Error(`Failed to read parameter file '${trimmed}': ${error instanceof Error ? error.message : error}`)
  }
  const values: ParamValue[] = []
  for (const line of content.split(/\r?\n/)) {
    const item = line.trim()
    if (item !== '' && !item.startsWith('#')) values.push(inferValue(item))
  }
  return values
}

function parseRange(text: string, limit: number): ParamValue[] {
  const parts = text.split(':')
  if (parts.length < 2 || parts.length > 3) {
    throw new Error(`Invalid range format: '${text}'. Expected 'start:end' or 'start:end:step'`)
  }
  const [startText, endText, stepText = ''] = parts.map((p) => p.trim()) as [string, string, string?]
  const start = parseRustInt(startText)
  const end = parseRustInt(endText)
  if (start !== undefined && end !== undefined) {
    const step = stepText === '' ? 1 : parseRustInt(stepText)
    if (step === undefined) throw new Error(`Invalid integer step in range: '${stepText}'`)
    if (step === 0) throw new Error('Step cannot be zero')
    checkCount((end - start) / step, text, limit)
    const values: ParamValue[] = []
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) values.push({ kind: 'int', value: v })
    return values
  }
  const fstart = parseRustFloat(startText)
  const fend = parseRustFloat(endText)
  if (fstart !== undefined && fend !== undefined) {
    const step = stepText === '' ? 1 : parseRustFloat(stepText)
    if (step === undefined) throw new Error(`Invalid float step in range: '${stepText}'`)
    if (step === 0) throw new Error('Step cannot be zero')
    checkCount((fend - fstart) / step, text, limit)
    const values: ParamValue[] = []
    if (step > 0) for (let v = fstart; v <= fend + 1e-10; v += step) values.push({ kind: 'float', value: v })
    else for (let v = fstart; v >= fend - 1e-10; v += step) values.push({ kind: 'float', value: v })
    return values
  }
  throw new Error(`Invalid range values: '${text}'. Could not parse as integer or float range`)
}

/** A range longer than the caller's limit (so counting can tell it from a malformed value). */
export class ValueLimitError extends Error {
  override readonly name = 'ValueLimitError'
}

function checkCount(span: number, text: string, limit: number): void {
  if (!(span + 1 <= limit) && span >= 0) {
    throw new ValueLimitError(`Range '${text}' would produce more than ${limit} values (limit of this runtime)`)
  }
}

/** A template binding: parameter names with one value each, in substitution order. */
export type Binding = ReadonlyArray<readonly [string, ParamValue]>

/**
 * Substitutes `{name:fmt}` (every occurrence, each with its own spec) and then `{name}`, parameter
 * by parameter, never re-scanning inserted text. torc 1.0.0 replaces both forms; the docs' quirk
 * where `{i}` survived next to `{i:03d}` belonged to 0.1x and is gone.
 */
export function substitute(template: string, binding: Binding): string {
  if (!template.includes('{')) return template
  let result = template
  for (const [name, value] of binding) {
    const open = `{${name}:`
    let start = result.indexOf(open)
    if (start >= 0) {
      const parts: string[] = []
      let copied = 0
      while (start >= 0) {
        const close = result.indexOf('}', start)
        if (close < 0) break
        parts.push(result.slice(copied, start), formatValue(value, result.slice(start + open.length, close)))
        copied = close + 1
        start = result.indexOf(open, copied)
      }
      parts.push(result.slice(copied))
      result = parts.join('')
    }
    const plain = `{${name}}`
    if (result.includes(plain)) result = result.split(plain).join(displayValue(value))
  }
  return result
}
