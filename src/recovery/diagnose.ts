/**
 * Port of torc 1.0.0's resource-utilization report (reports.rs build_resource_utilization_report,
 * the code behind `torc workflows check-resources --include-failed` and the Rust MCP
 * check_resource_utilization) over data already fetched from REST. Every field the Rust JSON has
 * carries the Rust value, with the Rust MCP's 1 % threshold for violation rows. torc-edge adds,
 * per failed job: status, run_id, attempt_id, resource_requirements_id, and a `cause` with its
 * `cause_detail`, read from Torc's kill codes and signals (kill-codes.ts), which recovery acts on.
 * Pure: no I/O, deterministic order (results in server order: completed, failed, terminated).
 */

import { DEFAULT_EXIT_CODES, type ExitCodes, meaningOf } from '../torc/exit-codes.ts'
import { over, percent, reportDuration, reportMemory, rustFixed } from '../torc/format.ts'
import type { Job, ResourceRequirements, Result } from '../torc/schemas.ts'
import { reportMemoryBytes, runtimeSeconds } from '../torc/units.ts'

/** The Rust MCP passes min_over_utilization 1.0: rows less than 1 % over are not violations. */
export const MIN_OVER_UTILIZATION_PERCENT = 1

export interface Violation {
  job_id: number
  job_name: string
  resource_type: 'Memory' | 'CPU' | 'Runtime'
  specified: string
  peak_used: string
  over_utilization: string
}

/** Why a job failed, as recovery reads it. */
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
  cause_detail: string
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

export function diagnose(
  workflowId: number,
  results: readonly Result[],
  jobs: ReadonlyMap<number, Job>,
  requirements: ReadonlyMap<number, ResourceRequirements>,
  codes: ExitCodes = DEFAULT_EXIT_CODES
): Diagnosis {
  const violations: Violation[] = []
  const failed: FailedJob[] = []
  for (const result of results) {
    const job = jobs.get(result.job_id)
    if (!job) continue
    const rr = job.resource_requirements_id == null ? undefined : requirements.get(job.resource_requirements_id)
    // Rust skips a result whose job has no requirement; torc-server gives every job one ("default"),
    // so this only happens when one was deleted. torc-edge still lists the failed job, unadjustable.
    if (result.status === 'failed' || result.status === 'terminated') failed.push(failedJob(result, job, rr, codes))
    if (rr) violations.push(...rows(result, job, rr))
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

/** Memory, CPU and Runtime rows of one result, in Rust's order and with its threshold. */
function rows(result: Result, job: Job, rr: ResourceRequirements): Violation[] {
  const out: Violation[] = []
  const row = (resource_type: Violation['resource_type'], specified: string, peak_used: string, ratio: number) => {
    const pct = (ratio - 1) * 100
    if (pct >= MIN_OVER_UTILIZATION_PERCENT) {
      out.push({ job_id: job.id, job_name: job.name, resource_type, specified, peak_used, over_utilization: over(pct) })
    }
  }
  const memory = reportMemoryBytes(rr.memory)
  const peak = result.peak_memory_bytes
  if (peak != null && peak > memory) row('Memory', reportMemory(memory), reportMemory(peak), peak / memory)
  const cpu = result.peak_cpu_percent
  const cpuLimit = 100 * rr.num_cpus
  if (cpu != null && cpu > cpuLimit)
    row('CPU', `${rustFixed(cpuLimit, 0)}% (${rr.num_cpus} cores)`, percent(cpu), cpu / cpuLimit)
  const limit = runtimeSeconds(rr.runtime)
  const exec = result.exec_time_minutes * 60
  if (limit !== undefined && exec > limit) row('Runtime', reportDuration(limit), reportDuration(exec), exec / limit)
  return out
}

/** Share of the requested memory above which a killed job counts as out of memory without a clear code. */
const NEAR_MEMORY = 0.9

function failedJob(result: Result, job: Job, rr: ResourceRequirements | undefined, codes: ExitCodes): FailedJob {
  const peak = result.peak_memory_bytes ?? null
  const exec = result.exec_time_minutes * 60
  const limit = rr ? runtimeSeconds(rr.runtime) : undefined
  const memory = rr ? reportMemoryBytes(rr.memory) : undefined
  const rc = result.return_code
  const cpu = result.peak_cpu_percent ?? null

  // The Rust fields, exactly as reports.rs computes them.
  let memoryViolation = false
  let oomReason: string | null = null
  let memoryOver: string | null = null
  if (memory !== undefined && peak != null && peak > memory) {
    memoryViolation = true
    oomReason = 'memory_exceeded'
    memoryOver = over((peak / memory - 1) * 100)
  }
  let likelyTimeout = false
  let timeoutReason: string | null = null
  if (limit !== undefined) {
    if (exec > limit * 0.9) likelyTimeout = true
    if (rc === 152) {
      likelyTimeout = true
      timeoutReason = 'sigxcpu_152'
    }
  }
  if (rr && !memoryViolation && rc === 137 && (limit === undefined || (exec / limit) * 100 < 80)) {
    memoryViolation = true
    oomReason = 'sigkill_137'
  }

  const share = limit === undefined || limit <= 0 ? undefined : exec / limit
  const { cause, detail } = causeOf({
    status: result.status,
    rc,
    peak,
    memory,
    share,
    codes,
    memoryViolation,
    likelyTimeout,
  })
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
    peak_memory_formatted: peak == null ? null : reportMemory(peak),
    memory_violation: memoryViolation,
    oom_reason: oomReason,
    memory_over_utilization: memoryOver,
    likely_timeout: likelyTimeout,
    timeout_reason: timeoutReason,
    runtime_utilization: limit === undefined ? null : percent((exec / limit) * 100),
    likely_cpu_violation: rr != null && cpu != null && cpu > 100 * rr.num_cpus,
    peak_cpu_percent: cpu,
    likely_runtime_violation: limit !== undefined && exec > limit,
    cause,
    cause_detail: detail,
  }
}

interface Evidence {
  status: string
  rc: number
  peak: number | null
  memory: number | undefined
  /** Execution time over the runtime limit (undefined when the limit cannot be read). */
  share: number | undefined
  codes: ExitCodes
  /** Rust's verdicts, which the cause never contradicts. */
  memoryViolation: boolean
  likelyTimeout: boolean
}

/**
 * The cause recovery acts on: Rust's memory/timeout verdicts, widened by the codes Torc itself
 * records (kill-codes.ts). A plain kill (-1, SIGTERM, SIGKILL late in the runtime) counts as out of
 * memory only when the peak was within 10 % of the limit; otherwise it stays unknown, as does a
 * crash or an ordinary non-zero exit: retrying those unchanged is the caller's decision.
 */
function causeOf(e: Evidence): { cause: FailureCause; detail: string } {
  const meaning = meaningOf(e.rc, e.status, e.codes)
  const ran = e.share === undefined ? '' : ` after ${Math.round(e.share * 100)}% of its runtime`
  const peakShare = e.peak != null && e.memory ? e.peak / e.memory : undefined
  const memoryReasons: string[] = []
  const timeReasons: string[] = []
  if (e.peak != null && e.memory !== undefined && e.peak > e.memory) {
    memoryReasons.push(`peak memory ${reportMemory(e.peak)} exceeded the ${reportMemory(e.memory)} requested`)
  }
  if (meaning.kind === 'oom_code') memoryReasons.push(meaning.text)
  if (meaning.kind === 'sigkill' && (e.share === undefined || e.share < 0.8)) {
    memoryReasons.push(`${meaning.text}${ran}, most likely for memory`)
  }
  if (meaning.kind === 'timeout_code') timeReasons.push(meaning.text)
  if (e.status === 'terminated') timeReasons.push('terminated: Torc stopped it when its allocation or runtime ran out')
  if (e.share !== undefined && e.share > 0.9) timeReasons.push(`ran ${Math.round(e.share * 100)}% of its runtime limit`)
  const plainKill = meaning.kind === 'killed' || meaning.kind === 'sigkill'
  if (
    !memoryReasons.length &&
    plainKill &&
    e.status !== 'terminated' &&
    peakShare !== undefined &&
    peakShare >= NEAR_MEMORY
  ) {
    memoryReasons.push(
      `${meaning.text} with peak memory at ${Math.round(peakShare * 100)}% of the limit, most likely for memory`
    )
  }
  if (e.memoryViolation && !memoryReasons.length) memoryReasons.push('over its memory')
  if (e.likelyTimeout && !timeReasons.length) timeReasons.push('near its runtime limit')
  const reasons = [...memoryReasons, ...timeReasons].join('; ')
  if (memoryReasons.length && timeReasons.length) return { cause: 'oom_and_timeout', detail: reasons }
  if (memoryReasons.length) return { cause: 'oom', detail: reasons }
  if (timeReasons.length) return { cause: 'timeout', detail: reasons }
  if (meaning.kind === 'node_lost') return { cause: 'node_failure', detail: meaning.text }
  if (meaning.kind === 'sigkill')
    return { cause: 'unknown', detail: `${meaning.text}${ran}: out of memory or out of time, cannot tell` }
  return { cause: 'unknown', detail: `${meaning.text}${plainKill ? ran : ''}; no sign of a memory or time limit` }
}
