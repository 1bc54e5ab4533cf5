/** HTTP Range for the site's file reads: one range per request, capped, and the cap said out loud. */

export type RangeResult =
  | { kind: 'whole' }
  | { kind: 'range'; start: number; end: number }
  | { kind: 'unsatisfiable' }
  | { kind: 'invalid'; message: string }

/**
 * Parses `bytes=a-b`, `bytes=a-` and `bytes=-n` (the last n bytes, so a tail costs one request)
 * against a file of `size` bytes; `end` is inclusive and clamped to the file.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined || header.trim() === '') return { kind: 'whole' }
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!m) return { kind: 'invalid', message: 'Range must be one of bytes=a-b, bytes=a- or bytes=-n (one range only)' }
  const [, first = '', last = ''] = m
  if (first === '' && last === '') return { kind: 'invalid', message: 'Range bytes=- names no bytes' }
  if (first === '') {
    const n = Number(last)
    if (n === 0) return { kind: 'unsatisfiable' }
    return { kind: 'range', start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (last !== '' && Number(last) < start) return { kind: 'invalid', message: 'Range end is before its start' }
  if (start >= size) return { kind: 'unsatisfiable' }
  return { kind: 'range', start, end }
}

/**
 * Applies the per-read cap: a suffix (tail) read keeps the file's end, any other read keeps its start.
 * Returns the bytes to send and whether the cap cut them.
 */
export function capRange(
  start: number,
  end: number,
  cap: number,
  keepEnd: boolean
): { start: number; end: number; capped: boolean } {
  if (end - start + 1 <= cap) return { start, end, capped: false }
  return keepEnd ? { start: end - cap + 1, end, capped: true } : { start, end: start + cap - 1, capped: true }
}
