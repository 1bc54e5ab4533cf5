/**
 * Torc compiles every user regex with Rust's `regex` crate: unanchored search, no look-around and no
 * back-references, `(?P<name>…)` groups, leading inline flags such as `(?i)`, and Unicode `\d`.
 * This module translates that dialect to a JavaScript RegExp (Unicode mode) and rejects what Rust
 * rejects, so "invalid regex" errors match. Known gaps (documented deviations): `\w`, `\s` and
 * `\b` keep JavaScript's meaning (ASCII word characters), and nested classes or class set
 * operations (`[a[b]]`, `&&`, `--`) are not translated.
 */

const JS_ESCAPABLE = new Set('^$\\.*+?()[]{}|/'.split(''))
const POSIX_CLASSES: Record<string, string> = {
  alnum: 'a-zA-Z0-9',
  alpha: 'a-zA-Z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: 'A-Za-z0-9_',
  xdigit: '0-9A-Fa-f',
}
const FLAG_LETTERS = new Set(['i', 'm', 's', 'x', 'U', 'u', 'R'])

/** A regex error worded like Rust's `regex` crate (first line only). */
export class RegexSyntaxError extends Error {
  constructor(message: string) {
    super(`regex parse error: ${message}`)
    this.name = 'RegexSyntaxError'
  }
}

const cache = new Map<string, RegExp | RegexSyntaxError>()
const CACHE_LIMIT = 2048

/** Compiles a Rust-dialect regex, memoised; throws RegexSyntaxError for patterns Rust rejects. */
export function compileRegex(pattern: string): RegExp {
  let hit = cache.get(pattern)
  if (hit === undefined) {
    try {
      hit = translate(pattern)
    } catch (error) {
      hit = error instanceof RegexSyntaxError ? error : new RegexSyntaxError(String(error))
    }
    if (cache.size >= CACHE_LIMIT) cache.clear()
    cache.set(pattern, hit)
  }
  if (hit instanceof RegexSyntaxError) throw hit
  return hit
}

/** Returns the error text for an invalid pattern, or undefined when it compiles. */
export function regexError(pattern: string): string | undefined {
  try {
    compileRegex(pattern)
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  }
}

function translate(pattern: string): RegExp {
  let flags = 'u'
  let i = 0
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(pattern)
  if (leading?.[1] !== undefined) {
    for (const f of leading[1]) {
      if (!FLAG_LETTERS.has(f)) throw new RegexSyntaxError(`unrecognized flag '${f}'`)
      if ((f === 'i' || f === 'm' || f === 's') && !flags.includes(f)) flags += f
      if (f === 'x' || f === 'U') throw new RegexSyntaxError(`flag '${f}' is not supported at the edge`)
    }
    i = leading[0].length
  }
  let out = ''
  let inClass = false
  while (i < pattern.length) {
    const c = pattern[i] as string
    if (c === '\\') {
      const [text, used] = translateEscape(pattern, i, inClass)
      out += text
      i += used
      continue
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2)
        const name = end < 0 ? '' : pattern.slice(i + 2, end)
        const body = POSIX_CLASSES[name.replace(/^\^/, '')]
        if (body === undefined || name.startsWith('^')) throw new RegexSyntaxError(`invalid character class '${name}'`)
        out += body
        i = end + 2
        continue
      }
      if (c === ']') inClass = false
      out += c
      i++
      continue
    }
    if (c === '[') {
      inClass = true
      out += c
      i++
      if (pattern[i] === '^') {
        out += '^'
        i++
      }
      if (pattern[i] === ']') {
        out += '\\]'
        i++
      }
      continue
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2)
      if (/^(=|!|<=|<!)/.test(rest)) {
        throw new RegexSyntaxError('look-around, including look-ahead and look-behind, is not supported')
      }
      if (rest.startsWith('P<')) {
        out += '(?<'
        i += 4
        continue
      }
      if (/^[a-zA-Z-]+\)/.test(rest)) throw new RegexSyntaxError('inline flags are only supported at the start')
    }
    out += c
    i++
  }
  return new RegExp(out, flags)
}

function translateEscape(pattern: string, at: number, inClass: boolean): [string, number] {
  const next = pattern[at + 1]
  if (next === undefined) throw new RegexSyntaxError('incomplete escape sequence, reached end of pattern')
  if (/[1-9]/.test(next) || (next === 'k' && pattern[at + 2] === '<')) {
    throw new RegexSyntaxError('backreferences are not supported')
  }
  if (next === 'd') return ['\\p{Nd}', 2]
  if (next === 'D') return ['\\P{Nd}', 2]
  if (next === 'A') return ['^', 2]
  if (next === 'z') return ['$', 2]
  if ((next === 'p' || next === 'P') && pattern[at + 2] !== '{') {
    const name = pattern[at + 2]
    if (name === undefined) throw new RegexSyntaxError('incomplete escape sequence, reached end of pattern')
    return [`\\${next}{${name}}`, 3]
  }
  if (next === 'x' && pattern[at + 2] === '{') {
    const end = pattern.indexOf('}', at + 3)
    if (end < 0) throw new RegexSyntaxError('unclosed hexadecimal literal')
    return [`\\u{${pattern.slice(at + 3, end)}}`, end - at + 1]
  }
  if (/[a-zA-Z0-9]/.test(next)) return [`\\${next}`, 2]
  if (JS_ESCAPABLE.has(next) || (inClass && next === '-')) return [`\\${next}`, 2]
  const code = next.codePointAt(0) ?? 0
  return [`\\u{${code.toString(16)}}`, next.length + 1]
}
