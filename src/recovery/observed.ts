/**
 * What recovery reads off a workflow besides the diagnosis: orphaned "running" jobs as failures
 * (node lost) and, per requirement, the most its jobs used (the memory and runtime floors).
 */
import type { Job, Result } from '../torc/schemas.ts'
import type { FailedJob } from './diagnose.ts'

export interface Orphan {
  job_id: number
  job_name: string
  compute_node_id: number | null
}

/** Diagnosis entries for orphans: running jobs whose compute node is gone, to be failed with -128. */
export function orphanEntries(orphans: readonly Orphan[], jobs: ReadonlyMap<number, Job>): FailedJob[] {
  return orphans.map((o) => {
    const job = jobs.get(o.job_id)
    return {
      job_id: o.job_id,
      job_name: o.job_name,
      status: 'running',
      return_code: -128,
      exec_time_minutes: 0,
      run_id: 0,
      attempt_id: job?.attempt_id ?? null,
      resource_requirements_id: job?.resource_requirements_id ?? null,
      configured_memory: null,
      configured_runtime: null,
      configured_cpus: null,
      peak_memory_bytes: null,
      peak_memory_formatted: null,
      memory_violation: false,
      oom_reason: null,
      memory_over_utilization: null,
      likely_timeout: false,
      timeout_reason: null,
      runtime_utilization: null,
      likely_cpu_violation: false,
      peak_cpu_percent: null,
      likely_runtime_violation: false,
      cause: 'node_failure',
      cause_detail:
        o.compute_node_id == null
          ? 'still marked running, on no compute node'
          : `still marked running on compute node ${o.compute_node_id}, which is no longer active`,
    }
  })
}

/** The most a requirement's jobs used in the current run: its memory floor and runtime floor. */
export interface Observed {
  peak?: { bytes: number } & Whose
  longest?: { seconds: number } & Whose
}
export interface Whose {
  job_id: number
  job_name: string
  status: string
}

export function observedByRequirement(
  results: readonly Result[],
  jobs: ReadonlyMap<number, Job>
): Map<number, Observed> {
  const out = new Map<number, Observed>()
  for (const r of results) {
    const job = jobs.get(r.job_id)
    const rr = job?.resource_requirements_id
    if (job == null || rr == null) continue
    const seen = out.get(rr) ?? {}
    const peak = r.peak_memory_bytes
    if (peak != null && peak > 0 && peak > (seen.peak?.bytes ?? 0))
      seen.peak = { bytes: peak, job_id: job.id, job_name: job.name, status: r.status }
    const seconds = r.exec_time_minutes * 60
    if (seconds > (seen.longest?.seconds ?? 0))
      seen.longest = { seconds, job_id: job.id, job_name: job.name, status: r.status }
    out.set(rr, seen)
  }
  return out
}
