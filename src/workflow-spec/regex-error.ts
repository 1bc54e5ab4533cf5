/** Regex errors worded and laid out as Rust's `regex` crate prints them (regex-syntax's formatter). */

/** A span in code points of the pattern, end exclusive. */
export type Span = readonly [start: number, end: number]

/** A regex Torc would refuse; `message` is the text torc prints after the pattern. */
export class RegexSyntaxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'RegexSyntaxError'
  }
}

interface Pos {
  line: number
  column: number
}

function position(chars: readonly string[], at: number): Pos {
  let line = 1
  let column = 1
  for (let i = 0; i < at && i < chars.length; i++) {
    if (chars[i] === '\n') {
      line++
      column = 1
    } else column++
  }
  return { line, column }
}

/** `regex parse error:` with the pattern, carets under the span(s), and `error: <what>`. */
export function syntaxError(chars: readonly string[], what: string, span: Span, aux?: Span): RegexSyntaxError {
  const pattern = chars.join('')
  const lines = pattern.split('\n')
  if (pattern.endsWith('\n')) lines.pop()
  const count = lines.length + (pattern.endsWith('\n') ? 1 : 0)
  const width = count <= 1 ? 0 : String(count).length
  const byLine = new Map<number, [Pos, Pos][]>()
  const multi: [Pos, Pos][] = []
  for (const s of aux === undefined ? [span] : [span, aux]) {
    const start = position(chars, s[0])
    const end = position(chars, s[1])
    if (start.line === end.line) {
      const list = byLine.get(start.line) ?? []
      list.push([start, end])
      list.sort((a, b) => a[0].column - b[0].column)
      byLine.set(start.line, list)
    } else multi.push([start, end])
  }
  let notated = ''
  lines.forEach((text, i) => {
    notated += width > 0 ? `${String(i + 1).padStart(width)}: ` : '    '
    notated += `${text}\n`
    const spans = byLine.get(i + 1)
    if (spans === undefined) return
    let notes = ' '.repeat(width === 0 ? 4 : 2 + width)
    let pos = 0
    for (const [start, end] of spans) {
      for (; pos < start.column - 1; pos++) notes += ' '
      const n = Math.max(1, end.column - start.column)
      notes += '^'.repeat(n)
      pos += n
    }
    notated += `${notes}\n`
  })
  if (!pattern.includes('\n')) return new RegexSyntaxError(`regex parse error:\n${notated}error: ${what}`)
  const divider = '~'.repeat(79)
  let text = `regex parse error:\n${divider}\n${notated}${divider}\n`
  if (multi.length > 0) {
    const notes = multi.map(
      ([s, e]) => `on line ${s.line} (column ${s.column}) through line ${e.line} (column ${e.column - 1})`
    )
    text += `${notes.join('\n')}\n`
  }
  return new RegexSyntaxError(`${text}error: ${what}`)
}

/** Rust's refusal of a program over its size limit (regex::Error::CompiledTooBig). */
export const SIZE_LIMIT = 10 * (1 << 20)
export const tooBig = (): RegexSyntaxError =>
  new RegexSyntaxError(`Compiled regex exceeds size limit of ${SIZE_LIMIT} bytes.`)
