import { durationToSeconds, parseMemoryMb, secsToWalltime } from '../../torc/units.ts'
import { errorMessage } from '../errors.ts'
import type { JobGraph } from '../graph.ts'
import type { ResourceRequirementsSpec } from '../model.ts'
import { findBestPartition, type HpcPartition, type HpcProfile } from './hpc.ts'

/**
 * Scheduler planning (torc 1.0.0 `scheduler_plan.rs`): group jobs by resource requirements (or by
 * partition, the 1.0.0 CLI default), choose a partition, a walltime and an allocation count per
 * group. Differences from the 0.1x docs that 1.0.0 forces: allocations count time slots against the
 * walltime actually requested (not the partition maximum), and every generated action is
 * `on_jobs_ready` on the group's jobs (root groups included) instead of `on_workflow_start`.
 * Groups come out in first-appearance order rather than HashMap order.
 */
export type GroupBy = 'partition' | 'resource-requirements'
export type WalltimeStrategy = 'max-job-runtime' | 'max-partition-time'

export interface PlannedScheduler {
  name: string
  account: string
  /** Set only for partitions that must be requested explicitly. */
  partition?: string
  resolved_partition: string
  mem: string
  walltime: string
  nodes: number
  gres?: string
  qos?: string
  resource_requirements: string
  has_dependencies: boolean
  job_count: number
  job_names: string[]
  num_allocations: number
}

export interface PlannedAction {
  trigger_type: 'on_jobs_ready'
  scheduler_name: string
  job_names: string[]
  num_allocations: number
}

export interface SchedulerPlan {
  schedulers: PlannedScheduler[]
  actions: PlannedAction[]
  assignments: Map<string, string>
  warnings: string[]
}

export interface PlanSettings {
  profile: HpcProfile
  account: string
  singleAllocation: boolean
  groupBy: GroupBy
  walltimeStrategy: WalltimeStrategy
  walltimeMultiplier: number
  addActions: boolean
}

interface Demand {
  cpus: number
  memoryMb: number
  runtime: number
  gpus: number
  nodes: number
}

interface Group extends Demand {
  key: string
  hasDeps: boolean
  count: number
  names: string[]
  gate?: string[]
  rrNames: string[]
  partition: string
}

const MERGE_THRESHOLD = 2
const u32 = (n: number): number => Number(BigInt.asUintN(32, BigInt(Math.trunc(n))))

/** Plans schedulers for the expanded spec's graph. */
export function planSchedulers(
  graph: JobGraph,
  rrs: ResourceRequirementsSpec[],
  settings: PlanSettings
): SchedulerPlan {
  const plan: SchedulerPlan = { schedulers: [], actions: [], assignments: new Map(), warnings: [] }
  const byName = new Map(rrs.map((r) => [r.name, r]))
  const groups: Group[] = []
  for (const group of schedulerGroups(graph)) {
    const rr = byName.get(group.rr)
    if (rr === undefined) {
      plan.warnings.push(`Resource requirements '${group.rr}' not found, skipping ${group.names.length} job(s)`)
      continue
    }
    const demand = resolveDemand(rr, plan.warnings)
    if (demand === undefined) continue
    const partition = bestPartition(settings.profile, demand)
    if (partition === undefined) {
      const gpus = demand.gpus > 0 ? `Some(${demand.gpus})` : 'None'
      plan.warnings.push(
        `No partition found for resource requirements '${rr.name}' (CPUs: ${rr.num_cpus}, Memory: ` +
          `${rr.memory}, Runtime: ${rr.runtime}, GPUs: ${gpus})`
      )
      continue
    }
    if (settings.groupBy === 'resource-requirements' && (demand.cpus === 0 || demand.memoryMb === 0)) {
      plan.warnings.push(`Invalid resource requirements for '${rr.name}': CPUs or memory is zero`)
      continue
    }
    groups.push({
      ...demand,
      key: rr.name,
      hasDeps: group.hasDeps,
      count: group.names.length,
      names: group.names,
      rrNames: [rr.name],
      partition: partition.name,
    })
  }
  const planned = settings.groupBy === 'partition' ? mergeByPartition(groups, settings) : groups
  for (const group of planned) emit(group, settings, plan)
  return plan
}

function schedulerGroups(graph: JobGraph): { rr: string; hasDeps: boolean; names: string[] }[] {
  const groups = new Map<string, { rr: string; hasDeps: boolean; names: string[] }>()
  graph.names.forEach((name, i) => {
    const rr = graph.resourceRequirements[i]
    if (graph.labeled[i] || rr === undefined) return
    const hasDeps = (graph.deps[i]?.length ?? 0) > 0
    const key = `${hasDeps ? 1 : 0}\u0000${rr}`
    const group = groups.get(key)
    if (group === undefined) groups.set(key, { rr, hasDeps, names: [name] })
    else group.names.push(name)
  })
  return [...groups.values()]
}

function resolveDemand(rr: ResourceRequirementsSpec, warnings: string[]): Demand | undefined {
  let memoryMb: number
  let runtime: number
  try {
    memoryMb = parseMemoryMb(rr.memory)
  } catch (error) {
    warnings.push(`Failed to parse memory '${rr.memory}' for RR '${rr.name}': ${errorMessage(error)}`)
    return undefined
  }
  try {
    runtime = durationToSeconds(rr.runtime)
  } catch (error) {
    warnings.push(`Failed to parse runtime '${rr.runtime}' for RR '${rr.name}': ${errorMessage(error)}`)
    return undefined
  }
  const gpus = rr.num_gpus > 0 ? u32(rr.num_gpus) : 0
  return { cpus: u32(rr.num_cpus), memoryMb, runtime, gpus, nodes: u32(rr.num_nodes) }
}

const bestPartition = (profile: HpcProfile, d: Demand): HpcPartition | undefined =>
  findBestPartition(profile, d.cpus, d.memoryMb, d.runtime, d.gpus || undefined)

function walltimeFor(runtime: number, partition: HpcPartition, settings: PlanSettings): number {
  if (settings.walltimeStrategy === 'max-partition-time' || runtime === 0) return partition.max_walltime_secs
  return Math.min(Math.ceil(runtime * settings.walltimeMultiplier), partition.max_walltime_secs)
}

/** Nodes needed: concurrent jobs per node times sequential slots in the requested walltime. */
function allocations(
  d: Demand,
  count: number,
  partition: HpcPartition,
  walltime: number,
  single: boolean
): number | undefined {
  if (d.cpus === 0 || d.memoryMb === 0) return undefined
  const byCpu = Math.floor(partition.cpus_per_node / d.cpus)
  const byMem = Math.floor(partition.memory_mb / d.memoryMb)
  const gpn = partition.gpus_per_node
  const byGpu = d.gpus > 0 && gpn != null ? Math.floor(gpn / d.gpus) : Infinity
  const concurrent = Math.max(1, Math.min(byCpu, byMem, byGpu))
  const slots = d.runtime === 0 ? 1 : Math.max(1, Math.floor(walltime / d.runtime))
  const total = Math.max(1, Math.ceil(count / (concurrent * slots)) * d.nodes)
  return single ? 1 : total
}

function mergeByPartition(groups: Group[], settings: PlanSettings): Group[] {
  const merged = new Map<string, Group>()
  for (const g of groups) {
    const key = `${g.hasDeps ? 1 : 0}\u0000${g.partition}`
    const pg = merged.get(key)
    if (pg === undefined) {
      merged.set(key, { ...g, key: g.partition, names: [...g.names], rrNames: [...g.rrNames] })
      continue
    }
    absorb(pg, g)
  }
  const groupAllocations = (g: Group): number => {
    const partition = bestPartition(settings.profile, g)
    if (partition === undefined) return Infinity
    const walltime = walltimeFor(g.runtime, partition, settings)
    return allocations(g, g.count, partition, walltime, settings.singleAllocation) ?? Infinity
  }
  for (const partition of new Set(groups.map((g) => g.partition))) {
    const deferred = merged.get(`1\u0000${partition}`)
    const root = merged.get(`0\u0000${partition}`)
    if (deferred === undefined || root === undefined) continue
    if (groupAllocations(deferred) + groupAllocations(root) > MERGE_THRESHOLD) continue
    root.gate = [...root.names]
    absorb(root, deferred)
    merged.delete(`1\u0000${partition}`)
  }
  return [...merged.values()]
}

function absorb(into: Group, g: Group): void {
  into.count += g.count
  into.names.push(...g.names)
  for (const rr of g.rrNames) if (!into.rrNames.includes(rr)) into.rrNames.push(rr)
  into.cpus = Math.max(into.cpus, g.cpus)
  into.memoryMb = Math.max(into.memoryMb, g.memoryMb)
  into.runtime = Math.max(into.runtime, g.runtime)
  into.gpus = Math.max(into.gpus, g.gpus)
  into.nodes = Math.max(into.nodes, g.nodes)
}

function emit(g: Group, settings: PlanSettings, plan: SchedulerPlan): void {
  const partition = bestPartition(settings.profile, g)
  if (partition === undefined) {
    plan.warnings.push(`No partition found for merged group '${g.key}' (this shouldn't happen)`)
    return
  }
  const walltime = walltimeFor(g.runtime, partition, settings)
  const count = allocations(g, g.count, partition, walltime, settings.singleAllocation)
  if (count === undefined) {
    plan.warnings.push(`Invalid resource parameters for group '${g.key}': CPUs or memory is zero`)
    return
  }
  const name = `${g.key}${g.hasDeps ? '_deferred' : ''}_scheduler`
  const scheduler: PlannedScheduler = {
    name,
    account: settings.account,
    resolved_partition: partition.name,
    mem: partition.memory_mb >= 1024 ? `${Math.floor(partition.memory_mb / 1024)}g` : `${partition.memory_mb}m`,
    walltime: secsToWalltime(walltime),
    nodes: settings.singleAllocation ? count : 1,
    resource_requirements: g.rrNames.join(','),
    has_dependencies: g.hasDeps,
    job_count: g.count,
    job_names: g.names,
    num_allocations: count,
  }
  if (partition.requires_explicit_request) scheduler.partition = partition.name
  if (g.gpus > 0) scheduler.gres = `gpu:${g.gpus}`
  if (partition.default_qos != null) scheduler.qos = partition.default_qos
  for (const job of g.names) plan.assignments.set(job, name)
  plan.schedulers.push(scheduler)
  if (settings.addActions) {
    const job_names = g.gate ?? g.names
    plan.actions.push({ trigger_type: 'on_jobs_ready', scheduler_name: name, job_names, num_allocations: count })
  }
}
