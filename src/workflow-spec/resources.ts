import { durationToSeconds, memoryToBytes, parseGresGpus, parseWalltimeSecs } from '../torc/units.ts'
import { errorMessage } from './errors.ts'
import type { SlurmSchedulerSpec, WorkflowSpec } from './model.ts'

/**
 * torc 1.0.0 `validate_scheduler_resources`: each job's runtime, memory and GPUs must fit its own
 * scheduler, and a job without a scheduler must fit at least one scheduler in every dimension.
 * Unset scheduler fields are not checked. `validate_spec` reports these as errors.
 */
interface Parsed {
  name: string
  spec: SlurmSchedulerSpec
  walltime?: number
  memory?: number
  gpus?: number
}

const attempt = <T>(fn: () => T): T | Error => {
  try {
    return fn()
  } catch (error) {
    return error instanceof Error ? error : new Error(errorMessage(error))
  }
}

/** Returns one message per mismatch, in job order. */
export function checkSchedulerResources(spec: WorkflowSpec): string[] {
  const rrs = new Map((spec.resource_requirements ?? []).map((r) => [r.name, r]))
  const all = spec.slurm_schedulers ?? []
  if (rrs.size === 0 || all.length === 0) return []
  const warnings: string[] = []
  const schedulers: Parsed[] = []
  for (const s of all) {
    if (s.name === undefined) continue
    const parsed: Parsed = { name: s.name, spec: s }
    const walltime = attempt(() => parseWalltimeSecs(s.walltime))
    if (walltime instanceof Error) {
      warnings.push(`Scheduler '${s.name}': invalid walltime '${s.walltime}': ${walltime.message}`)
    } else parsed.walltime = walltime
    if (s.mem !== undefined) {
      const mem = s.mem
      const bytes = attempt(() => memoryToBytes(mem))
      if (bytes instanceof Error) warnings.push(`Scheduler '${s.name}': invalid memory '${mem}': ${bytes.message}`)
      else parsed.memory = bytes
    }
    if (s.gres !== undefined && s.gres.trim() !== '') parsed.gpus = parseGresGpus(s.gres) ?? 0
    schedulers.push(parsed)
  }
  if (schedulers.length === 0) return warnings
  const parsedRr = new Map<string, [number | Error, number | Error]>()
  for (const job of spec.jobs) {
    const rr = job.resource_requirements === undefined ? undefined : rrs.get(job.resource_requirements)
    if (rr === undefined) continue
    let cached = parsedRr.get(rr.name)
    if (cached === undefined) {
      cached = [attempt(() => durationToSeconds(rr.runtime)), attempt(() => memoryToBytes(rr.memory))]
      parsedRr.set(rr.name, cached)
    }
    const [runtime, memory] = cached
    if (runtime instanceof Error) {
      warnings.push(`Job '${job.name}': invalid runtime '${rr.runtime}': ${runtime.message}`)
    }
    if (memory instanceof Error) warnings.push(`Job '${job.name}': invalid memory '${rr.memory}': ${memory.message}`)
    const rt = runtime instanceof Error ? undefined : runtime
    const jm = memory instanceof Error ? undefined : memory
    const gpus = rr.num_gpus
    if (gpus < 0) {
      warnings.push(`Job '${job.name}': invalid negative num_gpus ${gpus}`)
      continue
    }
    const runtimeOver = (p: Parsed): boolean => rt !== undefined && p.walltime !== undefined && rt > p.walltime
    const memoryOver = (p: Parsed): boolean => jm !== undefined && p.memory !== undefined && jm > p.memory
    const gpusOver = (p: Parsed): boolean => p.gpus !== undefined && gpus > p.gpus
    if (job.scheduler !== undefined) {
      const p = schedulers.find((s) => s.name === job.scheduler)
      if (p === undefined) continue
      if (runtimeOver(p)) {
        warnings.push(
          `Job '${job.name}': runtime '${rr.runtime}' (${rt} s) exceeds scheduler '${p.name}' walltime ` +
            `'${p.spec.walltime}' (${p.walltime} s)`
        )
      }
      if (memoryOver(p)) {
        const mem = p.spec.mem ?? '?'
        warnings.push(`Job '${job.name}': memory '${rr.memory}' exceeds scheduler '${p.name}' mem '${mem}'`)
      }
      if (gpusOver(p)) {
        const gres = p.spec.gres ?? '?'
        warnings.push(`Job '${job.name}': num_gpus ${gpus} exceeds scheduler '${p.name}' gres '${gres}'`)
      }
      continue
    }
    if (schedulers.some((p) => !runtimeOver(p) && !memoryOver(p) && !gpusOver(p))) continue
    const reasons = schedulers.flatMap((p) => {
      const mismatches: string[] = []
      if (runtimeOver(p)) mismatches.push(`runtime ${rt} s > walltime ${p.walltime} s`)
      if (memoryOver(p)) mismatches.push(`memory '${rr.memory}' > mem '${p.spec.mem ?? '?'}'`)
      if (gpusOver(p)) mismatches.push(`num_gpus ${gpus} > gres '${p.spec.gres ?? '?'}'`)
      return mismatches.length > 0 ? [`'${p.name}': ${mismatches.join(', ')}`] : []
    })
    warnings.push(
      `Job '${job.name}' has no explicit scheduler and no scheduler can accommodate its resource ` +
        `requirements. Mismatches: [${reasons.join('; ')}]`
    )
  }
  return warnings
}
