/** A workflow's files in Torc's output directory, found by exact name (naming.ts), in a stable order. */
import type { Dir } from 'node:fs'
import { opendir, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
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
import { isUnder } from './paths.ts'

export type { ListedFile } from '../src/site-protocol/schemas.ts'

export interface Listing {
  files: ListedFile[]
  /** Matching files before the cap. */
  total: number
  truncated: boolean
}

const STAT_CONCURRENCY = 32

/**
 * Lists workflow `workflowId`'s files: the output directory, then job_stdio, then
 * resource_utilization, each in natural name order (job 2 before job 10). Directories are read
 * entry by entry, so a job_stdio holding millions of other workflows' files costs no memory; only
 * regular files count (never symlinks), and a directory that resolves outside the root is skipped.
 */
export async function listWorkflowFiles(
  realRoot: string,
  workflowId: number,
  options: { logsOnly: boolean; limit: number; log: SiteLog; filter?: ((file: TorcFile) => boolean) | undefined }
): Promise<Listing> {
  const found: { dir: Directory; name: string; info: TorcFile }[] = []
  for (const dir of DIRECTORIES) {
    const path = join(realRoot, dir)
    const real = await realpath(path).catch(() => undefined)
    if (!real) continue
    if (!isUnder(realRoot, real)) {
      options.log('site_directory_refused', { dir, reason: 'resolves outside the output directory' })
      continue
    }
    const matches: { dir: Directory; name: string; info: TorcFile }[] = []
    let handle: Dir
    try {
      handle = await opendir(real, { bufferSize: 256 })
    } catch {
      continue
    }
    for await (const entry of handle) {
      if (!entry.isFile() || !mentionsWorkflow(entry.name, workflowId)) continue
      const info = classifyName(dir, entry.name)
      if (!info || info.workflow_id !== workflowId || (options.logsOnly && !info.log)) continue
      if (options.filter && !options.filter(info)) continue
      matches.push({ dir, name: entry.name, info })
    }
    matches.sort((a, b) => naturalCompare(a.name, b.name))
    found.push(...matches)
  }
  const kept = found.slice(0, options.limit)
  const files: (ListedFile | undefined)[] = new Array(kept.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < kept.length; i = next++) {
      const { dir, name, info } = kept[i]!
      const path = dir ? `${dir}/${name}` : name
      const s = await stat(join(realRoot, path)).catch(() => undefined)
      if (s?.isFile()) files[i] = { path, ...info, size: s.size, mtime: s.mtime.toISOString() }
    }
  }
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, kept.length) }, worker))
  const present = files.filter((f) => f !== undefined)
  return { files: present, total: found.length - (kept.length - present.length), truncated: found.length > kept.length }
}
