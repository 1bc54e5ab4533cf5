/**
 * A Thompson NFA from the parsed pattern (counted repetitions expanded), after Rust's size limit
 * is checked on an estimate of Rust's own compiled size: about 40 bytes a literal byte, and for a
 * class 40 plus 60 per code-point range (its UTF-8 automaton). Calibrated on torc 1.0.0: it takes
 * `a{100000}`, `\d{1000}`, `\w{200}`, `.{10000}` and refuses `a{500000}`, `\d{3000}`, `\w{250}`,
 * `.{100000}`.
 */
import type { Assertion, Node } from './regex-ast.ts'
import { SIZE_LIMIT, tooBig } from './regex-error.ts'
import type { CharClass } from './regex-unicode.ts'

export const CHAR = 0
export const SPLIT = 1
export const ASSERT = 2
export const MATCH = 3

export const ASSERTIONS: readonly Assertion[] = [
  'startText',
  'endText',
  'startLine',
  'endLine',
  'startLineCRLF',
  'endLineCRLF',
  'word',
  'notWord',
  'wordStart',
  'wordEnd',
  'wordStartHalf',
  'wordEndHalf',
]

export interface Nfa {
  op: Uint8Array
  out: Int32Array
  out2: Int32Array
  /** CHAR: its class; ASSERT: undefined. */
  cls: (CharClass | undefined)[]
  /** ASSERT: index in ASSERTIONS, plus 16 when the word boundary is ASCII (`(?-u)`). */
  assertion: Uint8Array
  start: number
  /** Which word definitions the assertions need (so the matcher classifies only those). */
  unicodeWord: boolean
  asciiWord: boolean
}

const WORST_CLASS = 40 + 60 * 1000

/** Rust's compiled size of `node`, estimated; `exact` counts each class's ranges (a scan of the code points). */
function size(node: Node, exact: boolean): number {
  switch (node.t) {
    case 'empty':
      return 0
    case 'char':
      return node.literal ? 40 * node.utf8 : exact ? 40 + 60 * node.cls.ranges() : WORST_CLASS
    case 'assert':
      return 16
    case 'cat':
      return node.items.reduce((sum, x) => sum + size(x, exact), 0)
    case 'alt':
      return node.items.reduce((sum, x) => sum + 16 + size(x, exact), 0)
    case 'rep': {
      const copies = node.max === Infinity ? Math.max(node.min, 1) : node.max
      return copies === 0 ? 0 : 16 * copies + copies * size(node.sub, exact)
    }
  }
}

export function buildNfa(root: Node): Nfa {
  if (size(root, false) > SIZE_LIMIT && size(root, true) > SIZE_LIMIT) throw tooBig()
  const op: number[] = []
  const out: number[] = []
  const out2: number[] = []
  const cls: (CharClass | undefined)[] = []
  const assertion: number[] = []
  let unicodeWord = false
  let asciiWord = false
  const add = (kind: number, next: number, alt = -1, c?: CharClass, a = 0): number => {
    op.push(kind)
    out.push(next)
    out2.push(alt)
    cls.push(c)
    assertion.push(a)
    return op.length - 1
  }
  const compile = (node: Node, next: number): number => {
    switch (node.t) {
      case 'empty':
        return next
      case 'char':
        return add(CHAR, next, -1, node.cls)
      case 'assert': {
        const index = ASSERTIONS.indexOf(node.kind)
        if (index >= 6) {
          if (node.ascii) asciiWord = true
          else unicodeWord = true
        }
        return add(ASSERT, next, -1, undefined, index + (node.ascii && index >= 6 ? 16 : 0))
      }
      case 'cat': {
        let cur = next
        for (let k = node.items.length - 1; k >= 0; k--) cur = compile(node.items[k] as Node, cur)
        return cur
      }
      case 'alt': {
        const entries = node.items.map((x) => compile(x, next))
        let cur = entries[entries.length - 1] as number
        for (let k = entries.length - 2; k >= 0; k--) cur = add(SPLIT, entries[k] as number, cur)
        return cur
      }
      case 'rep': {
        let cur = next
        if (node.max === Infinity) {
          const loop = add(SPLIT, -1, next)
          out[loop] = compile(node.sub, loop)
          cur = loop
        } else {
          for (let k = 0; k < node.max - node.min; k++) cur = add(SPLIT, compile(node.sub, cur), next)
        }
        for (let k = 0; k < node.min; k++) cur = compile(node.sub, cur)
        return cur
      }
    }
  }
  const done = add(MATCH, -1)
  const start = compile(root, done)
  return {
    op: Uint8Array.from(op),
    out: Int32Array.from(out),
    out2: Int32Array.from(out2),
    cls,
    assertion: Uint8Array.from(assertion),
    start,
    unicodeWord,
    asciiWord,
  }
}
