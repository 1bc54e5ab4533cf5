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

type N = number | null
type Row = [string, string, number, number, number, N, N, N, N, N, boolean, boolean, string[]]
const HOUR = 3600
const DAY = 24 * HOUR

/** Rows: name, description, cpus, memory_mb, walltime, max_nodes, per_user, min_nodes, gpus, disk,
 *  shared, explicit, features. */
function partitions(rows: Row[], gpu: { type: string; memoryGb: number } | null): HpcPartition[] {
  return rows.map((row) => {
    const [name, description, cpus, mem, wall, max, perUser, min, gpus, disk, shared, explicit, features] = row
    return {
      name,
      description,
      cpus_per_node: cpus,
      memory_mb: mem,
      max_walltime_secs: wall,
      max_nodes: max,
      max_nodes_per_user: perUser,
      min_nodes: min,
      gpus_per_node: gpus,
      gpu_type: gpus === null || gpu === null ? null : gpu.type,
      gpu_memory_gb: gpus === null || gpu === null ? null : gpu.memoryGb,
      local_disk_gb: disk,
      shared,
      requires_explicit_request: explicit,
      default_qos: null,
      features,
    }
  })
}

const KESTREL: HpcProfile = {
  name: 'kestrel',
  display_name: 'NLR Kestrel',
  description: "NLR's flagship HPC system with CPU and GPU nodes",
  detection: [{ type: 'env_var', name: 'NLR_CLUSTER', value: 'kestrel' }],
  default_account: null,
  charge_factor_cpu: 10,
  charge_factor_gpu: 100,
  metadata: {
    documentation: 'https://nrel.github.io/HPC/Documentation/Systems/Kestrel/Running/',
    support_email: 'HPC-Help@nrel.gov',
  },
  partitions: partitions(
    [
      [
        'debug',
        'Nodes dedicated to developing and troubleshooting jobs',
        104,
        246_064,
        HOUR,
        2,
        2,
        null,
        2,
        null,
        true,
        true,
        ['debug'],
      ],
      [
        'short',
        'Nodes that prefer jobs with walltimes <= 4 hours',
        104,
        246_064,
        4 * HOUR,
        2240,
        null,
        null,
        null,
        null,
        false,
        false,
        [],
      ],
      [
        'standard',
        'Nodes that prefer jobs with walltimes <= 2 days',
        104,
        246_064,
        2 * DAY,
        2240,
        1050,
        null,
        null,
        null,
        false,
        false,
        [],
      ],
      [
        'long',
        'Nodes that prefer jobs with walltimes > 2 days (max 10 days)',
        104,
        246_064,
        10 * DAY,
        430,
        215,
        null,
        null,
        null,
        false,
        false,
        [],
      ],
      ['medmem', 'Nodes with 1TB of RAM', 104, 984_256, 10 * DAY, 64, 32, null, null, null, false, false, ['highmem']],
      [
        'bigmem',
        'Nodes with 2TB RAM and 5.6TB NVMe local disk',
        104,
        2_000_000,
        2 * DAY,
        10,
        4,
        null,
        null,
        5600,
        false,
        false,
        ['bigmem', 'nvme'],
      ],
      [
        'bigmeml',
        'Bigmem nodes for jobs > 2 days (max 10 days)',
        104,
        2_000_000,
        10 * DAY,
        4,
        2,
        null,
        null,
        5600,
        false,
        false,
        ['bigmem', 'nvme'],
      ],
      [
        'hbw',
        'CPU nodes with dual network interface cards for multi-node jobs',
        104,
        246_064,
        2 * DAY,
        512,
        256,
        2,
        null,
        null,
        false,
        true,
        ['dual-nic'],
      ],
      [
        'hbwl',
        'HBW nodes for jobs > 2 days (max 10 days)',
        104,
        246_064,
        10 * DAY,
        128,
        64,
        2,
        null,
        null,
        false,
        true,
        ['dual-nic'],
      ],
      [
        'nvme',
        'CPU nodes with 1.7TB NVMe local drives',
        104,
        246_064,
        2 * DAY,
        256,
        128,
        null,
        null,
        1700,
        false,
        true,
        ['nvme'],
      ],
      [
        'shared',
        'Nodes that can be shared by multiple users and jobs',
        104,
        246_064,
        2 * DAY,
        128,
        64,
        null,
        null,
        null,
        true,
        true,
        ['shared'],
      ],
      [
        'sharedl',
        'Shared nodes for jobs > 2 days',
        104,
        246_064,
        10 * DAY,
        32,
        16,
        null,
        null,
        null,
        true,
        true,
        ['shared'],
      ],
      [
        'gpu-h100s',
        'GPU nodes preferring jobs <= 4 hours',
        128,
        360_000,
        4 * HOUR,
        156,
        null,
        null,
        4,
        3400,
        true,
        false,
        ['gpu', 'h100'],
      ],
      [
        'gpu-h100',
        'GPU nodes with 4x NVIDIA H100 SXM 80GB',
        128,
        360_000,
        2 * DAY,
        156,
        null,
        null,
        4,
        3400,
        true,
        false,
        ['gpu', 'h100'],
      ],
      [
        'gpu-h100l',
        'GPU nodes for jobs > 2 days',
        128,
        360_000,
        10 * DAY,
        39,
        null,
        null,
        4,
        3400,
        true,
        false,
        ['gpu', 'h100'],
      ],
    ],
    { type: 'h100', memoryGb: 80 }
  ),
}

const DANE: HpcProfile = {
  name: 'dane',
  display_name: 'LLNL Dane',
  description: "Lawrence Livermore National Laboratory's Dane cluster",
  detection: [{ type: 'env_var', name: 'CLUSTER', value: 'dane' }],
  default_account: null,
  charge_factor_cpu: 1,
  charge_factor_gpu: 1,
  metadata: { documentation: 'https://hpc.llnl.gov/hardware/compute-platforms/dane', organization: 'LLNL' },
  partitions: partitions(
    [
      [
        'pdebug',
        'Debug partition for developing and testing jobs',
        112,
        257_054,
        HOUR,
        null,
        null,
        null,
        null,
        null,
        false,
        true,
        ['debug'],
      ],
      [
        'pbatch',
        'Default batch partition for standard jobs (max 1 day)',
        112,
        257_054,
        DAY,
        null,
        null,
        null,
        null,
        null,
        false,
        false,
        [],
      ],
      [
        'pci',
        'CI partition for continuous integration jobs',
        112,
        257_054,
        DAY,
        null,
        null,
        null,
        null,
        null,
        false,
        true,
        ['ci'],
      ],
      [
        'pserial',
        'Serial partition for long-running jobs (max 7 days)',
        112,
        257_054,
        7 * DAY,
        null,
        null,
        null,
        null,
        null,
        false,
        true,
        ['serial'],
      ],
      [
        'pjupyter',
        'Partition for Jupyter notebook sessions',
        112,
        257_054,
        DAY,
        null,
        null,
        null,
        null,
        null,
        true,
        true,
        ['jupyter'],
      ],
      [
        'pall',
        'Special partition with unlimited walltime (requires special access)',
        112,
        257_054,
        365 * DAY,
        null,
        null,
        null,
        null,
        null,
        false,
        true,
        ['special'],
      ],
    ],
    null
  ),
}

/** The built-in profiles of torc 1.0.0, in registry order. */
export const HPC_PROFILES: readonly HpcProfile[] = [DANE, KESTREL]

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
