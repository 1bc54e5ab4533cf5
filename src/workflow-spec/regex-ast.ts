/** The parsed form of a Rust-dialect regex: only what deciding "does it match somewhere" needs. */
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
