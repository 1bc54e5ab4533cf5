/** A workflow's files in Torc's output directory, found by exact name (naming.ts), in a stable order. */
import type { Dir } from 'node:fs'
import { type FileHandle, lstat, opendir } from 'node:fs/promises'
import {
  classifyName,
  DIRECTORIES,
  type Directory,
  mentionsWorkflow,
  naturalCompare,
  type TorcFile,
} from '../src/site-protocol/naming.ts'
import type { ListedFile } from '../src/site-protocol/schemas.ts'
import type { SiteLog } from './log.ts'
import { openDirectory, PathRefused, viaFd } from './paths.ts'

export type { ListedFile } from '../src/site-protocol/schemas.ts'

/**
 * The directories a listing read, open and checked to be under the root: the bundle opens the
 * listed files in them (by name, relative to the descriptor), never through a path again.
 */
export class OpenDirectories {
  readonly #handles = new Map<Directory, FileHandle>()
  #closed = false

  set(dir: Directory, handle: FileHandle): void {
    this.#handles.set(dir, handle)
  }

  /** The descriptor of `dir`, when it was opened and is still open. */
  fd(dir: string): number | undefined {
    return this.#closed ? undefined : this.#handles.get(dir as Directory)?.fd
  }

  /** Closes them all; again is a no-op. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([...this.#handles.values()].map((h) => h.close().catch(() => undefined)))
  }
}

export interface Listing {
  files: ListedFile[]
  /** Matching files before the cap. */
  total: number
  truncated: boolean
  /** Where the files are; the caller closes them. */
  dirs: OpenDirectories
}

const STAT_CONCURRENCY = 32

/** `dir/name`, or `name` at the top. */
export const splitListed = (path: string): { dir: string; name: string } => {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? { dir: '', name: path } : { dir: path.slice(0, slash), name: path.slice(slash + 1) }
}

/**
 * Lists workflow `workflowId`'s files: the output directory, then job_stdio, then
 * resource_utilization, each in natural name order (job 2 before job 10). Directories are read
 * entry by entry, so a job_stdio holding millions of other workflows' files costs no memory; only
 * regular files count (never symlinks), and a directory that is outside the root once opened is
 * skipped. Each directory is opened once, checked, then read and its files stat'ed through that
 * descriptor, so what is listed is what is there, whatever is swapped meanwhile.
 */
export async function listWorkflowFiles(
  realRoot: string,
  workflowId: number,
  options: { logsOnly: boolean; limit: number; log: SiteLog; filter?: ((file: TorcFile) => boolean) | undefined }
): Promise<Listing> {
  const dirs = new OpenDirectories()
  try {
    return await list(realRoot, workflowId, options, dirs)
  } catch (err) {
    await dirs.close()
    throw err
  }
}

async function list(
  realRoot: string,
  workflowId: number,
  options: { logsOnly: boolean; limit: number; log: SiteLog; filter?: ((file: TorcFile) => boolean) | undefined },
  dirs: OpenDirectories
): Promise<Listing> {
  const found: { dir: Directory; fd: number; name: string; info: TorcFile }[] = []
  for (const dir of DIRECTORIES) {
    let handle: FileHandle | undefined
    try {
      handle = await openDirectory(realRoot, dir)
    } catch (err) {
      if (!(err instanceof PathRefused)) throw err
      options.log('site_directory_refused', { dir, reason: 'resolves outside the output directory' })
      continue
    }
    if (!handle) continue
    dirs.set(dir, handle)
    const { fd } = handle
    const matches: typeof found = []
    let entries: Dir
    try {
      entries = await opendir(viaFd(fd), { bufferSize: 256 })
    } catch {
      continue
    }
    for await (const entry of entries) {
      if (!entry.isFile() || !mentionsWorkflow(entry.name, workflowId)) continue
      const info = classifyName(dir, entry.name)
      if (!info || info.workflow_id !== workflowId || (options.logsOnly && !info.log)) continue
      if (options.filter && !options.filter(info)) continue
      matches.push({ dir, fd, name: entry.name, info })
    }
    matches.sort((a, b) => naturalCompare(a.name, b.name))
    found.push(...matches)
  }
  const kept = found.slice(0, options.limit)
  const files: (ListedFile | undefined)[] = new Array(kept.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < kept.length; i = next++) {
      const { dir, fd, name, info } = kept[i]!
      // lstat in the open directory: a name swapped for a symlink since it was read is left out.
      const s = await lstat(viaFd(fd, name)).catch(() => undefined)
      if (s?.isFile())
        files[i] = { path: dir ? `${dir}/${name}` : name, ...info, size: s.size, mtime: s.mtime.toISOString() }
    }
  }
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, kept.length) }, worker))
  const present = files.filter((f) => f !== undefined)
  return {
    files: present,
    total: found.length - (kept.length - present.length),
    truncated: found.length > kept.length,
    dirs,
  }
}
