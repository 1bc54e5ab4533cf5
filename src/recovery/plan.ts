/**
 * Recovery planning: which failed jobs to retry and with what resources. Pure and deterministic,
 * so the preview's plan_id can be recomputed at apply time to prove nothing changed in between.
 *
 * The rule users expect from the tutorial, with the Rust quirks fixed (it truncated to whole units
 * and could lower memory): new memory = current × memory_multiplier rounded UP to a whole unit,
 * never below the current value. With the default multiplier it is also never below the observed
 * peak + 10 % (rounded up): the peak is the highest of every job that uses the requirement in the
 * current run, completed ones included, since they get the new value too and would fail at the old
 * one next time. An explicit multiplier is the user's decision: it is applied as given, with a
 * warning when the result is below that floor. Runtime likewise with runtime_multiplier and the
 * longest execution time, in whole minutes.
 */

import { reportDuration, reportMemory } from '../torc/format.ts'
import type { Job, ResourceRequirements, Result } from '../torc/schemas.ts'
import { checkMemory, formatMemoryCeil, formatRuntimeCeil, reportMemoryBytes, runtimeSeconds } from '../torc/units.ts'
import type { Diagnosis, FailedJob, FailureCause } from './diagnose.ts'
import { type Observed, type Orphan, observedByRequirement, orphanEntries, type Whose } from './observed.ts'
import { DEFAULT_MEMORY_MULTIPLIER, DEFAULT_RUNTIME_MULTIPLIER } from './options.ts'
import { TERMINATED_RERUN } from './rerun.ts'

export interface RecoveryOptions {
  /** Absent: the default with the observed floor; given: applied as given (warned when below the floor). */
  memory_multiplier?: number | undefined
  runtime_multiplier?: number | undefined
  retry_unknown: boolean
}

export interface Change {
  old: string
  new: string
  why: string
}

export interface PlannedJob {
  job_id: number
  job_name: string
  status: string
  return_code: number | null
  cause: FailureCause
  /** The evidence behind the cause (return code, signal, peak, share of runtime). */
  cause_detail: string
  action: 'retry' | 'skip'
  reason: string
  memory: Change | null
  runtime: Change | null
}

export interface Adjustment {
  resource_requirements_id: number
  name: string
  job_ids: number[]
  memory: Change | null
  runtime: Change | null
  /** Other jobs that use this resource requirement and get the new values too. */
  shared_with_job_ids: number[]
  shared_with_count: number
}

export interface RecoveryPlan {
  /** Explicit multipliers that land below what the jobs were seen to need. */
  warnings: string[]
  jobs: PlannedJob[]
  adjustments: Adjustment[]
  orphaned_running_jobs: Orphan[]
  jobs_to_retry: number[]
  counts: Record<FailureCause, number>
}

const SHARED_LISTED = 50
const HEADROOM = 1.1

export function planRecovery(
  diagnosis: Diagnosis,
  orphans: readonly Orphan[],
  jobs: ReadonlyMap<number, Job>,
  requirements: ReadonlyMap<number, ResourceRequirements>,
  results: readonly Result[],
  options: RecoveryOptions
): RecoveryPlan {
  const observed = observedByRequirement(results, jobs)
  const failed = [...diagnosis.resource_violations, ...orphanEntries(orphans, jobs)]
  const counts: Record<FailureCause, number> = { oom: 0, timeout: 0, oom_and_timeout: 0, node_failure: 0, unknown: 0 }
  const groups = new Map<number, FailedJob[]>()
  const planned = new Map<number, PlannedJob>()
  for (const f of failed) {
    counts[f.cause]++
    const entry: PlannedJob = {
      job_id: f.job_id,
      job_name: f.job_name,
      status: f.status,
      return_code: f.return_code,
      cause: f.cause,
      cause_detail: f.cause_detail,
      action: 'retry',
      reason: '',
      memory: null,
      runtime: null,
    }
    planned.set(f.job_id, entry)
    if (f.cause === 'unknown') {
      // torc 1.0.0 also raises CPUs for CPU over-use; Torc never kills a job for CPU, so it explains no failure.
      const cpu = f.likely_cpu_violation ? ' (it used more CPU than requested, which does not kill a job)' : ''
      entry.action = options.retry_unknown ? 'retry' : 'skip'
      entry.reason = options.retry_unknown
        ? `unknown cause${cpu}: retried unchanged because retry_unknown is set`
        : `unknown cause${cpu}: read its logs, or set retry_unknown to retry it unchanged`
      continue
    }
    if (f.cause === 'node_failure') {
      entry.reason = orphans.some((o) => o.job_id === f.job_id)
        ? 'still marked running but its compute node is gone: failed with -128 and retried unchanged'
        : 'its compute node was lost (return code -128): retried unchanged'
      continue
    }
    const rr = f.resource_requirements_id
    if (rr == null || !requirements.has(rr)) {
      entry.action = 'skip'
      entry.reason = 'no resource requirements to adjust: set them with update_job_resources first'
      continue
    }
    groups.set(rr, [...(groups.get(rr) ?? []), f])
  }

  const adjustments: Adjustment[] = []
  const warnings: string[] = []
  for (const [rrId, members] of [...groups].sort(([a], [b]) => a - b)) {
    const rr = requirements.get(rrId)!
    const seen = observed.get(rrId) ?? {}
    const ids = new Set(members.map((m) => m.job_id))
    const memory = members.some(isOom) ? memoryChange(rr, seen, ids, options.memory_multiplier, warnings) : null
    const runtime = members.some(isTimeout) ? runtimeChange(rr, seen, ids, options.runtime_multiplier, warnings) : null
    for (const m of members) {
      const entry = planned.get(m.job_id)!
      entry.memory = isOom(m) ? memory : null
      entry.runtime = isTimeout(m) ? runtime : null
      const unparsedRuntime = isTimeout(m) && runtime === null
      if (unparsedRuntime && !isOom(m)) {
        entry.action = 'skip'
        entry.reason = `timed out, but its runtime "${rr.runtime}" cannot be read: set it with update_job_resources`
        continue
      }
      entry.reason = [
        entry.memory && `memory ${entry.memory.old} → ${entry.memory.new}`,
        entry.runtime && `runtime ${entry.runtime.old} → ${entry.runtime.new}`,
      ]
        .filter(Boolean)
        .join(', ')
    }
    const retried = members.filter((m) => planned.get(m.job_id)!.action === 'retry').map((m) => m.job_id)
    if (!retried.length || (!memory && !runtime)) continue
    const memberIds = new Set(members.map((m) => m.job_id))
    const shared = [...jobs.values()]
      .filter((j) => j.resource_requirements_id === rrId && !memberIds.has(j.id))
      .map((j) => j.id)
    adjustments.push({
      resource_requirements_id: rrId,
      name: rr.name,
      job_ids: retried,
      memory,
      runtime,
      shared_with_job_ids: shared.slice(0, SHARED_LISTED),
      shared_with_count: shared.length,
    })
  }

  // torc 1.0.0's initialize_jobs readies every terminated job when the new run starts, reset or not.
  for (const e of planned.values()) {
    if (e.action === 'skip' && e.status === 'terminated') {
      e.action = 'retry'
      e.reason += `; ${TERMINATED_RERUN}`
    }
  }
  const entries = [...planned.values()].sort((a, b) => a.job_id - b.job_id)
  return {
    warnings,
    jobs: entries,
    adjustments,
    orphaned_running_jobs: [...orphans].sort((a, b) => a.job_id - b.job_id),
    jobs_to_retry: entries.filter((e) => e.action === 'retry').map((e) => e.job_id),
    counts,
  }
}

const isOom = (f: FailedJob) => f.cause === 'oom' || f.cause === 'oom_and_timeout'
const isTimeout = (f: FailedJob) => f.cause === 'timeout' || f.cause === 'oom_and_timeout'

/** Names the job behind a floor when it is not one of the failed jobs being retried. */
const whose = (o: Whose, failed: ReadonlySet<number>) =>
  failed.has(o.job_id) ? '' : `${o.job_name}, ${o.status}, shares this requirement`
const inParens = (text: string) => (text ? ` (${text})` : '')

function memoryChange(
  rr: ResourceRequirements,
  seen: Observed,
  failed: ReadonlySet<number>,
  explicit: number | undefined,
  warnings: string[]
): Change {
  const multiplier = explicit ?? DEFAULT_MEMORY_MULTIPLIER
  const strict = checkMemory(rr.memory)
  const current = 'bytes' in strict ? strict.bytes : reportMemoryBytes(rr.memory)
  const scaled = formatMemoryCeil(Math.max(current * multiplier, current))
  const peak = seen.peak
  const floor = peak === undefined ? undefined : formatMemoryCeil(peak.bytes * HEADROOM)
  const peakText = peak && `peak ${[reportMemory(peak.bytes), whose(peak, failed)].filter(Boolean).join(', ')}`
  const belowFloor = peak !== undefined && reportMemoryBytes(scaled) < peak.bytes * HEADROOM
  if (belowFloor && explicit === undefined) {
    const why =
      `peak ${reportMemory(peak!.bytes)}${inParens(whose(peak!, failed))}: ` +
      `${scaled} would fail again, proposing ${floor} (peak + 10%)`
    return { old: rr.memory, new: floor!, why }
  }
  if (belowFloor) {
    warnings.push(
      `"${rr.name}": ${rr.memory} × ${explicit} = ${scaled} is below the observed ${peakText} + 10% (${floor}): ` +
        'the jobs may run out of memory again.'
    )
  }
  const seenText = peak === undefined ? 'no peak recorded' : peakText!
  const why = `${rr.memory} × ${multiplier} = ${scaled} (${seenText}${belowFloor ? '; below it, as asked' : ''})`
  return { old: rr.memory, new: scaled, why }
}

function runtimeChange(
  rr: ResourceRequirements,
  seen: Observed,
  failed: ReadonlySet<number>,
  explicit: number | undefined,
  warnings: string[]
): Change | null {
  const multiplier = explicit ?? DEFAULT_RUNTIME_MULTIPLIER
  const current = runtimeSeconds(rr.runtime)
  if (current === undefined || current <= 0) return null
  const scaledSeconds = Math.max(current * multiplier, current)
  const scaled = formatRuntimeCeil(scaledSeconds)
  const longest = seen.longest
  const floorSeconds = (longest?.seconds ?? 0) * HEADROOM
  const floor = formatRuntimeCeil(Math.max(floorSeconds, scaledSeconds))
  const ran = longest === undefined ? '' : `ran ${reportDuration(longest.seconds)}${inParens(whose(longest, failed))}`
  // Compared as whole minutes, as proposed: a floor that rounds to the same value changes nothing.
  const belowFloor = floor !== scaled
  if (belowFloor && explicit === undefined) {
    const why = `${ran}: ${scaled} would time out again, proposing ${floor} (longest run + 10%)`
    return { old: rr.runtime, new: floor, why }
  }
  if (belowFloor) {
    warnings.push(
      `"${rr.name}": ${rr.runtime} × ${explicit} = ${scaled} is below the longest run + 10% (${floor}): ` +
        'the jobs may time out again.'
    )
  }
  const note = `${ran ? ` (${ran})` : ''}${belowFloor ? '; below it, as asked' : ''}`
  const why = `${rr.runtime} × ${multiplier} = ${scaled}${note}`
  return { old: rr.runtime, new: scaled, why }
}
