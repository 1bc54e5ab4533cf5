import type { components } from '../torc/api.ts'
import { checkActions } from './checks.ts'
import { errorMessage, formatIssue, SpecError } from './errors.ts'
import { buildEvents, type ExecutionEvent, type SchedulerAllocation } from './events.ts'
import { type ExpandOptions, expandParameters } from './expand.ts'
import type { SpecFormat } from './formats.ts'
import { graphFromJobs, graphFromSpec, type JobGraph, type PlanJob } from './graph.ts'
import type { WorkflowActionSpec, WorkflowSpec } from './model.ts'
import { type ParseOptions, parseSpec } from './parse.ts'
import { compileRegex } from './regex.ts'
import { substituteExpanded } from './substitute.ts'

/**
 * Execution plans with the JSON shape of torc 1.0.0's MCP `get_execution_plan` (allocation job
 * lists under `jobs`; the CLI calls them `job_names`). 1.0.0 also fires, at `start`, every
 * `on_jobs_ready` action gated only on root jobs, which is how generated schedulers now start.
 */
export interface SpecExecutionPlan {
  source: 'spec'
  workflow_name: string
  total_events: number
  total_jobs: number
  root_events: string[]
  leaf_events: string[]
  events: ExecutionEvent[]
}

export interface DatabaseExecutionPlan extends Omit<SpecExecutionPlan, 'source'> {
  source: 'database'
  workflow_id: number | null
}

export interface PlanOptions extends ParseOptions, ExpandOptions {
  format?: SpecFormat | 'auto'
}

type Api = components['schemas']
/** Data of a workflow already in the database, as the REST API returns it. */
export interface DatabaseWorkflow {
  workflow: Pick<Api['WorkflowModel'], 'id' | 'name'>
  /** `GET /jobs?workflow_id=W&include_relationships=true`, all pages, in server order. */
  jobs: PlanJob[]
  /** `GET /workflows/W/actions`. */
  actions: Pick<Api['WorkflowActionModel'], 'trigger_type' | 'action_type' | 'action_config' | 'job_ids'>[]
  /** `GET /slurm_schedulers?workflow_id=W`, all pages; a failed fetch counts as none. */
  slurmSchedulers?: Pick<Api['SlurmSchedulerModel'], 'id' | 'name'>[]
}

const fail = (prefix: string, error: unknown): never => {
  const text = error instanceof SpecError ? error.issues.map(formatIssue).join('; ') : errorMessage(error)
  throw new SpecError([{ path: '', message: `${prefix}: ${text}` }])
}

/** Plans a spec (text or parsed) the way `get_execution_plan` does before creation. */
export function planExecution(input: string | WorkflowSpec, options: PlanOptions = {}): SpecExecutionPlan {
  let spec: WorkflowSpec
  try {
    spec = typeof input === 'string' ? parseSpec(input, options.format ?? 'auto', options) : input
  } catch (error) {
    return fail('Failed to parse workflow specification', error)
  }
  const expanded = expandParameters(spec, options)
  if (expanded.error !== undefined) fail('Failed to expand parameters', expanded.error)
  const actionsError = checkActions(expanded.spec)
  if (actionsError !== undefined) fail('Failed to validate actions', actionsError)
  spec = substituteExpanded(expanded.spec, expanded.jobOwned, false)
  try {
    const graph = graphFromSpec(spec)
    const dag = buildEvents(graph, specAllocations(spec, graph))
    const totals = { total_events: dag.events.length, total_jobs: spec.jobs.length }
    return { source: 'spec', workflow_name: spec.name, ...totals, ...dag }
  } catch (error) {
    return fail('Failed to build execution plan', error)
  }
}

function specAllocations(spec: WorkflowSpec, graph: JobGraph) {
  const actions = spec.actions ?? []
  const cache = new Map<WorkflowActionSpec, SchedulerAllocation | null>()
  const allocation = (action: WorkflowActionSpec): SchedulerAllocation | null => {
    let hit = cache.get(action)
    if (hit !== undefined) return hit
    hit = null
    if (action.action_type === 'schedule_nodes') {
      if (action.scheduler === undefined) throw new Error('schedule_nodes action missing scheduler')
      if (action.scheduler_type === undefined) throw new Error('schedule_nodes action missing scheduler_type')
      const jobs = [...(action.jobs ?? [])]
      const listed = new Set(jobs)
      for (const pattern of action.job_name_regexes ?? []) {
        const re = compileRegex(pattern)
        for (const job of spec.jobs) {
          if (!listed.has(job.name) && re.test(job.name)) {
            listed.add(job.name)
            jobs.push(job.name)
          }
        }
      }
      const { scheduler, scheduler_type } = action
      hit = { scheduler, scheduler_type, num_allocations: action.num_allocations ?? 1, jobs }
    }
    cache.set(action, hit)
    return hit
  }
  const matchers = actions
    .filter((a) => a.trigger_type === 'on_jobs_ready')
    .map((action) => {
      const exact = new Set(action.jobs ?? [])
      const regexes = (action.job_name_regexes ?? []).flatMap((p) => {
        try {
          return [compileRegex(p)]
        } catch {
          return []
        }
      })
      const matches = (nodes: Iterable<number>): boolean => {
        for (const node of nodes) {
          const name = graph.names[node] as string
          if (exact.has(name) || regexes.some((re) => re.test(name))) return true
        }
        return false
      }
      return { action, matches }
    })
  const collect = (list: WorkflowActionSpec[]): SchedulerAllocation[] =>
    list.map(allocation).filter((a): a is SchedulerAllocation => a !== null)
  return {
    atStart(roots: number[]): SchedulerAllocation[] {
      const rootSet = new Set(roots)
      const others = graph.names.map((_, i) => i).filter((i) => !rootSet.has(i))
      const starters = actions.filter((a) => a.trigger_type === 'on_workflow_start')
      const gated = matchers.filter((m) => m.matches(roots) && !m.matches(others)).map((m) => m.action)
      return collect([...starters, ...gated])
    },
    forGroup(group: number[]): SchedulerAllocation[] {
      return collect(matchers.filter((m) => m.matches(group)).map((m) => m.action))
    },
  }
}

/** Plans a workflow already in the database, from data the caller fetched over REST. */
export function planExecutionFromDatabase(data: DatabaseWorkflow): DatabaseExecutionPlan {
  try {
    const graph = graphFromJobs(data.jobs)
    const dag = buildEvents(graph, databaseAllocations(data, graph))
    return {
      source: 'database',
      workflow_id: data.workflow.id ?? null,
      workflow_name: data.workflow.name,
      total_events: dag.events.length,
      total_jobs: data.jobs.length,
      ...dag,
    }
  } catch (error) {
    return fail('Failed to build execution plan', error)
  }
}

function databaseAllocations(data: DatabaseWorkflow, graph: JobGraph) {
  const schedulerNames = new Map<number, string>()
  for (const s of data.slurmSchedulers ?? []) if (s.id != null && s.name != null) schedulerNames.set(s.id, s.name)
  const nameToId = new Map<string, number>()
  const idToName = new Map<number, string>()
  for (const job of data.jobs) {
    if (job.id == null) continue
    nameToId.set(job.name, job.id)
    if (!idToName.has(job.id)) idToName.set(job.id, job.name)
  }
  const allocation = (action: DatabaseWorkflow['actions'][number]): SchedulerAllocation | null => {
    if (action.action_type !== 'schedule_nodes') return null
    const raw = action.action_config
    const config = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>
    const type = config['scheduler_type']
    if (typeof type !== 'string') throw new Error('Action config missing scheduler_type')
    const count = config['num_allocations']
    const id = config['scheduler_id']
    return {
      scheduler: (Number.isInteger(id) ? schedulerNames.get(id as number) : undefined) ?? `${type}_scheduler`,
      scheduler_type: type,
      num_allocations: Number.isInteger(count) ? (count as number) : 1,
      jobs: (action.job_ids ?? []).flatMap((jobId) => {
        const name = idToName.get(jobId)
        return name === undefined ? [] : [name]
      }),
    }
  }
  const collect = (list: DatabaseWorkflow['actions']): SchedulerAllocation[] =>
    list.map(allocation).filter((a): a is SchedulerAllocation => a !== null)
  const ready = data.actions.filter((a) => a.trigger_type === 'on_jobs_ready')
  return {
    atStart(roots: number[]): SchedulerAllocation[] {
      const rootIds = new Set(roots.flatMap((r) => nameToId.get(graph.names[r] as string) ?? []))
      const gated = ready.filter((a) => {
        const gates = a.job_ids ?? []
        return gates.length > 0 && gates.every((id) => rootIds.has(id))
      })
      return collect([...data.actions.filter((a) => a.trigger_type === 'on_workflow_start'), ...gated])
    },
    forGroup(group: number[]): SchedulerAllocation[] {
      const ids = new Set(group.flatMap((g) => nameToId.get(graph.names[g] as string) ?? []))
      return collect(ready.filter((a) => (a.job_ids ?? []).some((id) => ids.has(id))))
    },
  }
}
