/** What may follow `(?` in the Rust dialect: a set of flags, or a capture group's name. */
import type { Flags, Cursor as Parser } from './regex-ast.ts'
import type { Span } from './regex-error.ts'

const ALPHA = /^\p{Alphabetic}$/u
const ALNUM = /^[\p{Alphabetic}\p{N}]$/u

/** A capture name after `(?P<` or `(?<`, up to and past its `>`; duplicates are refused. */
export function captureName(p: Parser, names: Map<string, Span>): void {
  if (p.eof) throw p.error('unclosed capture group name', [p.i, p.i])
  const start = p.i
  for (;;) {
    if (p.cur() === '>') break
    const ok = p.cur() === '_' || (p.i === start ? ALPHA.test(p.cur()) : /[.[\]]/.test(p.cur()) || ALNUM.test(p.cur()))
    if (!ok) throw p.error('invalid capture group character', [p.i, p.i + 1])
    if (!p.bump()) break
  }
  const end = p.i
  if (p.eof) throw p.error('unclosed capture group name', [p.i, p.i])
  p.i++
  const name = p.cs.slice(start, end).join('')
  if (name === '') throw p.error('empty capture group name', [start, start])
  const original = names.get(name)
  if (original) throw p.error('duplicate capture group name', [start, end], original)
  names.set(name, [start, end])
}

/** The flags of `(?flags)` or `(?flags:`, up to (not past) the `:` or `)`. */
export function parseFlags(p: Parser): [keyof Flags, boolean][] {
  const out: [keyof Flags, boolean][] = []
  const seen = new Map<string, Span>()
  let negated = false
  let dangling: Span | undefined
  while (p.cur() !== ':' && p.cur() !== ')') {
    const here: Span = [p.i, p.i + 1]
    if (p.cur() === '-') {
      const before = seen.get('-')
      if (before) throw p.error('flag negation operator repeated', here, before)
      seen.set('-', here)
      negated = true
      dangling = here
    } else {
      dangling = undefined
      if (!'imsUuRx'.includes(p.cur())) throw p.error('unrecognized flag', here)
      const before = seen.get(p.cur())
      if (before) throw p.error('duplicate flag', here, before)
      seen.set(p.cur(), here)
      out.push([p.cur() as keyof Flags, !negated])
    }
    if (!p.bump()) throw p.error('expected flag but got end of regex', [p.i, p.i])
  }
  if (dangling) throw p.error('dangling flag negation operator', dangling)
  return out
}
