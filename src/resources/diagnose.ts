/**
 * Port of `torc reports check-resource-utilization --include-failed` (torc 1.0.0 reports.rs) over
 * data already fetched from REST, plus a cause for every failed job that recovery acts on.
 * Pure: no I/O, deterministic order (results in server order: completed, failed, terminated).
 */
import type { Job, ResourceRequirements, Result } from '../torc/schemas.ts'
import { formatDuration, formatMemoryBytes } from '../torc/format.ts'
import { reportMemoryBytes, runtimeSeconds } from './units.ts'

export interface Violation {
  job_id: number
  job_name: string
  resource_type: 'Memory' | 'CPU' | 'Runtime'
  specified: string
  peak_used: string
  over_utilization: string
}

/**
 * Why a job failed, as recovery reads it. Torc's kill codes: 137 (shell saw SIGKILL) and -9 on a
 * failed job (the runner saw SIGKILL) → out of memory unless the job ran out its time; 152
 * (SIGXCPU) and any terminated job (killed at the end of its allocation) → timeout; -128 → its
 * compute node vanished (orphan cleanup); -1 and others → unknown.
 */
export type FailureCause = 'oom' | 'timeout' | 'oom_and_timeout' | 'node_failure' | 'unknown'

export interface FailedJob {
  job_id: number
  job_name: string
  status: string
  return_code: number
  exec_time_minutes: number
  run_id: number
  attempt_id: number | null
  resource_requirements_id: number | null
  configured_memory: string | null
  configured_runtime: string | null
  configured_cpus: number | null
  peak_memory_bytes: number | null
  peak_memory_formatted: string | null
  memory_violation: boolean
  oom_reason: string | null
  memory_over_utilization: string | null
  likely_timeout: boolean
  timeout_reason: string | null
  runtime_utilization: string | null
  likely_cpu_violation: boolean
  peak_cpu_percent: number | null
  likely_runtime_violation: boolean
  cause: FailureCause
}

export interface Diagnosis {
  workflow_id: number
  total_results: number
  over_utilization_count: number
  /** Distinct jobs behind the violation rows (Rust's guidance said "job(s)" but counted rows). */
  jobs_over_count: number
  violations: Violation[]
  resource_violations_count: number
  resource_violations: FailedJob[]
}

const pct = (x: number) => `${x.toFixed(1)}%`
const plus = (x: number) => `+${x.toFixed(1)}%`

export function diagnose(
  workflowId: number,
  results: readonly Result[],
  jobs: ReadonlyMap<number, Job>,
  requirements: ReadonlyMap<number, ResourceRequirements>
): Diagnosis {
  const violations: Violation[] = []
  const failed: FailedJob[] = []
  for (const result of results) {
    const job = jobs.get(result.job_id)
    if (!job) continue
    const rr = job.resource_requirements_id == null ? undefined : requirements.get(job.resource_requirements_id)
    const isFailed = result.status === 'failed' || result.status === 'terminated'
    if (isFailed) failed.push(failedJob(result, job, rr))
    if (!rr) continue
    const name = job.name
    const memory = reportMemoryBytes(rr.memory)
    const peak = result.peak_memory_bytes
    if (peak != null && peak > memory) {
      violations.push({
        job_id: job.id,
        job_name: name,
        resource_type: 'Memory',
        specified: formatMemoryBytes(memory),
        peak_used: formatMemoryBytes(peak),
        over_utilization: plus((peak / memory - 1) * 100),
      })
    }
    const cpu = result.peak_cpu_percent
    const cpuLimit = 100 * rr.num_cpus
    if (cpu != null && cpu > cpuLimit) {
      violations.push({
        job_id: job.id,
        job_name: name,
        resource_type: 'CPU',
        specified: `${cpuLimit.toFixed(0)}% (${rr.num_cpus} cores)`,
        peak_used: `${cpu.toFixed(1)}%`,
        over_utilization: plus((cpu / cpuLimit - 1) * 100),
      })
    }
    const limit = runtimeSeconds(rr.runtime)
    const exec = result.exec_time_minutes * 60
    if (limit !== undefined && exec > limit) {
      violations.push({
        job_id: job.id,
        job_name: name,
        resource_type: 'Runtime',
        specified: formatDuration(limit),
        peak_used: formatDuration(exec),
        over_utilization: plus((exec / limit - 1) * 100),
      })
    }
  }
  return {
    workflow_id: workflowId,
    total_results: results.length,
    over_utilization_count: violations.length,
    jobs_over_count: new Set(violations.map((v) => v.job_id)).size,
    violations,
    resource_violations_count: failed.length,
    resource_violations: failed,
  }
}

function failedJob(result: Result, job: Job, rr: ResourceRequirements | undefined): FailedJob {
  const peak = result.peak_memory_bytes ?? null
  const exec = result.exec_time_minutes * 60
  const limit = rr ? runtimeSeconds(rr.runtime) : undefined
  const rc = result.return_code
  let memoryViolation = false
  let oomReason: string | null = null
  let over: string | null = null
  if (rr && peak != null) {
    const memory = reportMemoryBytes(rr.memory)
    if (peak > memory) {
      memoryViolation = true
      oomReason = 'memory_exceeded'
      over = plus((peak / memory - 1) * 100)
    }
  }
  let likelyTimeout = false
  let timeoutReason: string | null = null
  if (limit !== undefined && exec > limit * 0.9) likelyTimeout = true
  if (rc === 152) {
    likelyTimeout = true
    timeoutReason = 'sigxcpu_152'
  }
  if (result.status === 'terminated') {
    likelyTimeout = true
    timeoutReason ??= 'terminated_at_allocation_end'
  }
  const sigkill = rc === 137 || (rc === -9 && result.status === 'failed')
  if (!memoryViolation && sigkill && (limit === undefined || (exec / limit) * 100 < 80)) {
    memoryViolation = true
    oomReason = rc === 137 ? 'sigkill_137' : 'sigkill_-9'
  }
  const cpu = result.peak_cpu_percent ?? null
  const cause: FailureCause =
    memoryViolation && likelyTimeout
      ? 'oom_and_timeout'
      : memoryViolation
        ? 'oom'
        : likelyTimeout
          ? 'timeout'
          : rc === -128
            ? 'node_failure'
            : 'unknown'
  return {
    job_id: job.id,
    job_name: job.name,
    status: result.status,
    return_code: rc,
    exec_time_minutes: result.exec_time_minutes,
    run_id: result.run_id,
    attempt_id: result.attempt_id ?? null,
    resource_requirements_id: rr?.id ?? null,
    configured_memory: rr?.memory ?? null,
    configured_runtime: rr?.runtime ?? null,
    configured_cpus: rr?.num_cpus ?? null,
    peak_memory_bytes: peak,
    peak_memory_formatted: peak == null ? null : formatMemoryBytes(peak),
    memory_violation: memoryViolation,
    oom_reason: oomReason,
    memory_over_utilization: over,
    likely_timeout: likelyTimeout,
    timeout_reason: timeoutReason,
    runtime_utilization: limit === undefined ? null : pct((exec / limit) * 100),
    likely_cpu_violation: rr != null && cpu != null && cpu > 100 * rr.num_cpus,
    peak_cpu_percent: cpu,
    likely_runtime_violation: limit !== undefined && exec > limit,
    cause,
  }
}
