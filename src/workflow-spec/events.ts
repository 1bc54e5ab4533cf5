import type { JobGraph } from './graph.ts'

/**
 * The event DAG shared by both execution-plan sources (torc 1.0.0 `ExecutionPlan`). An event means
 * "these jobs completed, so those become ready". Rust keeps events in a HashMap; we emit them in
 * creation order (breadth-first from `start`), group members in job order, and make event ids
 * unique by suffixing `_2`, `_3`, … where Rust lets a later event overwrite an earlier one with the
 * same id (a documented bug that loses events).
 */
export interface SchedulerAllocation {
  scheduler: string
  scheduler_type: string
  num_allocations: number
  jobs: string[]
}

export type EventTrigger = { type: 'WorkflowStart' } | { type: 'JobsComplete'; data: { jobs: string[] } }

export interface ExecutionEvent {
  id: string
  trigger: EventTrigger
  trigger_description: string
  scheduler_allocations: SchedulerAllocation[]
  jobs_becoming_ready: string[]
  depends_on_events: string[]
  unlocks_events: string[]
}

export interface EventDag {
  events: ExecutionEvent[]
  root_events: string[]
  leaf_events: string[]
}

/** Callbacks that give the source-specific allocations. */
export interface AllocationSource {
  atStart(roots: number[]): SchedulerAllocation[]
  forGroup(group: number[]): SchedulerAllocation[]
}

const compareCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Builds the event DAG; node order (job order for a spec, server order for the database) sets output order. */
export function buildEvents(graph: JobGraph, allocations: AllocationSource): EventDag {
  const n = graph.names.length
  const pending = graph.deps.map((d) => d.length)
  const dependents: (number[] | undefined)[] = new Array<number[] | undefined>(n)
  graph.deps.forEach((deps, node) => {
    for (const d of deps) (dependents[d] ??= []).push(node)
  })
  const roots: number[] = []
  for (let i = 0; i < n; i++) if (pending[i] === 0) roots.push(i)
  const readyEvent: (number | undefined)[] = new Array<number | undefined>(n)
  const events: ExecutionEvent[] = [
    {
      id: 'start',
      trigger: { type: 'WorkflowStart' },
      trigger_description: 'Workflow Start',
      scheduler_allocations: allocations.atStart(roots),
      jobs_becoming_ready: roots.map((i) => graph.names[i] as string),
      depends_on_events: [],
      unlocks_events: [],
    },
  ]
  const dependsOn: number[][] = [[]]
  for (const r of roots) readyEvent[r] = 0
  const usedIds = new Set(['start'])
  let frontier = roots
  while (frontier.length > 0) {
    const newly: number[] = []
    for (const node of frontier) {
      for (const next of dependents[node] ?? []) {
        const left = (pending[next] ?? 0) - 1
        pending[next] = left
        if (left === 0) newly.push(next)
      }
    }
    newly.sort((a, b) => a - b)
    const groups = new Map<string, { deps: string[]; depNodes: number[]; members: number[] }>()
    for (const node of newly) {
      const depNodes = graph.deps[node] ?? []
      // Most nodes wait on one job; key those by its name without building a list per node.
      const sortedDeps =
        depNodes.length === 1 ? undefined : depNodes.map((d) => graph.names[d] as string).sort(compareCodeUnits)
      const key = sortedDeps === undefined ? (graph.names[depNodes[0] as number] as string) : sortedDeps.join('\u0000')
      const group = groups.get(key)
      if (group !== undefined) group.members.push(node)
      else groups.set(key, { deps: sortedDeps ?? [key], depNodes, members: [node] })
    }
    for (const { deps, depNodes, members } of groups.values()) {
      const id = uniqueId(eventId(deps), usedIds)
      const index = events.length
      const parents = [...new Set(depNodes.map((d) => readyEvent[d]).filter((e): e is number => e !== undefined))]
      parents.sort((a, b) => a - b)
      dependsOn.push(parents)
      events.push({
        id,
        trigger: { type: 'JobsComplete', data: { jobs: deps } },
        trigger_description: describe(deps),
        scheduler_allocations: allocations.forGroup(members),
        jobs_becoming_ready: members.map((m) => graph.names[m] as string),
        depends_on_events: parents.map((p) => events[p]?.id as string),
        unlocks_events: [],
      })
      for (const m of members) readyEvent[m] = index
    }
    frontier = newly
  }
  dependsOn.forEach((parents, child) => {
    for (const p of parents) events[p]?.unlocks_events.push(events[child]?.id as string)
  })
  return {
    events,
    root_events: events.filter((e) => e.depends_on_events.length === 0).map((e) => e.id),
    leaf_events: events.filter((e) => e.unlocks_events.length === 0).map((e) => e.id),
  }
}

function uniqueId(id: string, used: Set<string>): string {
  let candidate = id
  for (let k = 2; used.has(candidate); k++) candidate = `${id}_${k}`
  used.add(candidate)
  return candidate
}

/** `after_<job>`, `after_<common prefix>_jobs`, or `after_<first>_and_<n>_more`, as torc names events. */
export function eventId(deps: string[]): string {
  const [first, ...rest] = deps
  if (first === undefined) return 'start'
  if (rest.length === 0) return `after_${first}`
  const chars = Array.from(first)
  let common = chars.length
  for (const other of rest) {
    const otherChars = Array.from(other)
    let k = 0
    while (k < common && k < otherChars.length && chars[k] === otherChars[k]) k++
    common = k
  }
  if (common >= 3) {
    const prefix = chars
      .slice(0, common)
      .join('')
      .replace(/[_0-9]+$/, '')
    if (prefix.length >= 3) return `after_${prefix}_jobs`
  }
  return `after_${first}_and_${rest.length}_more`
}

/** "When job 'a' completes", "When jobs 'a', 'b' complete", or "When 5 jobs complete ('a', 'b'...)". */
export function describe(deps: string[]): string {
  const quoted = (list: string[]): string => list.map((j) => `'${j}'`).join(', ')
  if (deps.length === 1) return `When job '${deps[0]}' completes`
  if (deps.length <= 3) return `When jobs ${quoted(deps)} complete`
  return `When ${deps.length} jobs complete (${quoted(deps.slice(0, 2))}...)`
}
