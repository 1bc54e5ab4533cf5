/**
 * A parser for the syntax of Rust's regex crate (regex-syntax 0.8, as Torc 1.0.0 builds it: nest
 * limit 250, no octal, Unicode on), written from its documented grammar and checked against the
 * torc CLI. Errors carry Rust's wording and spans. Like Rust, syntax errors come first (in pattern
 * order), then the nest limit, then errors of meaning (Unicode classes, invalid UTF-8).
 */
import {
  type Assertion,
  type Cursor,
  DEFAULT_FLAGS,
  EMPTY,
  type Flags,
  type Item,
  type Node,
  type Shape,
} from './regex-ast.ts'
import { classNode, literalNode, parseBracket } from './regex-class.ts'
import { type RegexSyntaxError, type Span, syntaxError } from './regex-error.ts'
import { type Escape, parseEscape } from './regex-escape.ts'
import { captureName, parseFlags } from './regex-group.ts'
import { dotClass } from './regex-unicode.ts'

const NEST_LIMIT = 250
const WHITE = /^\p{White_Space}$/u

interface Concat {
  items: Item[]
  start: number
}
type Frame =
  | { kind: 'group'; concat: Concat; open: Span; saved: Flags }
  | { kind: 'alt'; branches: Item[]; start: number }

export class Parser implements Cursor {
  readonly cs: string[]
  i = 0
  flags: Flags = { ...DEFAULT_FLAGS }
  /** The first error of meaning; thrown once the whole pattern has parsed. */
  deferred: RegexSyntaxError | undefined
  private readonly stack: Frame[] = []
  readonly names = new Map<string, Span>()

  constructor(pattern: string) {
    this.cs = Array.from(pattern)
  }

  get eof(): boolean {
    return this.i >= this.cs.length
  }
  cur(): string {
    return this.cs[this.i] ?? ''
  }
  error(what: string, span: Span, aux?: Span): RegexSyntaxError {
    return syntaxError(this.cs, what, span, aux)
  }
  defer(what: string, span: Span): void {
    this.deferred ??= this.error(what, span)
  }
  bump(): boolean {
    if (this.eof) return false
    this.i++
    return !this.eof
  }
  /** With `x`: skips whitespace and `#` comments. */
  bumpSpace(): void {
    if (!this.flags.x) return
    while (!this.eof) {
      if (WHITE.test(this.cur())) this.i++
      else if (this.cur() === '#') {
        while (!this.eof && this.cur() !== '\n') this.i++
      } else break
    }
  }
  bumpAndSpace(): boolean {
    if (!this.bump()) return false
    this.bumpSpace()
    return !this.eof
  }
  peekSpace(): string | undefined {
    const at = this.i
    this.i++
    this.bumpSpace()
    const c = this.cs[this.i]
    this.i = at
    return c
  }
  bumpIf(prefix: string): boolean {
    const chars = Array.from(prefix)
    if (chars.some((ch, k) => this.cs[this.i + k] !== ch)) return false
    this.i += chars.length
    return true
  }

  parse(): Node {
    let concat: Concat = { items: [], start: 0 }
    for (;;) {
      this.bumpSpace()
      if (this.eof) break
      const c = this.cur()
      if (c === '(') concat = this.pushGroup(concat)
      else if (c === ')') concat = this.popGroup(concat)
      else if (c === '|') concat = this.pushAlternate(concat)
      else if (c === '[') concat.items.push(parseBracket(this))
      else if (c === '?' || c === '*' || c === '+') this.repeat(concat, c === '+' ? 1 : 0, c === '?' ? 1 : Infinity)
      else if (c === '{') this.countedRepeat(concat)
      else concat.items.push(this.primitive())
    }
    const top = this.popEnd(concat)
    checkNest(this, top.shape, 0)
    if (this.deferred) throw this.deferred
    return top.node
  }

  private concatItem(concat: Concat, end: number): Item {
    const { items } = concat
    if (items.length === 0) return { node: EMPTY, span: [concat.start, end], shape: null }
    if (items.length === 1) return items[0] as Item
    const kids = items.flatMap((x) => (x.shape ? [x.shape] : []))
    const span: Span = [concat.start, end]
    return { node: { t: 'cat', items: items.map((x) => x.node) }, span, shape: { span, kids } }
  }

  private pushAlternate(concat: Concat): Concat {
    const item = this.concatItem(concat, this.i)
    const top = this.stack.at(-1)
    if (top?.kind === 'alt') top.branches.push(item)
    else this.stack.push({ kind: 'alt', branches: [item], start: concat.start })
    this.i++
    return { items: [], start: this.i }
  }

  private altItem(frame: Frame & { kind: 'alt' }, last: Item, end: number): Item {
    const branches = [...frame.branches, last]
    const span: Span = [frame.start, end]
    const kids = branches.flatMap((x) => (x.shape ? [x.shape] : []))
    return { node: { t: 'alt', items: branches.map((x) => x.node) }, span, shape: { span, kids } }
  }

  private pushGroup(concat: Concat): Concat {
    const open: Span = [this.i, this.i + 1]
    this.i++
    this.bumpSpace()
    if (this.bumpIf('?=') || this.bumpIf('?!') || this.bumpIf('?<=') || this.bumpIf('?<!')) {
      throw this.error('look-around, including look-ahead and look-behind, is not supported', [open[0], this.i])
    }
    const inner = this.i
    const saved = { ...this.flags }
    if (this.bumpIf('?P<') || this.bumpIf('?<')) {
      captureName(this, this.names)
    } else if (this.bumpIf('?')) {
      if (this.eof) throw this.error('unclosed group', open)
      const set = parseFlags(this)
      const end = this.cur()
      this.i++
      if (end === ')') {
        if (set.length === 0) throw this.error('repetition operator missing expression', [inner, inner])
        for (const [f, on] of set) this.flags[f] = on
        concat.items.push({ node: EMPTY, span: [open[0], this.i], shape: null, flags: true })
        return concat
      }
      this.stack.push({ kind: 'group', concat, open, saved })
      for (const [f, on] of set) this.flags[f] = on
      return { items: [], start: this.i }
    }
    this.stack.push({ kind: 'group', concat, open, saved })
    return { items: [], start: this.i }
  }

  private popGroup(inner: Concat): Concat {
    let top = this.stack.pop()
    let alt: (Frame & { kind: 'alt' }) | undefined
    if (top?.kind === 'alt') {
      alt = top
      top = this.stack.pop()
    }
    if (top?.kind !== 'group') throw this.error('unopened group', [this.i, this.i + 1])
    this.flags = top.saved
    const body = alt ? this.altItem(alt, this.concatItem(inner, this.i), this.i) : this.concatItem(inner, this.i)
    this.i++
    const span: Span = [top.open[0], this.i]
    top.concat.items.push({ node: body.node, span, shape: { span, kids: body.shape ? [body.shape] : [] } })
    return top.concat
  }

  private popEnd(concat: Concat): Item {
    const top = this.stack.pop()
    let item: Item
    if (top === undefined) item = this.concatItem(concat, this.i)
    else if (top.kind === 'alt') item = this.altItem(top, this.concatItem(concat, this.i), this.i)
    else throw this.error('unclosed group', top.open)
    const next = this.stack.pop()
    if (next?.kind === 'group') throw this.error('unclosed group', next.open)
    return item
  }

  private takeOperand(concat: Concat): Item {
    const last = concat.items.pop()
    if (last === undefined || last.flags) {
      throw this.error('repetition operator missing expression', [this.i, this.i])
    }
    return last
  }

  private pushRepeat(concat: Concat, sub: Item, min: number, max: number): void {
    const span: Span = [sub.span[0], this.i]
    const node: Node = { t: 'rep', min, max, sub: sub.node }
    concat.items.push({ node, span, shape: { span, kids: sub.shape ? [sub.shape] : [] } })
  }

  private repeat(concat: Concat, min: number, max: number): void {
    const sub = this.takeOperand(concat)
    if (this.bump() && this.cur() === '?') this.i++
    this.pushRepeat(concat, sub, min, max)
  }

  private countedRepeat(concat: Concat): void {
    const start = this.i
    const sub = this.takeOperand(concat)
    const unclosed = () => this.error('unclosed counted repetition', [start, this.i])
    if (!this.bumpAndSpace()) throw unclosed()
    const first = this.decimal()
    if (this.eof) throw unclosed()
    let min: number
    let max: number
    if (this.cur() === ',') {
      if (!this.bumpAndSpace()) throw unclosed()
      if (this.cur() !== '}') {
        if (first instanceof Error) throw first
        min = first
        const second = this.decimal()
        if (second instanceof Error) throw second
        max = second
      } else {
        if (first instanceof Error) throw first
        min = first
        max = Infinity
      }
    } else {
      if (first instanceof Error) throw first
      min = first
      max = first
    }
    if (this.eof || this.cur() !== '}') throw unclosed()
    if (this.bumpAndSpace() && this.cur() === '?') this.i++
    if (min > max) throw this.error('invalid repetition count range, the start must be <= the end', [start, this.i])
    this.pushRepeat(concat, sub, min, max)
  }

  private decimal(): number | RegexSyntaxError {
    while (!this.eof && WHITE.test(this.cur())) this.i++
    const start = this.i
    let digits = ''
    while (!this.eof && this.cur() >= '0' && this.cur() <= '9') {
      digits += this.cur()
      this.bumpAndSpace()
    }
    const span: Span = [start, this.i]
    while (!this.eof && WHITE.test(this.cur())) this.bumpAndSpace()
    if (digits === '') return this.error('repetition quantifier expects a valid decimal', span)
    const n = Number(digits)
    return n > 0xffffffff ? this.error('decimal literal invalid', span) : n
  }

  private primitive(): Item {
    const start = this.i
    const c = this.cur()
    if (c === '\\') return this.escapeItem(parseEscape(this, false), start)
    this.i++
    const span: Span = [start, this.i]
    if (c === '.') {
      if (!this.flags.u) this.defer('pattern can match invalid UTF-8', span)
      return {
        node: { t: 'char', cls: dotClass(this.flags.s, this.flags.R), literal: false, utf8: 1 },
        span,
        shape: null,
      }
    }
    if (c === '^' || c === '$') return { node: this.lineAssertion(c === '^'), span, shape: null }
    return { node: literalNode(this, c.codePointAt(0) ?? 0), span, shape: null }
  }

  private lineAssertion(start: boolean): Node {
    let kind: Assertion = start ? 'startText' : 'endText'
    if (this.flags.m) kind = this.flags.R ? (start ? 'startLineCRLF' : 'endLineCRLF') : start ? 'startLine' : 'endLine'
    return { t: 'assert', kind, ascii: false }
  }

  private escapeItem(e: Escape, start: number): Item {
    const span: Span = [start, this.i]
    if (e.kind === 'literal') return { node: literalNode(this, e.cp), span, shape: null }
    if (e.kind === 'assert')
      return { node: { t: 'assert', kind: e.assertion, ascii: !this.flags.u }, span, shape: null }
    return { node: classNode(this, e.source, span), span, shape: null }
  }
}

/** Rust's nest limit, counted over the nodes it counts, in pre-order. */
function checkNest(p: Parser, shape: Shape | null, depth: number): void {
  if (shape === null) return
  if (depth + 1 > NEST_LIMIT) {
    throw p.error(`exceed the maximum number of nested parentheses/brackets (${NEST_LIMIT})`, shape.span)
  }
  for (const kid of shape.kids) checkNest(p, kid, depth + 1)
}
