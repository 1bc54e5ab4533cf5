/**
 * Classifies a line too long to hold (see lines.ts) from its pieces, as if the whole line had been
 * tested: each piece is scanned with the end of the previous one in front (OVERLAP units, more than
 * the longest literal), and a match counts only where the characters on both sides of it are known.
 * "Rust Panic" (`thread .* panicked at`) is tracked by the positions of its two literals. Only
 * `raise \w+Error` with more than OVERLAP word characters spanning a piece boundary can be missed.
 */
import { type ErrorPattern, firstMatched, GLOBAL_REGEXES, INFO_GLOBAL, PATTERNS } from './patterns.ts'

const OVERLAP = 64
// One unit more than a sample holds, so the sample is always cut (and marked) like the real line.
const HEAD = 121
const PANIC = PATTERNS.findIndex((p) => p.name === 'Rust Panic')
const THREAD = 'thread '
const PANICKED = ' panicked at'

export class LongLineMatcher {
  private matched: boolean[] = PATTERNS.map(() => false)
  private info = false
  private carry = ''
  /** Offset in the line of `carry`'s first unit. */
  private carryAt = 0
  private head = ''
  private firstThread = Infinity
  private lastPanicked = -1

  /** The line's first 121 units (enough for a 120-byte sample, cut). */
  get start(): string {
    return this.head
  }

  reset(): void {
    this.matched = PATTERNS.map(() => false)
    this.info = false
    this.carry = ''
    this.carryAt = 0
    this.head = ''
    this.firstThread = Infinity
    this.lastPanicked = -1
  }

  /** Scans the next piece of the line; `last` when the line ends with it. */
  add(piece: string, last: boolean): void {
    if (this.head.length < HEAD) this.head += piece.slice(0, HEAD - this.head.length)
    const window = this.carry + piece
    const from = this.carry ? 1 : 0
    const to = last ? window.length : window.length - 1
    for (let i = 0; i < GLOBAL_REGEXES.length; i++) {
      if (i === PANIC || this.matched[i]) continue
      if (matchesWithin(GLOBAL_REGEXES[i]!, window, from, to)) this.matched[i] = true
    }
    if (!this.info && matchesWithin(INFO_GLOBAL, window, from, to)) this.info = true
    this.trackPanic(window)
    let keep = Math.max(0, window.length - OVERLAP)
    const unit = window.charCodeAt(keep)
    if (unit >= 0xdc00 && unit <= 0xdfff) keep++
    this.carryAt += keep
    this.carry = window.slice(keep)
  }

  /** The pattern the whole line matches, torc 1.0.0's way (first in order, INFO lines exempt from two). */
  result(): ErrorPattern | undefined {
    this.matched[PANIC] = this.firstThread + THREAD.length <= this.lastPanicked
    return firstMatched(this.matched, this.info)
  }

  private trackPanic(window: string): void {
    const thread = window.indexOf(THREAD)
    if (thread >= 0) this.firstThread = Math.min(this.firstThread, this.carryAt + thread)
    const panicked = window.lastIndexOf(PANICKED)
    if (panicked >= 0) this.lastPanicked = Math.max(this.lastPanicked, this.carryAt + panicked)
  }
}

/** Whether `re` (global) matches somewhere starting at or after `from` and ending at or before `to`. */
function matchesWithin(re: RegExp, text: string, from: number, to: number): boolean {
  re.lastIndex = from
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index + m[0].length <= to) return true
    if (m.index >= to) return false
    re.lastIndex = m.index + 1
  }
  return false
}
