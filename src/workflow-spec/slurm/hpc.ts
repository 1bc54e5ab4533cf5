import { z } from 'zod'

/**
 * HPC profiles (torc 1.0.0 `src/client/hpc/{profiles,kestrel,dane}.rs`) as data. 1.0.0 ships two
 * built-in profiles, `dane` (LLNL) and `kestrel` (NLR, formerly NREL; detection variable now
 * `NLR_CLUSTER`), and Kestrel's CPU partitions are 246,064 MB (240g), not the docs' 240,000.
 * The edge cannot detect the cluster, so callers name a profile; custom profiles use the same shape.
 */
export const HpcPartitionSchema = z.object({
  name: z.string(),
  description: z.string().default(''),
  cpus_per_node: z.int().nonnegative(),
  memory_mb: z.int().nonnegative(),
  max_walltime_secs: z.int().nonnegative(),
  max_nodes: z.int().nullish(),
  max_nodes_per_user: z.int().nullish(),
  min_nodes: z.int().nullish(),
  gpus_per_node: z.int().nonnegative().nullish(),
  gpu_type: z.string().nullish(),
  gpu_memory_gb: z.int().nullish(),
  local_disk_gb: z.int().nullish(),
  shared: z.boolean().default(false),
  requires_explicit_request: z.boolean().default(false),
  default_qos: z.string().nullish(),
  features: z.array(z.string()).default([]),
})

export const HpcProfileSchema = z.object({
  name: z.string(),
  display_name: z.string(),
  description: z.string().default(''),
  detection: z.array(z.record(z.string(), z.string())).default([]),
  default_account: z.string().nullish(),
  partitions: z.array(HpcPartitionSchema),
  charge_factor_cpu: z.number().default(1),
  charge_factor_gpu: z.number().default(10),
  metadata: z.record(z.string(), z.string()).default({}),
})

export type HpcPartition = z.output<typeof HpcPartitionSchema>
export type HpcProfile = z.output<typeof HpcProfileSchema>

/** torc's `find_best_partition`: tightest fit by (memory, walltime) after preference filters. */
export function findBestPartition(
  profile: HpcProfile,
  cpus: number,
  memoryMb: number,
  runtimeSecs: number,
  gpus: number | undefined
): HpcPartition | undefined {
  const wantsGpus = gpus !== undefined && gpus > 0
  const matching = profile.partitions.filter(
    (p) =>
      cpus <= p.cpus_per_node &&
      memoryMb <= p.memory_mb &&
      runtimeSecs <= p.max_walltime_secs &&
      (!wantsGpus || (p.gpus_per_node != null && (gpus ?? 0) <= p.gpus_per_node))
  )
  if (matching.length === 0) return undefined
  const nonDebug = matching.filter((p) => !p.name.toLowerCase().includes('debug'))
  const candidates = nonDebug.length > 0 ? nonDebug : matching
  const tightest = (list: HpcPartition[]): HpcPartition | undefined =>
    list.reduce<HpcPartition | undefined>((best, p) => {
      if (best === undefined) return p
      const better =
        p.memory_mb < best.memory_mb || (p.memory_mb === best.memory_mb && p.max_walltime_secs < best.max_walltime_secs)
      return better ? p : best
    }, undefined)
  const hasGpus = (p: HpcPartition): boolean => p.gpus_per_node != null
  if (wantsGpus) {
    const pick =
      tightest(candidates.filter((p) => hasGpus(p) && !p.requires_explicit_request)) ??
      tightest(candidates.filter(hasGpus))
    if (pick !== undefined) return pick
  }
  if (cpus <= 26 && memoryMb <= 60_000) {
    const pick = tightest(candidates.filter((p) => p.shared && !p.requires_explicit_request && !hasGpus(p)))
    if (pick !== undefined) return pick
  }
  if (!wantsGpus) {
    const pick = tightest(candidates.filter((p) => !p.requires_explicit_request && !hasGpus(p)))
    if (pick !== undefined) return pick
  }
  return tightest(candidates.filter((p) => !p.requires_explicit_request)) ?? tightest(candidates)
}
