/**
 * Bracketed classes of the Rust dialect: ranges, nested classes, `[:alpha:]`, and the set
 * operations `&&`, `--`, `~~` (equal precedence, left to right, below union). Built as a JavaScript
 * `v`-mode class, whose nested classes and `&&`/`--` have the same meaning.
 */
import type { Item, Node, Cursor as Parser, Shape } from './regex-ast.ts'
import type { Span } from './regex-error.ts'
import { parseEscape } from './regex-escape.ts'
import { hex, jsClass, literalClass, POSIX } from './regex-unicode.ts'

interface Built {
  source: string
  span: Span
  shape: Shape | null
}
type Piece = { lit: number; span: Span } | { source: string; span: Span; shape?: Shape }

/** Parses `[…]` at the parser's `[` into a one-code-point node. */
export function parseBracket(p: Parser): Item {
  const start = p.i
  const built = bracket(p)
  const span: Span = [start, p.i]
  return { node: classNode(p, built.source, span), span, shape: built.shape }
}

function bracket(p: Parser): Built {
  const start = p.i
  const unclosedAt = (span: Span) => p.error('unclosed character class', span)
  if (!p.bumpAndSpace()) throw unclosedAt([start, p.i])
  let negated = false
  if (p.cur() === '^') {
    negated = true
    if (!p.bumpAndSpace()) throw unclosedAt([start, p.i])
  }
  let pieces: Piece[] = []
  while (p.cur() === '-') {
    pieces.push({ lit: 45, span: [p.i, p.i + 1] })
    if (!p.bumpAndSpace()) throw unclosedAt([start, start])
  }
  if (pieces.length === 0 && p.cur() === ']') {
    pieces.push({ lit: 93, span: [p.i, p.i + 1] })
    if (!p.bumpAndSpace()) throw unclosedAt([start, p.i])
  }
  const open: Span = [start, p.i]
  let acc: Built | undefined
  let op = ''
  for (;;) {
    p.bumpSpace()
    if (p.eof) throw unclosedAt(open)
    const c = p.cur()
    if (c === '[') {
      const posix = asciiClass(p)
      if (posix) pieces.push(posix)
      else {
        const at = p.i
        const nested = bracket(p)
        pieces.push(
          nested.shape
            ? { source: nested.source, span: [at, p.i], shape: nested.shape }
            : { source: nested.source, span: [at, p.i] }
        )
      }
    } else if (c === ']') {
      p.i++
      const rhs = union(pieces, p.i)
      const body = acc === undefined ? rhs : apply(op, acc, rhs)
      const source = negated ? `[^${body.source}]` : body.source
      const span: Span = [start, p.i]
      return { source, span, shape: { span, kids: body.shape ? [body.shape] : [] } }
    } else if ((c === '&' || c === '-' || c === '~') && p.cs[p.i + 1] === c) {
      p.i += 2
      const rhs = union(pieces, p.i)
      acc = acc === undefined ? rhs : apply(op, acc, rhs)
      op = c + c
      pieces = []
    } else pieces.push(range(p, open))
  }
}

function union(pieces: Piece[], end: number): Built {
  const source = `[${pieces.map((x) => ('lit' in x ? hex(x.lit) : x.source)).join('')}]`
  const kids = pieces.flatMap((x) => ('shape' in x && x.shape ? [x.shape] : []))
  const span: Span = [pieces[0]?.span[0] ?? end, end]
  return { source, span, shape: pieces.length >= 2 ? { span, kids } : (kids[0] ?? null) }
}

function apply(op: string, lhs: Built, rhs: Built): Built {
  const { source: a } = lhs
  const { source: b } = rhs
  const source = op === '&&' ? `[${a}&&${b}]` : op === '--' ? `[${a}--${b}]` : `[[${a}--${b}][${b}--${a}]]`
  const span: Span = [lhs.span[0], rhs.span[1]]
  return { source, span, shape: { span, kids: [lhs.shape, rhs.shape].filter((x): x is Shape => x !== null) } }
}

/** `[:name:]` or `[:^name:]`; undefined (parser unmoved) when it is not one, as in Rust. */
function asciiClass(p: Parser): Piece | undefined {
  const start = p.i
  const fail = () => {
    p.i = start
    return undefined
  }
  if (!p.bump() || p.cur() !== ':') return fail()
  if (!p.bump()) return fail()
  let negated = false
  if (p.cur() === '^') {
    negated = true
    if (!p.bump()) return fail()
  }
  const nameStart = p.i
  while (p.cur() !== ':' && p.bump()) {}
  if (p.eof) return fail()
  const name = p.cs.slice(nameStart, p.i).join('')
  if (!p.bumpIf(':]')) return fail()
  const body = POSIX[name]
  if (body === undefined) return fail()
  return { source: negated ? `[^${body}]` : body, span: [start, p.i] }
}

function item(p: Parser): Piece {
  const start = p.i
  if (p.cur() === '\\') {
    const e = parseEscape(p, true)
    const span: Span = [start, p.i]
    if (e.kind === 'assert') throw p.error('invalid escape sequence found in character class', span)
    if (e.kind === 'literal') return literal(p, e.cp, span)
    return { source: e.source, span }
  }
  const cp = p.cur().codePointAt(0) ?? 0
  p.i++
  return literal(p, cp, [start, p.i])
}

function literal(p: Parser, cp: number, span: Span): Piece {
  if (!p.flags.u && cp > 0x7f) p.defer('Unicode not allowed here', span)
  return { lit: cp, span }
}

function range(p: Parser, open: Span): Piece {
  const first = item(p)
  p.bumpSpace()
  if (p.eof) throw p.error('unclosed character class', open)
  if (p.cur() !== '-' || p.peekSpace() === ']' || p.peekSpace() === '-') return first
  if (!p.bumpAndSpace()) throw p.error('unclosed character class', open)
  const second = item(p)
  if (!('lit' in first)) throw p.error('invalid range boundary, must be a literal', first.span)
  if (!('lit' in second)) throw p.error('invalid range boundary, must be a literal', second.span)
  const span: Span = [first.span[0], second.span[1]]
  if (first.lit > second.lit) throw p.error('invalid character class range, the start must be <= the end', span)
  return { source: `${hex(first.lit)}-${hex(second.lit)}`, span }
}

/** A literal under the current flags: caseless with `i` (ASCII-only folding without `u`). */
export function literalNode(p: Parser, cp: number): Node {
  const utf8 = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
  if (!p.flags.i) return { t: 'char', cls: literalClass(cp), literal: true, utf8 }
  if (!p.flags.u) {
    const ch = String.fromCodePoint(cp)
    const other = /[a-z]/i.test(ch) ? (ch === ch.toLowerCase() ? ch.toUpperCase() : ch.toLowerCase()) : ch
    if (other === ch) return { t: 'char', cls: literalClass(cp), literal: true, utf8 }
    return { t: 'char', cls: jsClass(`[${hex(cp)}${hex(other.charCodeAt(0))}]`, false), literal: false, utf8 }
  }
  return { t: 'char', cls: jsClass(`[${hex(cp)}]`, true), literal: false, utf8 }
}

/** A class under the current flags; without `u` it must stay ASCII (Rust: no invalid UTF-8) and folds ASCII only. */
export function classNode(p: Parser, source: string, span: Span): Node {
  if (p.flags.u) return { t: 'char', cls: jsClass(source, p.flags.i), literal: false, utf8: 1 }
  // Built from ASCII pieces and their complements, a class holds every non-ASCII code point or none.
  if (jsClass(source, false).has(0x2603)) p.defer('pattern can match invalid UTF-8', span)
  if (!p.flags.i) return { t: 'char', cls: jsClass(source, false), literal: false, utf8: 1 }
  const caseless = jsClass(source, true)
  let ascii = ''
  for (let c = 0; c < 128; c++) if (caseless.has(c)) ascii += hex(c)
  return { t: 'char', cls: jsClass(`[${ascii}]`, false), literal: false, utf8: 1 }
}
