/**
 * Reading what the agent's `sacct` action printed (site/actions/catalog.ts): squeue's and sacct's
 * parsable text, and `sacct --json` turned into the rows `torc -f json slurm sacct` prints
 * (torc 1.0.0 client/commands/slurm.rs parse_sacct_json_to_rows: one row per step, else one per
 * allocation), with one correction: Slurm 22.05's JSON reports a normal non-zero exit as 0
 * (`exit 3` reads {"status":"SUCCESS","return_code":0}), so every row's exit code is taken from the
 * parsable text, which prints `3:0`.
 */
import { z } from 'zod'

export interface QueuedAllocation {
  slurm_job_id: string
  state: string
  reason: string
  time_used: string
  time_limit: string
  nodes: string
  partition: string
  name: string
}

/** The `|`-separated lines of Slurm's parsable output, each cut into its fields ('' when missing). */
function pipeRows(text: string, width: number): string[][] {
  return text
    .split('\n')
    .filter((l) => l.includes('|'))
    .map((l) => {
      const fields = l.split('|')
      // The last column keeps any `|` of its own (a job name may contain one).
      const row = [...fields.slice(0, width - 1), fields.slice(width - 1).join('|')]
      return Array.from({ length: width }, (_, i) => row[i] ?? '')
    })
}

/** `squeue -h -o %i|%T|%r|%M|%l|%D|%P|%j` lines. */
export function parseSqueue(text: string): QueuedAllocation[] {
  return pipeRows(text, 8).map(([slurm_job_id, state, reason, time_used, time_limit, nodes, partition, name]) => ({
    slurm_job_id: slurm_job_id!,
    state: state!,
    reason: reason!,
    time_used: time_used!,
    time_limit: time_limit!,
    nodes: nodes!,
    partition: partition!,
    name: name!,
  }))
}

/** squeue answers "Invalid job id specified" (exit 1) when none of the ids is queued any more. */
export const squeueHasNone = (exitCode: number | null, stderr: string) =>
  exitCode === 1 && /Invalid job id specified/i.test(stderr)

export interface AccountingRow {
  /** `123`, `123.batch`, `123.0`. */
  job_id: string
  name: string
  state: string
  exit_code: string
  elapsed_seconds: number | null
  max_rss: string
  partition: string
  nodes: string
  start: string
  end: string
}

/** `sacct -n -P -o JobID,JobName,State,ExitCode,ElapsedRaw,MaxRSS,Partition,NodeList,Start,End` lines. */
export function parseSacctText(text: string): AccountingRow[] {
  return pipeRows(text, 10).map(([job_id, name, state, exit_code, elapsed, max_rss, partition, nodes, start, end]) => ({
    job_id: job_id!,
    name: name!,
    state: state!,
    exit_code: exit_code!,
    elapsed_seconds: /^\d+$/.test(elapsed!) ? Number(elapsed) : null,
    max_rss: max_rss!,
    partition: partition!,
    nodes: nodes!,
    start: start!,
    end: end!,
  }))
}

/** A row of `torc -f json slurm sacct`'s summary (SacctSummaryRow). */
export interface SacctSummaryRow {
  slurm_job_id: string
  job_step: string
  state: string
  exit_code: string
  elapsed: string
  max_rss: string
  cpu_time: string
  nodes: string
}

const Json = z.record(z.string(), z.unknown())
type JsonObject = z.output<typeof Json>
const obj = (v: unknown): JsonObject | undefined => (Json.safeParse(v).success ? (v as JsonObject) : undefined)
const num = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  const wrapped = obj(v)
  return wrapped && typeof wrapped['number'] === 'number' ? (wrapped['number'] as number) : undefined
}
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/** torc's format_duration_seconds. */
export function torcDuration(secs: number): string {
  if (secs < 60) return `${secs}s`
  if (secs < 3600) return `${Math.floor(secs / 60)}m ${secs % 60}s`
  return `${Math.floor(secs / 3600)}h ${Math.floor((secs % 3600) / 60)}m`
}

/** torc's format_bytes. */
export function torcBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes}B`
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)}KB`
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)}MB`
  return `${(bytes / 1024 ** 3).toFixed(1)}GB`
}

/** States as torc joins them: a list ("CANCELLED, TIMEOUT"), {current: list|string}, or a string. */
function stateOf(v: unknown, jobState?: unknown): string {
  const join = (x: unknown) =>
    Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string').join(', ') || undefined : str(x)
  const current = obj(v)?.['current']
  return join(v) ?? join(current) ?? join(jobState) ?? '-'
}

function elapsedOf(entry: JsonObject): number | undefined {
  return num(obj(entry['time'])?.['elapsed'])
}

function cpuOf(entry: JsonObject): number | undefined {
  return num(obj(obj(entry['time'])?.['total'])?.['seconds'])
}

function maxRssOf(entry: JsonObject): string {
  const max = obj(obj(entry['tres'])?.['requested'])?.['max']
  if (!Array.isArray(max)) return '-'
  const mem = max.map(obj).find((m) => m?.['type'] === 'mem')
  const bytes = num(mem?.['count'])
  return bytes === undefined ? '-' : torcBytes(bytes)
}

/** torc's extract_exit_code, used only where the parsable text has no row. */
function jsonExitCode(entry: JsonObject): string {
  const exit = obj(entry['exit_code'])
  if (!exit) return '-'
  const rc = num(exit['return_code']) ?? 0
  const signal = num(obj(obj(exit['signal'])?.['id'])) ?? num(obj(exit['signal'])?.['id']) ?? 0
  return `${rc}:${signal}`
}

/**
 * The summary rows for allocation `slurmJobId` from `sacct --json` output, exit codes from the
 * parsable text rows (keyed by JobID: `123`, `123.batch`, `123.0`).
 */
export function summaryRows(
  json: unknown,
  slurmJobId: string,
  text: ReadonlyMap<string, AccountingRow>
): SacctSummaryRow[] {
  const jobs = obj(json)?.['jobs']
  if (!Array.isArray(jobs)) return []
  const rows: SacctSummaryRow[] = []
  for (const raw of jobs) {
    const job = obj(raw)
    if (!job || String(job['job_id']) !== slurmJobId) continue
    const steps = Array.isArray(job['steps']) ? job['steps'].map(obj).filter((s) => s !== undefined) : []
    if (steps.length) {
      for (const step of steps) {
        const id = obj(step['step'])
        const stepId = str(id?.['id']) ?? (typeof id?.['id'] === 'number' ? String(id['id']) : undefined)
        const name = str(id?.['name']) ?? stepId ?? ''
        const key = `${slurmJobId}.${stepId ?? name}`
        const elapsed = elapsedOf(step)
        const cpu = cpuOf(step)
        const nodes = obj(step['nodes'])
        rows.push({
          slurm_job_id: slurmJobId,
          job_step: name,
          state: stateOf(step['state']),
          exit_code: text.get(key)?.exit_code ?? jsonExitCode(step),
          elapsed: elapsed === undefined ? '-' : torcDuration(elapsed),
          max_rss: maxRssOf(step),
          cpu_time: cpu === undefined ? '-' : torcDuration(cpu),
          nodes: str(nodes?.['range']) ?? str(step['nodes']) ?? '-',
        })
      }
      continue
    }
    const elapsed = elapsedOf(job)
    const cpu = cpuOf(job)
    const nodes = str(job['nodes']) ?? ''
    rows.push({
      slurm_job_id: slurmJobId,
      job_step: str(job['name']) ?? '',
      state: stateOf(job['state'], job['job_state']),
      exit_code: text.get(slurmJobId)?.exit_code ?? jsonExitCode(job),
      elapsed: elapsed === undefined ? (str(job['elapsed']) ?? '-') : torcDuration(elapsed),
      max_rss: maxRssOf(job),
      cpu_time: cpu === undefined ? '-' : torcDuration(cpu),
      nodes: nodes || '-',
    })
  }
  return rows
}

/** Slurm states of an allocation that will not change any more. */
export const FINISHED_STATES =
  /^(COMPLETED|FAILED|CANCELLED|OUT_OF_MEMORY|TIMEOUT|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|REVOKED)/
/** Those of them that mean it failed (CANCELLED is neither: a user or torc ended it). */
export const FAILED_STATES = /^(FAILED|OUT_OF_MEMORY|TIMEOUT|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|REVOKED)/
export const QUEUED_STATES = /^(PENDING|CONFIGURING|REQUEUED|RESIZING|SUSPENDED|REQUEUE_HOLD|REQUEUE_FED)/
export const RUNNING_STATES = /^(RUNNING|COMPLETING|STAGE_OUT|SIGNALING)/
