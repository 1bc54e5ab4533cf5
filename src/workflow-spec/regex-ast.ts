/** The parsed form of a Rust-dialect regex: only what deciding "does it match somewhere" needs. */

import type { RegexSyntaxError, Span } from './regex-error.ts'
import type { CharClass } from './regex-unicode.ts'

export type Assertion =
  | 'startText'
  | 'endText'
  | 'startLine'
  | 'endLine'
  | 'startLineCRLF'
  | 'endLineCRLF'
  | 'word'
  | 'notWord'
  | 'wordStart'
  | 'wordEnd'
  | 'wordStartHalf'
  | 'wordEndHalf'

export type Node =
  | { t: 'empty' }
  /** One code point of a class; `literal` and `utf8` feed the estimate of Rust's compiled size (regex-nfa.ts). */
  | { t: 'char'; cls: CharClass; literal: boolean; utf8: number }
  | { t: 'assert'; kind: Assertion; ascii: boolean }
  | { t: 'cat'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'rep'; min: number; max: number; sub: Node }

export const EMPTY: Node = { t: 'empty' }

/** Parser flags: `i m s U u R x` (U, swap greed, cannot change whether a pattern matches). */
export interface Flags {
  i: boolean
  m: boolean
  s: boolean
  U: boolean
  u: boolean
  R: boolean
  x: boolean
}
export const DEFAULT_FLAGS: Flags = { i: false, m: false, s: false, U: false, u: true, R: false, x: false }

/** Nodes that count towards the nest limit, as Rust's NestLimiter counts them. */
export interface Shape {
  span: Span
  kids: Shape[]
}
export interface Item {
  node: Node
  span: Span
  shape: Shape | null
  /** A `(?flags)` item: nothing to repeat. */
  flags?: true
}

/**
 * The parser's position and what the escape, class and group parsers use of it (regex-parse.ts's
 * Parser implements it; declared here so those modules do not import the parser back).
 */
export interface Cursor {
  readonly cs: string[]
  i: number
  flags: Flags
  readonly eof: boolean
  cur(): string
  error(what: string, span: Span, aux?: Span): RegexSyntaxError
  defer(what: string, span: Span): void
  bump(): boolean
  bumpSpace(): void
  bumpAndSpace(): boolean
  peekSpace(): string | undefined
  bumpIf(prefix: string): boolean
}
