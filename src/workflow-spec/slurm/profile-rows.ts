/** The compact rows torc 1.0.0's built-in HPC profiles are written in (kestrel.ts, dane.ts), and their expansion. */
import type { HpcPartition } from './hpc.ts'

type N = number | null
export type Row = [string, string, number, number, number, N, N, N, N, N, boolean, boolean, string[]]
export const HOUR = 3600
export const DAY = 24 * HOUR

/** Rows: name, description, cpus, memory_mb, walltime, max_nodes, per_user, min_nodes, gpus, disk,
 *  shared, explicit, features. */
export function partitions(rows: Row[], gpu: { type: string; memoryGb: number } | null): HpcPartition[] {
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
