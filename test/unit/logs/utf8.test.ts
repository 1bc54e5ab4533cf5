import { describe, expect, it } from 'vitest'
import { Utf8Stream } from '../../../src/logs/utf8.ts'

function decodeIn(bytes: Uint8Array, chunk: number) {
  const u = new Utf8Stream()
  let text = ''
  for (let i = 0; i < bytes.length; i += chunk) text += u.decode(bytes.subarray(i, i + chunk))
  text += u.flush()
  return { text, invalid: u.invalid }
}

const enc = (s: string) => new TextEncoder().encode(s)
const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]))

describe('Utf8Stream', () => {
  it('decodes multi-byte characters split at every boundary', () => {
    const bytes = enc('héllo wörld € 𝄞 done\n')
    for (let chunk = 1; chunk <= bytes.length; chunk++)
      expect(decodeIn(bytes, chunk)).toEqual({ text: 'héllo wörld € 𝄞 done\n', invalid: false })
  })

  it('turns invalid bytes into U+FFFD without throwing, and says so', () => {
    const bytes = cat(enc('bad: '), [0xff, 0xfe, 0xc3], enc('\nok\n'))
    for (let chunk = 1; chunk <= bytes.length; chunk++) {
      const r = decodeIn(bytes, chunk)
      expect(r.invalid, `chunk ${chunk}`).toBe(true)
      expect(r.text).toContain('\nok\n')
      expect(r.text).toContain('\uFFFD')
    }
  })

  it('does not mistake a real U+FFFD in the file for invalid input, wherever the chunks split', () => {
    const bytes = enc('a\uFFFDb\uFFFD\uFFFDc')
    for (let chunk = 1; chunk <= bytes.length; chunk++)
      expect(decodeIn(bytes, chunk), `chunk ${chunk}`).toEqual({ text: 'a\uFFFDb\uFFFD\uFFFDc', invalid: false })
  })

  it('spots invalid input next to a real U+FFFD', () => {
    for (const bytes of [cat([0xe2], enc('\uFFFD')), cat(enc('\uFFFD'), [0x80]), cat([0xef], enc('\uFFFD'))]) {
      for (let chunk = 1; chunk <= bytes.length; chunk++)
        expect(decodeIn(bytes, chunk).invalid, `${[...bytes]} / ${chunk}`).toBe(true)
    }
  })

  it('counts a character cut off at the end of the input as invalid', () => {
    expect(decodeIn(cat(enc('abc'), [0xe2, 0x82]), 2)).toEqual({ text: 'abc\uFFFD', invalid: true })
  })

  it('keeps a byte order mark, as Rust does', () => {
    expect(decodeIn(cat([0xef, 0xbb, 0xbf], enc('x')), 1).text).toBe('\uFEFFx')
  })

  it('starts clean after reset', () => {
    const u = new Utf8Stream()
    u.decode(Uint8Array.of(0xff))
    expect(u.invalid).toBe(true)
    u.reset()
    u.decode(enc('fine'))
    expect(u.invalid).toBe(false)
  })
})
