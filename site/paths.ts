/** Path confinement: every path the site opens stays under the root, symlinks included. */
import { constants } from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { join, sep } from 'node:path'

export class PathRefused extends Error {
  override readonly name = 'PathRefused'
}

export const MAX_PATH = 1024

/** How the site opens a file it serves: read-only, never through a symlink, never blocking on a FIFO. */
export const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0)

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

export interface ConfinedFile {
  /** Normalized, relative to the root. */
  relative: string
  /** Real path (no symlinks left) under the real root. */
  real: string
  size: number
  mtimeMs: number
}

/** Whether `real` (a realpath) is the root or under it. */
export function isUnder(realRoot: string, real: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep)
}

/**
 * Resolves a client path to a regular file under `realRoot`. Throws PathRefused for refused syntax
 * and for symlinks that lead outside the root; resolves undefined when there is no such file.
 */
export async function confine(realRoot: string, relative: string): Promise<ConfinedFile | undefined> {
  const normalized = checkRelative(relative)
  let real: string
  try {
    real = await realpath(join(realRoot, normalized))
  } catch {
    return undefined
  }
  if (!isUnder(realRoot, real)) throw new PathRefused('path leads outside the output directory (symlink)')
  const info = await stat(real).catch(() => undefined)
  if (!info?.isFile()) return undefined
  return { relative: normalized, real, size: info.size, mtimeMs: info.mtimeMs }
}
