import { describe, expect, it } from 'vitest'
import { tailText, utf8Length } from '../../../src/logs/tail.ts'

describe('tailText', () => {
  it('returns Rust lines() from a whole file, CRLF normalised', () => {
    expect(tailText('a\r\nb\r\nc\r\n', { startsMidFile: false })).toMatchObject({
      lines: ['a', 'b', 'c'],
      text: 'a\nb\nc',
      truncated: false,
      marker: null,
    })
  })

  it('drops the partial first line of a mid-file read and says what was not read', () => {
    const r = tailText('tial line\nfull 1\nfull 2\n', { startsMidFile: true, skippedBytes: 4096 })
    expect(r).toMatchObject({ lines: ['full 1', 'full 2'], droppedPartial: true, truncated: true })
    expect(r.text).toBe('[truncated: 4096 earlier bytes not read]\nfull 1\nfull 2')
  })

  it('greps case-insensitively, then keeps the last N lines', () => {
    const text = 'INFO a\nerror one\nok\nERROR two\nError three\n'
    expect(tailText(text, { startsMidFile: false, grep: 'error', tailLines: 2 }).lines).toEqual([
      'ERROR two',
      'Error three',
    ])
    expect(tailText(text, { startsMidFile: false, tailLines: 0 }).lines).toEqual([])
  })

  it('caps the bytes returned, keeping the end, with an explicit marker', () => {
    const r = tailText('1111\n2222\n3333\n', { startsMidFile: false, maxBytes: 9 })
    expect(r.lines).toEqual(['2222', '3333'])
    expect(r.text).toBe('[truncated: 1 earlier line(s) left out to keep the answer within 9 bytes]\n2222\n3333')
  })

  it('cuts a single line longer than max_bytes from its start, on a character boundary', () => {
    const r = tailText('xx€€€\n', { startsMidFile: false, maxBytes: 7 })
    expect(r.lines).toEqual(['€€'])
    expect(r.marker).toBe("[truncated: the last line's start cut to keep the answer within 7 bytes]")
    expect(tailText('a𝄞b\n', { startsMidFile: false, maxBytes: 3 }).lines).toEqual(['b'])
  })

  it('measures UTF-8 like TextEncoder', () => {
    for (const s of ['', 'abc', 'é', '€', '𝄞', '\uD800', '\uDC00x', 'a\uD834\uDD1Eb€'])
      expect(utf8Length(s), s).toBe(new TextEncoder().encode(s).length)
  })
})
