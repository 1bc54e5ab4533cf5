/**
 * Incremental reader of the site server's bundle framing (see site/app.ts): a JSON header line per
 * file, exactly `size` bytes of content, and a final trailer line. Chunk boundaries may fall anywhere;
 * file content is handed on in slices, never buffered whole.
 */
import { z } from 'zod'

const Header = z.object({ path: z.string().min(1), size: z.number().int().min(0) })
const Trailer = z.object({ end: z.literal(true), files: z.number().int(), bytes: z.number().int(), truncated: z.boolean(), reason: z.string().optional() })
export type BundleTrailer = z.output<typeof Trailer>

export interface BundleSink {
  beginFile(path: string, size: number): void
  write(bytes: Uint8Array): void
  endFile(): void
}

const MAX_HEADER = 8192
const NEWLINE = 10

export async function readBundle(stream: ReadableStream<Uint8Array>, sink: BundleSink): Promise<BundleTrailer> {
  const reader = stream.getReader()
  let header = new Uint8Array(0)
  let remaining = -1 // bytes left in the current file; -1 while reading a header line
  let trailer: BundleTrailer | undefined
  const decoder = new TextDecoder()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    let chunk = value
    while (chunk.length) {
      if (trailer) throw new Error('bundle has data after its trailer')
      if (remaining >= 0) {
        const take = Math.min(remaining, chunk.length)
        if (take) sink.write(chunk.subarray(0, take))
        remaining -= take
        chunk = chunk.subarray(take)
        if (remaining === 0) {
          sink.endFile()
          remaining = -1
        }
        continue
      }
      const nl = chunk.indexOf(NEWLINE)
      const part = nl < 0 ? chunk : chunk.subarray(0, nl)
      if (header.length + part.length > MAX_HEADER) throw new Error('bundle header line too long')
      const joined = new Uint8Array(header.length + part.length)
      joined.set(header)
      joined.set(part, header.length)
      header = joined
      if (nl < 0) break
      chunk = chunk.subarray(nl + 1)
      const json: unknown = JSON.parse(decoder.decode(header))
      header = new Uint8Array(0)
      const end = Trailer.safeParse(json)
      if (end.success) {
        trailer = end.data
        continue
      }
      const file = Header.parse(json)
      sink.beginFile(file.path, file.size)
      remaining = file.size
      if (remaining === 0) {
        sink.endFile()
        remaining = -1
      }
    }
  }
  if (!trailer) throw new Error('bundle ended early (no trailer): the site server stopped mid-stream')
  return trailer
}
