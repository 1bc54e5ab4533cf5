/** Path confinement for the site server: every path it opens stays under the root, symlinks included. */
import { realpath, stat } from 'node:fs/promises'
import { isAbsolute, join, normalize, sep } from 'node:path'

export class PathRefused extends Error {
  override readonly name = 'PathRefused'
}

/**
 * Resolves a client-supplied relative path. Refuses NUL, backslashes, absolute paths, any `..`
 * segment, percent signs left after URL decoding (double encoding), and real paths outside the root.
 * Returns undefined when the file does not exist.
 */
export async function confine(realRoot: string, relative: string): Promise<{ path: string; size: number; mtimeMs: number } | undefined> {
  if (!relative || relative.length > 1024) throw new PathRefused('empty or too long path')
  if (/[\0\\%]/.test(relative)) throw new PathRefused('NUL, backslash or percent sign in path')
  if (isAbsolute(relative) || relative.startsWith('/')) throw new PathRefused('absolute path')
  if (relative.split('/').some((segment) => segment === '..')) throw new PathRefused('".." in path')
  const candidate = normalize(join(realRoot, relative))
  let real: string
  try {
    real = await realpath(candidate)
  } catch {
    return undefined
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) throw new PathRefused('path leads outside the root')
  const info = await stat(real)
  if (!info.isFile()) return undefined
  return { path: real, size: info.size, mtimeMs: info.mtimeMs }
}
