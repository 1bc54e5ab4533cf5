import { describe, expect, it } from 'vitest'
import { type LineSink, LineSplitter, splitLines } from '../../../src/logs/lines.ts'

/** Collects what a LineSplitter hands on as plain lines (long ones re-joined), with their numbers. */
function collect(maxLine: number) {
  const out: { line: number; text: string; long: boolean }[] = []
  let long = ''
  const sink: LineSink = {
    lines(block, firstLine, final) {
      const parts = final ? [block] : block.slice(0, -1).split('\n')
      for (const [i, p] of parts.entries())
        out.push({ line: firstLine + i, text: final ? p : p.replace(/\r$/, ''), long: false })
    },
    longLine(piece, line, first, last) {
      expect(piece.length).toBeLessThanOrEqual(maxLine)
      if (first) long = ''
      long += piece
      if (last) out.push({ line, text: long, long: true })
    },
  }
  return { splitter: new LineSplitter(sink, maxLine), out }
}

function split(text: string, chunk: number, maxLine = 1 << 20) {
  const { splitter, out } = collect(maxLine)
  for (let i = 0; i < text.length; i += chunk) splitter.push(text.slice(i, i + chunk))
  splitter.end()
  return out
}

describe('splitLines (Rust str::lines)', () => {
  it.each([
    ['', []],
    ['\n', ['']],
    ['a', ['a']],
    ['a\n', ['a']],
    ['a\n\n', ['a', '']],
    ['a\r\nb\r\n', ['a', 'b']],
    ['a\r\nb\r', ['a', 'b\r']],
    ['a\rb\n', ['a\rb']],
    ['\r\n', ['']],
    ['x\n\ny', ['x', '', 'y']],
  ])('%j', (text, lines) => {
    expect(splitLines(text)).toEqual(lines)
  })
})

describe('LineSplitter', () => {
  const samples = ['', 'a', 'a\n', 'one\r\ntwo\r\n\r\nthree', 'x\r', 'é\nü\r\n€\n', 'tab\there\n\n\nend\r\n', '\n\n\n']

  it('gives the same lines and numbers as splitLines for every chunk size', () => {
    for (const text of samples) {
      const expected = splitLines(text).map((t, i) => ({ line: i + 1, text: t, long: false }))
      for (let chunk = 1; chunk <= text.length + 1; chunk++)
        expect(split(text, chunk), `${JSON.stringify(text)} / ${chunk}`).toEqual(expected)
    }
  })

  it('keeps \\r\\n split across chunks as one line ending', () => {
    const { splitter, out } = collect(1 << 20)
    splitter.push('abc\r')
    splitter.push('\ndef')
    splitter.end()
    expect(out.map((o) => o.text)).toEqual(['abc', 'def'])
  })

  it('hands a line longer than maxLine on in bounded pieces, numbered, with later lines intact', () => {
    const long = 'y'.repeat(1000)
    const text = `first\n${long}\r\nafter\n${'z'.repeat(300)}`
    for (const chunk of [1, 7, 64, 100, 5000]) {
      const out = split(text, chunk, 64)
      expect(out, `chunk ${chunk}`).toEqual([
        { line: 1, text: 'first', long: false },
        { line: 2, text: long, long: true },
        { line: 3, text: 'after', long: false },
        { line: 4, text: 'z'.repeat(300), long: true },
      ])
    }
  })

  it('finds long lines inside a single large chunk', () => {
    const out = split(`a\n${'q'.repeat(200)}\nb\nc\n`, 10_000, 50)
    expect(out.map((o) => [o.line, o.long, o.text.length])).toEqual([
      [1, false, 1],
      [2, true, 200],
      [3, false, 1],
      [4, false, 1],
    ])
  })

  it('treats a line of exactly maxLine as ordinary', () => {
    expect(split(`${'k'.repeat(64)}\n`, 8, 64)).toEqual([{ line: 1, text: 'k'.repeat(64), long: false }])
  })

  it('resets between inputs', () => {
    const { splitter, out } = collect(1 << 20)
    splitter.push('partial')
    splitter.reset()
    splitter.push('fresh\n')
    splitter.end()
    expect(out).toEqual([{ line: 1, text: 'fresh', long: false }])
  })
})
