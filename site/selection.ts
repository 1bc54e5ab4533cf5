/** Which files in Torc's output directory are a workflow's logs (torc-ops-spec.md §2, torc 1.0 log_paths.rs). */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

const LOG_ENDINGS = ['.log', '.o', '.e']

/**
 * Exact workflow matching: `wf<id>` preceded by the start or `_` and followed by `_` or `.`, so
 * workflow 1 never picks up 10, 11 or 100 (Torc matches the substring `wf1`). slurm_env_ dumps,
 * resource databases and anything that is not .log/.o/.e are not logs.
 */
export function isWorkflowLog(name: string, workflowId: number): boolean {
  if (!LOG_ENDINGS.some((ending) => name.endsWith(ending))) return false
  if (name.includes('slurm_env_')) return false
  return new RegExp(`(?:^|_)wf${workflowId}(?=[_.])`).test(name)
}

export interface LogFile {
  /** Relative to the root: `job_runner_h_wf1_r1.log` or `job_stdio/job_wf1_j3_r1_a1.e`. */
  path: string
  size: number
  mtime: string
}

/** The root, then job_stdio; names sorted so every listing and bundle has the same order. */
export async function listWorkflowLogs(root: string, workflowId: number, limit: number): Promise<{ files: LogFile[]; total: number }> {
  const found: string[] = []
  for (const dir of ['', 'job_stdio']) {
    let entries
    try {
      entries = await readdir(join(root, dir), { withFileTypes: true })
    } catch {
      continue
    }
    const names = entries.filter((e) => e.isFile() && isWorkflowLog(e.name, workflowId)).map((e) => e.name).sort()
    for (const name of names) found.push(dir ? `${dir}/${name}` : name)
  }
  const files: LogFile[] = []
  for (const path of found.slice(0, limit)) {
    try {
      const info = await stat(join(root, path))
      files.push({ path, size: info.size, mtime: info.mtime.toISOString() })
    } catch {
      // removed between listing and stat
    }
  }
  return { files, total: found.length }
}
