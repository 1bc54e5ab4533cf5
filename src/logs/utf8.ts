/**
 * Incremental UTF-8 decoding that never throws: invalid bytes become U+FFFD (Rust's read_to_string
 * would refuse the whole file, and torc 1.0.0 then skips it silently; here the file is scanned and
 * counted as having invalid UTF-8). A U+FFFD that was really in the file (EF BF BD) is not
 * mistaken for invalid input, and a byte order mark is kept, as Rust keeps it.
 */
export class Utf8Stream {
  private decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })
  /** The last two bytes seen, so an EF BF BD split across chunks is still recognised. */
  private tail = new Uint8Array(0)
  private bad = false

  /** True once any invalid byte sequence has been seen since the last reset. */
  get invalid(): boolean {
    return this.bad
  }

  reset(): void {
    this.decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })
    this.tail = new Uint8Array(0)
    this.bad = false
  }

  /** Decodes the next chunk; an incomplete character at its end waits for the next one. */
  decode(chunk: Uint8Array): string {
    const text = this.decoder.decode(chunk, { stream: true })
    if (!this.bad && text.includes('\uFFFD') && countChar(text, '\uFFFD') > genuineReplacements(this.tail, chunk)) {
      this.bad = true
    }
    this.keepTail(chunk)
    return text
  }

  /** Ends the input: an incomplete character left over is invalid. */
  flush(): string {
    const text = this.decoder.decode()
    if (text) this.bad = true
    return text
  }

  private keepTail(chunk: Uint8Array): void {
    if (chunk.length >= 2) this.tail = chunk.slice(-2)
    else if (chunk.length === 1) this.tail = Uint8Array.of(this.tail.at(-1) ?? 0, chunk[0]!)
  }
}

function countChar(text: string, char: string): number {
  let n = 0
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) n++
  return n
}

/**
 * Encoded U+FFFD (EF BF BD) sequences whose last byte is in `chunk`: a streaming decoder emits a
 * character with the chunk holding its last byte, so decoded U+FFFD beyond this count are invalid
 * input. EF is never a continuation byte, so each occurrence is a real character.
 */
function genuineReplacements(before: Uint8Array, chunk: Uint8Array): number {
  const bytes = new Uint8Array(before.length + chunk.length)
  bytes.set(before)
  bytes.set(chunk, before.length)
  let n = 0
  for (let i = bytes.indexOf(0xef); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1)) {
    if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd && i + 2 >= before.length) n++
  }
  return n
}
