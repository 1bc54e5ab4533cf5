import { describe, expect, it } from 'vitest'
import { compileRegex, RegexSyntaxError, regexError } from '../../../src/workflow-spec/regex.ts'
import { ACCEPTED, CATASTROPHIC, MATCHES, REFUSED } from './regex-corpus.ts'

const lastLine = (text: string | undefined) => text?.split('\n').at(-1)

describe('compileRegex: linear time on patterns that are catastrophic for backtracking', () => {
  it.each(CATASTROPHIC)(
    '%s compiles and matches a 10,000-character adversarial text in < 50 ms',
    (pattern, text, want) => {
      expect(text.length).toBeGreaterThanOrEqual(10_000)
      const t0 = performance.now()
      const got = compileRegex(pattern).test(text)
      const ms = performance.now() - t0
      expect(got).toBe(want)
      expect(ms).toBeLessThan(50)
    }
  )

  it('stays linear when the DFA cache overflows and starts over (exponentially many DFA states)', () => {
    // (a|b)*a(a|b){14} needs 2^15 DFA states; the cache holds 512, so it is rebuilt many times.
    let seed = 7
    const text = Array.from({ length: 20_000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed & 1024 ? 'a' : 'b'
    }).join('')
    const t0 = performance.now()
    expect(compileRegex('(a|b)*a(a|b){14}c').test(text)).toBe(false)
    expect(compileRegex('(a|b)*a(a|b){14}$').test(text)).toBe(/a[ab]{14}$/.test(text))
    expect(performance.now() - t0).toBeLessThan(1_000)
  })
})

describe('compileRegex: Rust regex-crate semantics', () => {
  it.each(MATCHES)('%j on %j → %s', (pattern, text, want) => {
    expect(regexError(pattern)).toBeUndefined()
    expect(compileRegex(pattern).test(text)).toBe(want)
  })

  it.each(REFUSED)('refuses %j: %s', (pattern, error) => {
    expect(lastLine(regexError(pattern))).toBe(error)
    expect(() => compileRegex(pattern)).toThrow(RegexSyntaxError)
  })

  it.each(ACCEPTED)('accepts %j', (pattern) => {
    expect(regexError(pattern)).toBeUndefined()
  })

  it.each(['\\p{Age=6.0}', '\\p{Word_Break=ALetter}', '\\p{Other_Alphabetic}'])(
    'refuses %j, which torc accepts, as a documented deviation (README.md, "Regexes")',
    (pattern) => {
      expect(lastLine(regexError(pattern))).toBe(
        'error: Unicode property not supported at the edge (torc-edge deviation)'
      )
    }
  )

  it("words and lays out errors as Rust's formatter does (pattern, carets under the span, error line)", () => {
    expect(regexError('ab(?=c)')).toBe(
      'regex parse error:\n    ab(?=c)\n      ^^^\nerror: look-around, including look-ahead and look-behind, is not supported'
    )
    expect(regexError('(?i-i)')).toBe('regex parse error:\n    (?i-i)\n      ^ ^\nerror: duplicate flag')
    expect(regexError('a\n(b')).toBe(
      `regex parse error:\n${'~'.repeat(79)}\n1: a\n2: (b\n   ^\n${'~'.repeat(79)}\nerror: unclosed group`
    )
  })

  it('agrees with V8 on random ASCII texts where the two dialects mean the same', () => {
    const patterns = ['^(ab|a)*b?$', 'a[bc]{2,4}d', '(x|xy)z*$', '^[^ab]*a.b', 'b{3}|^a+c']
    let seed = 1
    for (let n = 0; n < 2_000; n++) {
      let text = ''
      for (let k = 0; k < n % 12; k++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31
        text += 'abcdxyz'[(seed >> 8) % 7]
      }
      for (const p of patterns) expect(compileRegex(p).test(text), `${p} on ${text}`).toBe(new RegExp(p).test(text))
    }
  })
})
