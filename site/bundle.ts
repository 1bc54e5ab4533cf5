/**
 * Streams a workflow's logs as one framed bundle (src/site-protocol/framing.ts documents the format). Pulled
 * by the HTTP response, so a slow reader holds the site to a few MiB; small files are read a few
 * ahead in parallel, large ones in 1 MiB reads, and small pieces are batched into larger writes.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { type FileHandle, open } from 'node:fs/promises'
import { BUNDLE_VERSION, controlLine } from '../src/site-protocol/framing.ts'
import { type ListedFile, type OpenDirectories, splitListed } from './listing.ts'
import type { SiteLog } from './log.ts'
import { checkOpened, OPEN_FLAGS, PathRefused, viaFd } from './paths.ts'

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

/** Where the bundle reads: the root, and the directories the listing opened and checked under it. */
interface Source {
  realRoot: string
  dirs: OpenDirectories
}

const notThere = () => Object.assign(new Error('directory not open'), { code: 'ENOENT' })

/**
 * Opens a listed file by name in the directory descriptor it was listed from (never following a
 * symlink), checks where the open file is, and reads it whole when it is small. Small files are
 * read with blocking calls: a few microseconds each, where five thread-pool round trips per file
 * (open, readlink, stat, read, close) made 20,000 small logs cost seconds. The event loop is held
 * for one file at a time, at most SMALL bytes.
 */
async function load(source: Source, file: ListedFile): Promise<Loaded> {
  const { dir, name } = splitListed(file.path)
  const fd = source.dirs.fd(dir)
  if (fd === undefined) return unreadable(file, notThere())
  const path = viaFd(fd, name)
  if (file.size <= SMALL) return loadSmall(source.realRoot, path, file)
  let handle: FileHandle | undefined
  try {
    handle = await open(path, OPEN_FLAGS)
    checkOpened(source.realRoot, handle.fd)
    const info = await handle.stat()
    if (!info.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTFILE' })
    return { file, kind: 'large', handle, grown: info.size > file.size }
  } catch (err) {
    await handle?.close().catch(() => undefined)
    return unreadable(file, err)
  }
}

function loadSmall(realRoot: string, path: string, file: ListedFile): Loaded {
  let fd: number | undefined
  try {
    fd = openSync(path, OPEN_FLAGS)
    checkOpened(realRoot, fd)
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
  if (err instanceof PathRefused) return { file, kind: 'error', error: 'not readable (outside the output directory)' }
  const code = (err as { code?: unknown }).code
  return { file, kind: 'error', error: `not readable (${typeof code === 'string' ? code : 'error'})` }
}

/** The bundle's bytes, unbatched: preamble, then header + content per file, then the trailer. */
async function* frames(source: Source, plan: BundlePlan, log: SiteLog): AsyncGenerator<Uint8Array> {
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
    while (queue.length < READ_AHEAD && next < files.length) queue.push(load(source, files[next++]!))
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
    // Loads in flight finish before the directories close: a closed descriptor's number can be
    // reused, and `/proc/self/fd/<n>/<name>` would then name a file somewhere else.
    for (const loaded of await Promise.all(queue))
      if (loaded.kind === 'large') await loaded.handle.close().catch(() => undefined)
    await source.dirs.close()
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

/**
 * The bundle as a pull-driven web stream over the files of `plan`, read in `dirs` (which it owns
 * and closes); cancelling it (client gone) closes every open file.
 */
export function bundleStream(
  realRoot: string,
  dirs: OpenDirectories,
  plan: BundlePlan,
  log: SiteLog
): ReadableStream<Uint8Array> {
  const source = batched(frames({ realRoot, dirs }, plan, log))
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
          await dirs.close()
          controller.error(err)
        }
      },
      async cancel() {
        await source.return(undefined)
        await dirs.close()
      },
    },
    { highWaterMark: 4 }
  )
}
