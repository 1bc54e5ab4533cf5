/**
 * The end of a log from one byte-range read (the site's `Range: bytes=-N`): Rust `str::lines()`
 * lines, the partial first line of a mid-file read dropped, optional case-insensitive grep and
 * last-N-lines, and a byte cap on what is returned. Whatever is left out is said in one marker line.
 */
import { splitLines } from './lines.ts'

export interface TailOptions {
  /** The text starts after the file's first byte, so its first line may be partial. */
  startsMidFile: boolean
  /** Bytes of the file before the text (for the marker). */
  skippedBytes?: number | undefined
  /** Keep only the last N lines. */
  tailLines?: number | undefined
  /** Keep only lines containing this (case-insensitive). */
  grep?: string | undefined
  /** Cap on the returned lines' UTF-8 bytes (newlines included); the end is kept. */
  maxBytes?: number | undefined
}

export interface TailResult {
  lines: string[]
  /** `marker` (when any) and the lines, joined with \n. */
  text: string
  droppedPartial: boolean
  /** Something before the returned lines was not read or not returned. */
  truncated: boolean
  /** e.g. "[truncated: 1048576 earlier bytes not read; 12 earlier line(s) left out to keep …]", or null. */
  marker: string | null
}

/** Tails text read from the end of a log, saying plainly what was cut. */
export function tailText(text: string, options: TailOptions): TailResult {
  let lines = splitLines(text)
  const droppedPartial = options.startsMidFile && lines.length > 0
  if (droppedPartial) lines.shift()
  if (options.grep) {
    const needle = options.grep.toLowerCase()
    lines = lines.filter((l) => l.toLowerCase().includes(needle))
  }
  if (options.tailLines !== undefined) lines = options.tailLines <= 0 ? [] : lines.slice(-options.tailLines)
  let cutLines = 0
  let cutLine = false
  if (options.maxBytes !== undefined) {
    let budget = options.maxBytes
    let keep = lines.length
    while (keep > 0) {
      const cost = utf8Length(lines[keep - 1]!) + (keep < lines.length ? 1 : 0)
      if (cost > budget) break
      budget -= cost
      keep--
    }
    cutLines = keep
    if (keep > 0 && keep === lines.length) {
      lines = [keepEnd(lines.at(-1)!, options.maxBytes)]
      cutLines = keep - 1
      cutLine = true
    } else {
      lines = lines.slice(keep)
    }
  }
  const notes: string[] = []
  if (options.startsMidFile) notes.push(`${options.skippedBytes ?? 'some'} earlier bytes not read`)
  if (cutLines > 0)
    notes.push(`${cutLines} earlier line(s) left out to keep the answer within ${options.maxBytes} bytes`)
  if (cutLine) notes.push(`the last line's start cut to keep the answer within ${options.maxBytes} bytes`)
  const marker = notes.length ? `[truncated: ${notes.join('; ')}]` : null
  return {
    lines,
    text: [...(marker ? [marker] : []), ...lines].join('\n'),
    droppedPartial,
    truncated: marker !== null,
    marker,
  }
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(s: string): number {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) n += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2
        i++
        continue
      }
      n += 2
    } else n += 2
  }
  return n
}

/** The end of `line` within `maxBytes` UTF-8 bytes, starting on a character boundary. */
function keepEnd(line: string, maxBytes: number): string {
  let start = line.length
  let bytes = 0
  while (start > 0) {
    let step = 1
    const c = line.charCodeAt(start - 1)
    if (c >= 0xdc00 && c <= 0xdfff && start > 1) {
      const h = line.charCodeAt(start - 2)
      if (h >= 0xd800 && h <= 0xdbff) step = 2
    }
    const cost = utf8Length(line.slice(start - step, start))
    if (bytes + cost > maxBytes) break
    bytes += cost
    start -= step
  }
  return line.slice(start)
}
