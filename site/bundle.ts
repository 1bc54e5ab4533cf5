/**
 * Streams a workflow's logs as one framed bundle (src/site-protocol/framing.ts documents the format). Pulled
 * by the HTTP response, so a slow reader holds the site to a few MiB; small files are read a few
 * ahead in parallel, large ones in 1 MiB reads, and small pieces are batched into larger writes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { type FileHandle, open } from 'node:fs/promises'
import { join } from 'node:path'
import { BUNDLE_VERSION, controlLine } from '../src/site-protocol/framing.ts'
import type { ListedFile } from './listing.ts'
import type { SiteLog } from './log.ts'
import { OPEN_FLAGS } from './paths.ts'

/** Files up to this size are read whole, several ahead. */
const SMALL = 256 * 1024
const READ_AHEAD = 16
const LARGE_READ = 1024 * 1024
const BATCH = 256 * 1024

export interface BundlePlan {
  workflowId: number
  files: ListedFile[]
  /** Why files were left out (a cap), when they were. */
  reason: string | undefined
}

/** Picks the files that fit the caps: a prefix of the listing, so what is left out is plain. */
export function planBundle(
  workflowId: number,
  listed: ListedFile[],
  listingTruncated: boolean,
  maxFiles: number,
  maxBytes: number
): BundlePlan {
  let bytes = 0
  let count = 0
  for (const file of listed) {
    if (bytes + file.size > maxBytes) break
    bytes += file.size
    count++
  }
  const reason =
    count < listed.length
      ? `bundle byte cap of ${maxBytes} reached: ${listed.length - count} of ${listed.length} files left out`
      : listingTruncated
        ? `file cap of ${maxFiles} reached: later files left out`
        : undefined
  return { workflowId, files: listed.slice(0, count), reason }
}

type Loaded =
  | { file: ListedFile; kind: 'small'; data: Uint8Array; grown: boolean }
  | { file: ListedFile; kind: 'large'; handle: FileHandle; grown: boolean }
  | { file: ListedFile; kind: 'error'; error: string }

/**
 * Opens a listed file (never following a symlink) and reads it whole when it is small. Small files
 * are read with blocking calls: a few microseconds each, where four thread-pool round trips per
 * file (open, stat, read, close) made 20,000 small logs cost seconds. The event loop is held for
 * one file at a time, at most SMALL bytes.
 */
async function load(realRoot: string, file: ListedFile): Promise<Loaded> {
  const path = join(realRoot, file.path)
  if (file.size <= SMALL) return loadSmall(path, file)
  let handle: FileHandle | undefined
  try {
    handle = await open(path, OPEN_FLAGS)
    const info = await handle.stat()
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' })
    return { file, kind: 'large', handle, grown: info.size > file.size }
  } catch (err) {
    await handle?.close().catch(() => undefined)
    return unreadable(file, err)
  }
}

function loadSmall(path: string, file: ListedFile): Loaded {
  let fd: number | undefined
  try {
    fd = openSync(path, OPEN_FLAGS)
    const info = fstatSync(fd)
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' })
    const data = new Uint8Array(file.size)
    let got = 0
    while (got < file.size) {
      const n = readSync(fd, data, got, file.size - got, got)
      if (n === 0) break
      got += n
    }
    return { file, kind: 'small', data: data.subarray(0, got), grown: info.size > file.size }
  } catch (err) {
    return unreadable(file, err)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

function unreadable(file: ListedFile, err: unknown): Loaded {
  const code = (err as { code?: unknown }).code
  return { file, kind: 'error', error: `not readable (${typeof code === 'string' ? code : 'error'})` }
}

/** The bundle's bytes, unbatched: preamble, then header + content per file, then the trailer. */
async function* frames(realRoot: string, plan: BundlePlan, log: SiteLog): AsyncGenerator<Uint8Array> {
  const { files } = plan
  const totalBytes = files.reduce((n, f) => n + f.size, 0)
  const truncated = plan.reason !== undefined
  yield controlLine({
    torc_edge_bundle: BUNDLE_VERSION,
    workflow_id: plan.workflowId,
    files: files.length,
    bytes: totalBytes,
    truncated,
    ...(plan.reason ? { reason: plan.reason } : {}),
  })
  let bytes = 0
  let shrunk = 0
  let grown = 0
  let unreadable = 0
  const queue: Promise<Loaded>[] = []
  let next = 0
  const refill = () => {
    while (queue.length < READ_AHEAD && next < files.length) queue.push(load(realRoot, files[next++]!))
  }
  try {
    refill()
    while (queue.length > 0) {
      const loaded = await queue.shift()!
      refill()
      const { file } = loaded
      if (loaded.kind === 'error') {
        unreadable++
        log('site_bundle_unreadable', { path: file.path, error: loaded.error })
        yield controlLine({ path: file.path, size: 0, error: loaded.error })
        continue
      }
      if (loaded.grown) grown++
      if (loaded.kind === 'small') {
        if (loaded.data.length < file.size) shrunk++
        bytes += loaded.data.length
        yield controlLine({ path: file.path, size: loaded.data.length })
        if (loaded.data.length > 0) yield loaded.data
        continue
      }
      yield controlLine({ path: file.path, size: file.size })
      const padded = yield* readLarge(loaded.handle, file.size)
      bytes += file.size
      if (padded > 0) {
        shrunk++
        log('site_bundle_shrunk', { path: file.path, padded })
        yield controlLine({ note: 'shrunk', path: file.path, padded })
      }
    }
  } finally {
    for (const pending of queue)
      void pending.then((l) => (l.kind === 'large' ? l.handle.close() : undefined)).catch(() => undefined)
  }
  yield controlLine({
    end: true,
    files: files.length,
    bytes,
    truncated,
    ...(plan.reason ? { reason: plan.reason } : {}),
    shrunk,
    grown,
    unreadable,
  })
}

/** Exactly `size` bytes of a large file; NUL padding if it shrank meanwhile (returns how much). */
async function* readLarge(handle: FileHandle, size: number): AsyncGenerator<Uint8Array, number> {
  let sent = 0
  try {
    while (sent < size) {
      const buffer = new Uint8Array(Math.min(LARGE_READ, size - sent))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, sent)
      if (bytesRead === 0) break
      sent += bytesRead
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead)
    }
  } finally {
    await handle.close().catch(() => undefined)
  }
  const padded = size - sent
  for (let left = padded; left > 0; left -= LARGE_READ) yield new Uint8Array(Math.min(left, LARGE_READ))
  return padded
}

/** Copies small pieces into BATCH-sized buffers so the socket sees few, large writes. */
async function* batched(source: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  let buffer = new Uint8Array(BATCH)
  let used = 0
  for await (const piece of source) {
    if (piece.length >= BATCH / 4) {
      if (used > 0) {
        yield buffer.subarray(0, used)
        buffer = new Uint8Array(BATCH)
        used = 0
      }
      yield piece
      continue
    }
    if (used + piece.length > BATCH) {
      yield buffer.subarray(0, used)
      buffer = new Uint8Array(BATCH)
      used = 0
    }
    buffer.set(piece, used)
    used += piece.length
  }
  if (used > 0) yield buffer.subarray(0, used)
}

/** The bundle as a pull-driven web stream; cancelling it (client gone) closes every open file. */
export function bundleStream(realRoot: string, plan: BundlePlan, log: SiteLog): ReadableStream<Uint8Array> {
  const source = batched(frames(realRoot, plan, log))
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await source.next()
          if (done) controller.close()
          else controller.enqueue(value)
        } catch (err) {
          log('site_bundle_failed', {
            workflow_id: plan.workflowId,
            error: err instanceof Error ? err.message : String(err),
          })
          controller.error(err)
        }
      },
      async cancel() {
        await source.return(undefined)
      },
    },
    { highWaterMark: 4 }
  )
}
