/** The end of a log: last lines of a byte range read, optionally filtered, capped with an explicit marker. */

export interface TailOptions {
  /** The bytes read started after the file's beginning (so the first line may be partial). */
  startsMidFile: boolean
  tailLines?: number | undefined
  grep?: string | undefined
}

/** Lines as Rust's str::lines sees them; the partial first line of a mid-file read is dropped. */
export function tailText(text: string, options: TailOptions): { lines: string[]; droppedPartial: boolean } {
  let lines = text.split('\n')
  if (lines.at(-1) === '') lines.pop()
  lines = lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
  const droppedPartial = options.startsMidFile && lines.length > 0
  if (droppedPartial) lines.shift()
  if (options.grep) {
    const needle = options.grep.toLowerCase()
    lines = lines.filter((l) => l.toLowerCase().includes(needle))
  }
  if (options.tailLines !== undefined) lines = options.tailLines === 0 ? [] : lines.slice(-options.tailLines)
  return { lines, droppedPartial }
}
