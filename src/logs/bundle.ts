/**
 * Incremental reader of the bundle framing (framing.ts). Chunk boundaries may fall anywhere, even
 * inside a control line; file contents are handed on as slices of the chunks received, never
 * buffered whole, so memory stays flat whatever the bundle's size.
 */
import type { z } from 'zod'
import { concatBytes } from '../bytes.ts'
import { ToolError } from '../errors.ts'
import {
  type BundleNote,
  BundleNoteSchema,
  type BundlePreamble,
  BundlePreambleSchema,
  type BundleTrailer,
  BundleTrailerSchema,
  FileHeaderSchema,
  MAX_CONTROL_LINE,
} from '../site-protocol/framing.ts'

export type { BundleNote, BundlePreamble, BundleTrailer } from '../site-protocol/framing.ts'

export interface BundleSink {
  /** The preamble: how many files and bytes are coming, and whether a cap left some out. */
  begin?(preamble: BundlePreamble): void
  /** A file starts; `error` says why an unreadable file has no content. */
  beginFile(path: string, size: number, error?: string): void
  write(bytes: Uint8Array): void
  endFile(): void
  /** A file shrank while the site read it; its last `padded` bytes were NUL padding. */
  note?(note: BundleNote): void
}

const NEWLINE = 10
const malformed = (why: string) =>
  new ToolError('upstream_error', `the output site sent a malformed log bundle: ${why}`)

function parseLine<S extends z.ZodType>(schema: S, json: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw malformed(`bad ${what} line`)
  return parsed.data
}

/** Reads a whole bundle into `sink`; resolves with the trailer, or rejects if the stream stops early. */
export async function readBundle(stream: ReadableStream<Uint8Array>, sink: BundleSink): Promise<BundleTrailer> {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let control: Uint8Array[] = []
  let controlLength = 0
  let remaining = -1 // content bytes left in the current file; -1 while a control line is expected
  let current = ''
  let started = false
  let trailer: BundleTrailer | undefined

  const onControl = (text: string) => {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      throw malformed('a control line is not JSON')
    }
    if (!started) {
      sink.begin?.(parseLine(BundlePreambleSchema, json, 'preamble'))
      started = true
      return
    }
    if (typeof json !== 'object' || json === null) throw malformed('a control line is not an object')
    if ('end' in json) {
      trailer = parseLine(BundleTrailerSchema, json, 'trailer')
      return
    }
    if ('note' in json) {
      const note = parseLine(BundleNoteSchema, json, 'note')
      if (note.path !== current) throw malformed('a note about another file than the last one')
      sink.note?.(note)
      return
    }
    const header = parseLine(FileHeaderSchema, json, 'file header')
    current = header.path
    sink.beginFile(header.path, header.size, header.error)
    if (header.size === 0) sink.endFile()
    else remaining = header.size
  }

  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      let chunk = value
      while (chunk.length > 0) {
        if (trailer) throw malformed('data after the trailer')
        if (remaining > 0) {
          const take = Math.min(remaining, chunk.length)
          sink.write(take === chunk.length ? chunk : chunk.subarray(0, take))
          remaining -= take
          chunk = chunk.subarray(take)
          if (remaining === 0) {
            remaining = -1
            sink.endFile()
          }
          continue
        }
        const nl = chunk.indexOf(NEWLINE)
        const part = nl < 0 ? chunk : chunk.subarray(0, nl)
        controlLength += part.length
        if (controlLength > MAX_CONTROL_LINE) throw malformed('a control line is too long')
        if (part.length > 0) control.push(part.slice())
        if (nl < 0) break
        chunk = chunk.subarray(nl + 1)
        const line = concatBytes(control, controlLength)
        control = []
        controlLength = 0
        onControl(decoder.decode(line))
      }
    }
  } catch (err) {
    await reader.cancel(err).catch(() => undefined)
    throw err
  } finally {
    reader.releaseLock()
  }
  if (!trailer) {
    throw new ToolError(
      'upstream_error',
      'the log bundle stopped before its end (the output site or the connection failed mid-stream)'
    )
  }
  return trailer
}
