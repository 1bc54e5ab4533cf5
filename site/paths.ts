/**
 * Path confinement: everything the site serves is read from a descriptor whose location was checked
 * AFTER it was opened. Checking a path and then opening it is a race: any Torc job can write into
 * the output directory and swap a directory on the path for a symlink out of it in between. So the
 * site opens first, asks the kernel where the open file is (Linux: /proc/self/fd/<fd>), refuses it
 * unless that is under the root, and from then on reads only through the descriptor; directories
 * are opened and checked the same way, listed through their descriptor, and the files in them
 * opened relative to it (`/proc/self/fd/<dirfd>/<name>` with O_NOFOLLOW: openat, from Node).
 */
import { closeSync, constants, openSync, readlinkSync } from 'node:fs'
import { type FileHandle, open, realpath } from 'node:fs/promises'
import { join, sep } from 'node:path'

export class PathRefused extends Error {
  override readonly name = 'PathRefused'
}

export const MAX_PATH = 1024

/** How the site opens a file it serves: read-only, never through a symlink, never blocking on a FIFO. */
export const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)
/** How it opens a directory to list or to open files in. */
export const DIRECTORY_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0)

const PROC_FD = '/proc/self/fd'

/** The open file `fd` itself as a path, or `name` in the open directory `fd` (resolved from it, as openat does). */
export const viaFd = (fd: number, name?: string): string =>
  name === undefined ? `${PROC_FD}/${fd}` : `${PROC_FD}/${fd}/${name}`

/**
 * Checks a client-supplied path (already URL-decoded once) and returns it normalized (`a/b`).
 * Refuses empty or overlong paths, NUL and other control characters, backslashes, percent signs (a
 * second round of encoding: Torc never writes `%` in a name), absolute paths, and `..` segments.
 */
export function checkRelative(relative: string): string {
  if (!relative || relative.length > MAX_PATH) throw new PathRefused('empty or too long path')
  if (/[\u0000-\u001f\u007f]/.test(relative)) throw new PathRefused('control character (NUL?) in path')
  if (relative.includes('\\')) throw new PathRefused('backslash in path')
  if (relative.includes('%')) throw new PathRefused('percent sign in path (double encoding?)')
  if (relative.startsWith('/') || /^[A-Za-z]:/.test(relative)) throw new PathRefused('absolute path')
  const segments = relative.split('/').filter((s) => s !== '' && s !== '.')
  if (segments.some((s) => s === '..')) throw new PathRefused('".." in path')
  if (segments.length === 0) throw new PathRefused('path names no file')
  return segments.join('/')
}

/** Whether `real` (a realpath) is the root or under it. */
export function isUnder(realRoot: string, real: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)
}

/** The same on the kernel's bytes (a name need not be UTF-8; decoding could make two paths look alike). */
function bytesUnder(realRoot: string, real: Buffer): boolean {
  const root = Buffer.from(realRoot)
  if (real.equals(root)) return true
  const prefix = Buffer.from(realRoot.endsWith(sep) ? realRoot : realRoot + sep)
  return real.length > prefix.length && real.subarray(0, prefix.length).equals(prefix)
}

const outside = () => new PathRefused('path leads outside the output directory (symlink, or swapped while opened)')

/**
 * Where the open descriptor `fd` is now, as the kernel records it; throws PathRefused unless that is
 * the root or under it. (A file deleted since it was opened reads `<path> (deleted)`: still its place.)
 * Blocking on purpose: a readlink in /proc never waits on a disk and takes microseconds, less than
 * the thread-pool round trip of its async form.
 */
export function checkOpened(realRoot: string, fd: number): string {
  const where = readlinkSync(viaFd(fd), { encoding: 'buffer' })
  if (!bytesUnder(realRoot, where)) throw outside()
  return where.toString()
}

/**
 * Refuses to serve where descriptors cannot be checked: without /proc/self/fd (not Linux, or /proc
 * not mounted) nothing the site opens could be proved to be under the root.
 */
export function requireDescriptorChecks(realRoot: string): void {
  let fd: number | undefined
  try {
    fd = openSync(realRoot, DIRECTORY_FLAGS)
    checkOpened(realRoot, fd)
  } catch (err) {
    const why = err instanceof PathRefused ? 'it names another place' : (err as Error).message
    throw new Error(`the site server checks every file it opens through ${PROC_FD} (Linux) and cannot here (${why})`)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

export interface ConfinedFile {
  /** Normalized, relative to the root. */
  relative: string
  /** Where the open file is, checked after opening: under the real root. */
  real: string
  /** The open file; read only through it. The caller closes it. */
  handle: FileHandle
  size: number
  mtimeMs: number
}

/**
 * Opens a client path as a regular file under `realRoot`. Symlinks inside the root are followed
 * (realpath) but the file itself is opened with O_NOFOLLOW and then checked, so a swap after the
 * realpath is caught. Throws PathRefused for refused syntax and for anything leading outside the
 * root; resolves undefined when there is no such regular file.
 */
export async function confine(realRoot: string, relative: string): Promise<ConfinedFile | undefined> {
  const normalized = checkRelative(relative)
  let real: string
  try {
    real = await realpath(join(realRoot, normalized))
  } catch {
    return undefined
  }
  if (!isUnder(realRoot, real)) throw outside()
  let handle: FileHandle
  try {
    handle = await open(real, OPEN_FLAGS)
  } catch {
    return undefined
  }
  try {
    const where = checkOpened(realRoot, handle.fd)
    const info = await handle.stat()
    if (!info.isFile()) {
      await handle.close()
      return undefined
    }
    return { relative: normalized, real: where, handle, size: info.size, mtimeMs: info.mtimeMs }
  } catch (err) {
    await handle.close().catch(() => undefined)
    throw err
  }
}

/**
 * Opens directory `relative` (`''`: the root) and checks it is under the root; undefined when there
 * is none. Throws PathRefused when it leads outside.
 */
export async function openDirectory(realRoot: string, relative: string): Promise<FileHandle | undefined> {
  let handle: FileHandle
  try {
    handle = await open(relative ? join(realRoot, relative) : realRoot, DIRECTORY_FLAGS)
  } catch {
    return undefined
  }
  try {
    checkOpened(realRoot, handle.fd)
    return handle
  } catch (err) {
    await handle.close().catch(() => undefined)
    throw err
  }
}
