/**
 * torc's offline-drain journals of a workflow (client/offline_journal.rs): SQLite files named
 * offline_results_wf<W>_r<R>_<label>.db, anywhere under the output directory (torc walks it
 * recursively; runners write them in `offline_journal/`). Found by a walk that opens each directory
 * relative to its checked parent descriptor (never through a symlink) and checks where it is, like
 * every read of the site (paths.ts). A journal is counted from a private copy of its bytes (and of
 * its -wal file, where torc's WAL mode may still hold completions), read through the checked
 * descriptors: SQLite never opens a path inside the served tree.
 */
import { constants } from 'node:fs'
import { type FileHandle, mkdtemp, open, opendir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { JOURNAL_NAME, type Journal } from '../src/site-protocol/actions.ts'
import { checkOpened, DIRECTORY_FLAGS, OPEN_FLAGS, viaFd } from './paths.ts'

export interface JournalLimits {
  maxDepth: number
  /** Directory entries read in all. */
  maxEntries: number
  /** Bytes of one journal (and its -wal) copied to be counted. */
  maxJournalBytes: number
  maxJournals: number
}

export const DEFAULT_JOURNAL_LIMITS: JournalLimits = {
  maxDepth: 8,
  maxEntries: 2_000_000,
  maxJournalBytes: 256 * 1024 ** 2,
  maxJournals: 1000,
}

const NOFOLLOW_DIR = DIRECTORY_FLAGS | (constants.O_NOFOLLOW ?? 0)

interface Found {
  dirFd: number
  relative: string
  name: string
  run_id: number
  label: string
}

/** Every journal of `workflowId` under the root, counted; `truncated` when a cap stopped the walk. */
export async function listJournals(
  realRoot: string,
  workflowId: number,
  limits: JournalLimits = DEFAULT_JOURNAL_LIMITS
): Promise<{ journals: Journal[]; truncated: boolean }> {
  const handles: FileHandle[] = []
  const found: Found[] = []
  let entries = 0
  let truncated = false

  async function walk(handle: FileHandle, relative: string, depth: number): Promise<void> {
    const dir = await opendir(viaFd(handle.fd), { bufferSize: 256 }).catch(() => undefined)
    if (!dir) return
    const subdirs: string[] = []
    for await (const entry of dir) {
      if (++entries > limits.maxEntries) {
        truncated = true
        break
      }
      if (entry.isDirectory()) subdirs.push(entry.name)
      else if (entry.isFile()) {
        const m = JOURNAL_NAME.exec(entry.name)
        if (!m || Number(m[1]) !== workflowId) continue
        if (found.length >= limits.maxJournals) {
          truncated = true
          continue
        }
        const path = relative ? `${relative}/${entry.name}` : entry.name
        found.push({ dirFd: handle.fd, relative: path, name: entry.name, run_id: Number(m[2]), label: m[3]! })
      }
    }
    if (depth >= limits.maxDepth) {
      if (subdirs.length) truncated = true
      return
    }
    for (const name of subdirs.sort()) {
      if (truncated && entries > limits.maxEntries) return
      const child = await openChecked(realRoot, viaFd(handle.fd, name), NOFOLLOW_DIR)
      if (!child) continue
      handles.push(child)
      await walk(child, relative ? `${relative}/${name}` : name, depth + 1)
    }
  }

  try {
    const top = await openChecked(realRoot, realRoot, DIRECTORY_FLAGS)
    if (top) {
      handles.push(top)
      await walk(top, '', 0)
    }
    const journals: Journal[] = []
    for (const f of found.sort((a, b) => a.relative.localeCompare(b.relative)))
      journals.push(await count(realRoot, f, limits.maxJournalBytes))
    return { journals, truncated }
  } finally {
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)))
  }
}

/** Opens `path` and keeps it only if the kernel says it is under the root. */
async function openChecked(realRoot: string, path: string, flags: number): Promise<FileHandle | undefined> {
  const handle = await open(path, flags).catch(() => undefined)
  if (!handle) return undefined
  try {
    checkOpened(realRoot, handle.fd)
    return handle
  } catch {
    await handle.close().catch(() => undefined)
    return undefined
  }
}

/** The bytes of regular file `name` in the open directory, or undefined when absent; throws when refused. */
async function readChecked(realRoot: string, dirFd: number, name: string, max: number): Promise<Buffer | undefined> {
  const handle = await openChecked(realRoot, viaFd(dirFd, name), OPEN_FLAGS)
  if (!handle) return undefined
  try {
    const info = await handle.stat()
    if (!info.isFile()) throw new Error('not a regular file')
    if (info.size > max) throw new Error(`larger than ${max} bytes`)
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

async function count(realRoot: string, f: Found, max: number): Promise<Journal> {
  const base = { path: f.relative, run_id: f.run_id, label: f.label }
  let size = 0
  const scratch = await mkdtemp(join(tmpdir(), 'torc-edge-journal-'))
  try {
    const db = await readChecked(realRoot, f.dirFd, f.name, max)
    if (!db) return { ...base, size: 0, completions: null, error: 'gone, or outside the output directory' }
    size = db.length
    const wal = await readChecked(realRoot, f.dirFd, `${f.name}-wal`, max).catch(() => undefined)
    const copy = join(scratch, 'journal.db')
    await writeFile(copy, db, { mode: 0o600 })
    if (wal) await writeFile(`${copy}-wal`, wal, { mode: 0o600 })
    const sqlite = new DatabaseSync(copy)
    try {
      sqlite.exec('PRAGMA trusted_schema = OFF')
      const row = sqlite.prepare('SELECT COUNT(*) AS n FROM journaled_completions').get() as { n: number | bigint }
      return { ...base, size, completions: Math.max(0, Number(row.n)), error: null }
    } finally {
      sqlite.close()
    }
  } catch (err) {
    return { ...base, size, completions: null, error: err instanceof Error ? err.message.slice(0, 300) : 'unreadable' }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}
