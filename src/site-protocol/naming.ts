/**
 * Torc 1.0.0's output file names (client/log_paths.rs, slurm_interface.rs, resource_monitor.rs,
 * remote.rs), matched whole so the workflow id is exact: workflow 1 never picks up 10, 11 or 100
 * (torc 1.0.0 itself matches the substring `wf1`, torc-ops-spec.md §3.1). Differences from the
 * spec's table (0.10-0.12), per 1.0.0: a job may log to one combined `job_wf…_a<att>.log`; resource
 * databases are `resource_utilization/resource_metrics_wf<wf>_h<host>_r<run>.db` (local) and
 * `…_wf<wf>_sl<sl>_n<node>_p<pid>.db` (Slurm).
 */
import type { FileKind, TorcFile } from './schemas.ts'

export type { FileKind, TorcFile } from './schemas.ts'

/** The directories, relative to the output directory, that Torc writes a workflow's files in. */
export const DIRECTORIES = ['', 'job_stdio', 'resource_utilization'] as const
export type Directory = (typeof DIRECTORIES)[number]

interface Rule {
  dir: Directory
  kind: FileKind
  log: boolean
  re: RegExp
  fields: readonly (keyof TorcFile | null)[]
}

const JOB = /^job_wf(\d+)_j(\d+)_r(\d+)_a(\d+)\.(o|e|log)$/
const JOB_KIND = { o: 'job_stdout', e: 'job_stderr', log: 'job_combined' } as const

// Order matters: the Slurm runner name would otherwise read as a local runner on host "slurm_wf…".
const RULES: Rule[] = [
  {
    dir: '',
    kind: 'slurm_job_runner',
    log: true,
    re: /^job_runner_slurm_wf(\d+)_sl(.+)_n(.+)_pid(\d+)\.log$/,
    fields: ['workflow_id', 'slurm_job_id'],
  },
  {
    dir: '',
    kind: 'job_runner',
    log: true,
    re: /^job_runner_.+_wf(\d+)_r(\d+)\.log$/,
    fields: ['workflow_id', 'run_id'],
  },
  {
    dir: '',
    kind: 'slurm_stdout',
    log: true,
    re: /^slurm_output_wf(\d+)_sl(.+)\.o$/,
    fields: ['workflow_id', 'slurm_job_id'],
  },
  {
    dir: '',
    kind: 'slurm_stderr',
    log: true,
    re: /^slurm_output_wf(\d+)_sl(.+)\.e$/,
    fields: ['workflow_id', 'slurm_job_id'],
  },
  {
    dir: '',
    kind: 'dmesg',
    log: true,
    re: /^dmesg_slurm_wf(\d+)_sl(.+)_n(.+)_pid(\d+)\.log$/,
    fields: ['workflow_id', 'slurm_job_id'],
  },
  { dir: '', kind: 'watch', log: true, re: /^watch_.+_wf(\d+)\.log$/, fields: ['workflow_id'] },
  {
    dir: '',
    kind: 'slurm_env',
    log: false,
    re: /^slurm_env_wf(\d+)_sl(.+)_n(.+)_pid(\d+)\.log$/,
    fields: ['workflow_id', 'slurm_job_id'],
  },
  // `torc remote` names it without "wf", so 1.0.0's analysis never reads it; listed, not analysed.
  { dir: '', kind: 'remote_worker', log: false, re: /^torc_worker_(\d+)\.log$/, fields: ['workflow_id'] },
  {
    dir: 'resource_utilization',
    kind: 'resource_db',
    log: false,
    re: /^resource_metrics_wf(\d+)_(?:h.+_r(\d+)|sl(.+)_n.+_p\d+)\.db$/,
    fields: ['workflow_id', 'run_id', 'slurm_job_id'],
  },
]

/** What Torc file `name` in directory `dir` is, or undefined when it is not one Torc writes. */
export function classifyName(dir: Directory, name: string): TorcFile | undefined {
  if (dir === 'job_stdio') {
    const m = JOB.exec(name)
    if (!m) return undefined
    return {
      kind: JOB_KIND[m[5] as keyof typeof JOB_KIND],
      workflow_id: Number(m[1]),
      log: true,
      job_id: Number(m[2]),
      run_id: Number(m[3]),
      attempt_id: Number(m[4]),
    }
  }
  for (const rule of RULES) {
    if (rule.dir !== dir) continue
    const m = rule.re.exec(name)
    if (!m) continue
    const file: TorcFile = { kind: rule.kind, workflow_id: 0, log: rule.log }
    rule.fields.forEach((field, i) => {
      const value = m[i + 1]
      if (value === undefined || field === null) return
      if (field === 'slurm_job_id') file.slurm_job_id = value
      else if (field === 'workflow_id' || field === 'run_id') file[field] = Number(value)
    })
    return file
  }
  return undefined
}

/** Cheap test before the full match: the name holds `wf<id>` not followed by another digit. */
export function mentionsWorkflow(name: string, workflowId: number): boolean {
  const needle = `wf${workflowId}`
  for (let i = name.indexOf(needle); i >= 0; i = name.indexOf(needle, i + 1)) {
    const next = name.charCodeAt(i + needle.length)
    if (!(next >= 48 && next <= 57)) return true
  }
  return name.startsWith(`torc_worker_${workflowId}.`)
}

/** Compares names with their digit runs as numbers, so job 2 sorts before job 10. */
export function naturalCompare(a: string, b: string): number {
  let i = 0
  let j = 0
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i)
    const cb = b.charCodeAt(j)
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i
      let ej = j
      while (ei < a.length && isDigit(a.charCodeAt(ei))) ei++
      while (ej < b.length && isDigit(b.charCodeAt(ej))) ej++
      const na = a.slice(i, ei).replace(/^0+(?=\d)/, '')
      const nb = b.slice(j, ej).replace(/^0+(?=\d)/, '')
      if (na.length !== nb.length) return na.length - nb.length
      if (na !== nb) return na < nb ? -1 : 1
      i = ei
      j = ej
      continue
    }
    if (ca !== cb) return ca - cb
    i++
    j++
  }
  const rest = a.length - i - (b.length - j)
  return rest !== 0 ? rest : a < b ? -1 : a > b ? 1 : 0
}

const isDigit = (c: number) => c >= 48 && c <= 57
