/**
 * Line splitting with Rust `str::lines()` semantics over text that arrives in pieces: split on \n,
 * drop one \r before a \n, no extra empty line after a final \n, and a last line without \n keeps a
 * trailing \r (Rust strips \r only as part of \r\n). Lines are handed on in blocks, not one call per
 * line, so a scanner can run one regex over thousands of lines. A line longer than `maxLine` UTF-16
 * units is handed on in pieces of at most `maxLine`, so memory stays flat however long it is.
 */

/** The retained-line cap: 1 MiB of UTF-16 units. */
export const MAX_LINE = 1024 * 1024

export interface LineSink {
  /**
   * Whole lines: `block` holds one or more lines, each ended by \n (a \r before it is still there),
   * except that at the very end of the input (`final`) it is one last line with no \n.
   * `firstLine` is the 1-based number of its first line.
   */
  lines(block: string, firstLine: number, final: boolean): void
  /** A line longer than maxLine, in order: `first` on its first piece, `last` on its last (maybe empty). */
  longLine(piece: string, line: number, first: boolean, last: boolean): void
}

export class LineSplitter {
  private readonly sink: LineSink
  private readonly maxLine: number
  /** Lines completed so far. */
  private done = 0
  /** The unfinished line, in pieces (joining per chunk would be quadratic). */
  private parts: string[] = []
  private partLen = 0
  /** Inside a line longer than maxLine, already handed on in part. */
  private long = false
  /** A long line's piece ended in \r: held back until we know whether \n follows. */
  private heldCR = false

  constructor(sink: LineSink, maxLine = MAX_LINE) {
    this.sink = sink
    this.maxLine = maxLine
  }

  /** Lines completed so far (the number of the line in progress is one more). */
  get lineCount(): number {
    return this.done
  }

  /** Starts a new input (file) with no line in progress. */
  reset(): void {
    this.done = 0
    this.parts = []
    this.partLen = 0
    this.long = false
    this.heldCR = false
  }

  /** Feeds the next piece of text; boundaries may fall anywhere, including between \r and \n. */
  push(text: string): void {
    if (!text) return
    let pos = 0
    if (this.long || this.partLen > 0) {
      const nl = text.indexOf('\n')
      if (nl < 0) {
        this.addUnfinished(text)
        return
      }
      this.finishUnfinished(text.slice(0, nl + 1))
      pos = nl + 1
    }
    const last = text.lastIndexOf('\n')
    if (last >= pos) {
      this.emitBlock(pos === 0 && last === text.length - 1 ? text : text.slice(pos, last + 1))
      pos = last + 1
    }
    if (pos < text.length) this.addUnfinished(pos === 0 ? text : text.slice(pos))
  }

  /** Ends the input: hands on a last line that has no \n. */
  end(): void {
    if (this.long) {
      this.sink.longLine(this.heldCR ? '\r' : '', this.done + 1, false, true)
      this.done++
    } else if (this.partLen > 0) {
      this.sink.lines(this.parts.join(''), this.done + 1, true)
      this.done++
    }
    this.parts = []
    this.partLen = 0
    this.long = false
    this.heldCR = false
  }

  /** Adds text with no \n to the line in progress, switching to pieces once it passes maxLine. */
  private addUnfinished(text: string): void {
    if (this.long) {
      this.emitPieces(text, false, false)
      return
    }
    this.parts.push(text)
    this.partLen += text.length
    if (this.partLen <= this.maxLine) return
    const joined = this.parts.join('')
    this.parts = []
    this.partLen = 0
    this.long = true
    this.emitPieces(joined, true, false)
  }

  /** Completes the line in progress with `rest` (which ends with its \n). */
  private finishUnfinished(rest: string): void {
    if (this.long) {
      this.emitPieces(rest, false, true)
      this.long = false
      this.done++
      return
    }
    const line = this.parts.join('') + rest
    this.parts = []
    this.partLen = 0
    if (line.length - 1 > this.maxLine) this.emitPieces(line, true, true)
    else this.sink.lines(line, this.done + 1, false)
    this.done++
  }

  /** Hands on whole lines; a block past maxLine (only from very large chunks) is checked line by line. */
  private emitBlock(block: string): void {
    if (block.length <= this.maxLine) {
      const first = this.done + 1
      this.done += countNewlines(block)
      this.sink.lines(block, first, false)
      return
    }
    let runStart = 0
    let pos = 0
    while (pos < block.length) {
      const nl = block.indexOf('\n', pos)
      if (nl - pos > this.maxLine) {
        if (pos > runStart) this.emitBlock(block.slice(runStart, pos))
        this.emitPieces(block.slice(pos, nl + 1), true, true)
        this.done++
        runStart = nl + 1
      }
      pos = nl + 1
    }
    if (runStart < block.length) {
      const rest = block.slice(runStart)
      const first = this.done + 1
      this.done += countNewlines(rest)
      this.sink.lines(rest, first, false)
    }
  }

  /** Hands on `text` (part of one long line) in pieces of at most maxLine, dropping a final \n or \r\n. */
  private emitPieces(text: string, first: boolean, last: boolean): void {
    let body = this.heldCR ? `\r${text}` : text
    this.heldCR = false
    if (last) body = body.endsWith('\r\n') ? body.slice(0, -2) : body.slice(0, -1)
    else if (body.endsWith('\r')) {
      body = body.slice(0, -1)
      this.heldCR = true
    }
    const line = this.done + 1
    if (body.length === 0) {
      this.sink.longLine('', line, first, last)
      return
    }
    for (let at = 0; at < body.length; at += this.maxLine) {
      const end = Math.min(at + this.maxLine, body.length)
      this.sink.longLine(body.slice(at, end), line, first && at === 0, last && end === body.length)
    }
  }
}

/** Number of \n in `text`. */
export function countNewlines(text: string, from = 0, to = text.length): number {
  let n = 0
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++
  return n
}

/** All of `text`'s lines the way Rust's `str::lines()` returns them (for small texts: tails, tests). */
export function splitLines(text: string): string[] {
  if (!text) return []
  const lines = text.split('\n')
  const last = lines.pop()!
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1)
  }
  if (last !== '') lines.push(last)
  return lines
}
