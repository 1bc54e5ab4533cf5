/** Escape sequences of the Rust dialect (`\x{…}`, `\p{…}`, `\d`, `\b{start}`, …), parsed as regex-syntax 0.8 does. */
import type { Assertion, Cursor as Parser } from './regex-ast.ts'
import { PERL, unicodeProperty } from './regex-unicode.ts'

export type Escape =
  | { kind: 'literal'; cp: number }
  | { kind: 'assert'; assertion: Assertion }
  /** A class as a `v`-mode JS source; `unicode` when it is a `\p` class (refused without `u`). */
  | { kind: 'class'; source: string; unicode: boolean }

const META = new Set('\\.+*?()|[]{}^$#&-~'.split(''))
const SPECIAL: Record<string, number> = { a: 7, f: 12, t: 9, n: 10, r: 13, v: 11 }
const ASSERT: Record<string, Assertion> = {
  A: 'startText',
  z: 'endText',
  b: 'word',
  B: 'notWord',
  '<': 'wordStart',
  '>': 'wordEnd',
}
const BOUNDARIES: Record<string, Assertion> = {
  start: 'wordStart',
  end: 'wordEnd',
  'start-half': 'wordStartHalf',
  'end-half': 'wordEndHalf',
}
const isHex = (c: string) => /^[0-9a-fA-F]$/.test(c)

const escapable = (c: string): boolean =>
  META.has(c) || (c.length === 1 && c.charCodeAt(0) < 0x80 && !/[0-9A-Za-z<>]/.test(c))

/** Parses the escape at `\`; leaves the parser after it. */
export function parseEscape(p: Parser, _inClass: boolean): Escape {
  const start = p.i
  if (!p.bump()) throw p.error('incomplete escape sequence, reached end of pattern prematurely', [start, p.i])
  const c = p.cur()
  if (c >= '0' && c <= '9') throw p.error('backreferences are not supported', [start, p.i + 1])
  if (c === 'x' || c === 'u' || c === 'U') return { kind: 'literal', cp: parseHex(p) }
  if (c === 'p' || c === 'P') return parseUnicodeClass(p, start)
  if ('dswDSW'.includes(c)) {
    p.i++
    const perl = PERL[c.toLowerCase() as 'd' | 's' | 'w']
    const source = p.flags.u ? perl.unicode : perl.ascii
    return { kind: 'class', source: c === c.toLowerCase() ? source : `[^${source}]`, unicode: false }
  }
  p.i++
  if (escapable(c)) return { kind: 'literal', cp: c.codePointAt(0) ?? 0 }
  const special = SPECIAL[c]
  if (special !== undefined) return { kind: 'literal', cp: special }
  const assertion = ASSERT[c]
  if (assertion === undefined) throw p.error('unrecognized escape sequence', [start, p.i])
  if (c === 'b' && !p.eof && p.cur() === '{') {
    const wide = specialBoundary(p, start)
    if (wide) return { kind: 'assert', assertion: wide }
  }
  return { kind: 'assert', assertion }
}

/** `\b{start}` and kin; undefined (parser back at `{`) when it is a counted repetition such as `\b{5}`. */
function specialBoundary(p: Parser, wbStart: number): Assertion | undefined {
  const valid = (ch: string) => /^[A-Za-z-]$/.test(ch)
  const start = p.i
  if (!p.bumpAndSpace()) {
    throw p.error(
      'found either the beginning of a special word boundary or a bounded ' +
        'repetition on a \\b with an opening brace, but no closing brace',
      [wbStart, p.i]
    )
  }
  const contents = p.i
  if (!valid(p.cur())) {
    p.i = start
    return undefined
  }
  let name = ''
  while (!p.eof && valid(p.cur())) {
    name += p.cur()
    p.bumpAndSpace()
  }
  if (p.eof || p.cur() !== '}') {
    throw p.error('special word boundary assertion is either unclosed or contains an invalid character', [start, p.i])
  }
  const end = p.i
  p.i++
  const kind = BOUNDARIES[name]
  if (kind === undefined) {
    throw p.error(
      'unrecognized special word boundary assertion, valid choices are: start, end, start-half or end-half',
      [contents, end]
    )
  }
  return kind
}

function scalar(value: number): boolean {
  return Number.isFinite(value) && value <= 0x10ffff && !(value >= 0xd800 && value <= 0xdfff)
}

function parseHex(p: Parser): number {
  const digits = p.cur() === 'x' ? 2 : p.cur() === 'u' ? 4 : 8
  if (!p.bumpAndSpace()) {
    throw p.error('incomplete escape sequence, reached end of pattern prematurely', [p.i, p.i])
  }
  if (p.cur() === '{') {
    const brace = p.i
    const start = p.i + 1
    let text = ''
    while (p.bumpAndSpace() && p.cur() !== '}') {
      if (!isHex(p.cur())) throw p.error('invalid hexadecimal digit', [p.i, p.i + 1])
      text += p.cur()
    }
    if (p.eof) throw p.error('incomplete escape sequence, reached end of pattern prematurely', [brace, p.i])
    const end = p.i
    p.bumpAndSpace()
    if (text === '') throw p.error('hexadecimal literal empty', [brace, p.i])
    const value = Number.parseInt(text, 16)
    if (!scalar(value)) throw p.error('hexadecimal literal is not a Unicode scalar value', [start, end])
    return value
  }
  const start = p.i
  let text = ''
  for (let k = 0; k < digits; k++) {
    if (k > 0 && !p.bumpAndSpace()) {
      throw p.error('incomplete escape sequence, reached end of pattern prematurely', [p.i, p.i])
    }
    if (!isHex(p.cur())) throw p.error('invalid hexadecimal digit', [p.i, p.i + 1])
    text += p.cur()
  }
  p.bumpAndSpace()
  const value = Number.parseInt(text, 16)
  if (!scalar(value)) throw p.error('hexadecimal literal is not a Unicode scalar value', [start, p.i])
  return value
}

function parseUnicodeClass(p: Parser, start: number): Escape {
  const negated = p.cur() === 'P'
  if (!p.bumpAndSpace()) {
    throw p.error('incomplete escape sequence, reached end of pattern prematurely', [p.i, p.i])
  }
  let name: string
  let value: string | undefined
  let negate = negated
  if (p.cur() === '{') {
    let text = ''
    while (p.bumpAndSpace() && p.cur() !== '}') text += p.cur()
    if (p.eof) throw p.error('incomplete escape sequence, reached end of pattern prematurely', [p.i, p.i])
    p.i++
    const ne = text.indexOf('!=')
    const colon = text.indexOf(':')
    const eq = text.indexOf('=')
    if (ne >= 0) {
      ;[name, value] = [text.slice(0, ne), text.slice(ne + 2)]
      negate = !negate
    } else if (colon >= 0) [name, value] = [text.slice(0, colon), text.slice(colon + 1)]
    else if (eq >= 0) [name, value] = [text.slice(0, eq), text.slice(eq + 1)]
    else name = text
  } else {
    if (p.cur() === '\\') throw p.error('invalid Unicode character class', [p.i, p.i + 1])
    name = p.cur()
    p.bumpAndSpace()
  }
  const span = [start, p.i] as const
  if (!p.flags.u) {
    p.defer('Unicode not allowed here', span)
    return { kind: 'class', source: '[]', unicode: true }
  }
  const found = unicodeProperty(name, value)
  if ('error' in found) {
    if (found.error === 'edge') p.defer('Unicode property not supported at the edge (torc-edge deviation)', span)
    else p.defer(found.error === 'property' ? 'Unicode property not found' : 'Unicode property value not found', span)
    return { kind: 'class', source: '[]', unicode: true }
  }
  return { kind: 'class', source: negate ? `[^${found.source}]` : found.source, unicode: true }
}
