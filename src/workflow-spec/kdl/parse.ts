import { InvalidKdlError, type Node, parse } from '@bgotink/kdl'
import { SpecError } from '../errors.ts'
import { B, block, type Ctx, I, type Kind, nameOf, type Obj, S, scalar, set, stringMap } from './node-readers.ts'
import {
  action,
  executionConfig,
  failureHandler,
  file,
  job,
  resourceMonitor,
  slurmDefaults,
  userData,
} from './sections.ts'

/**
 * KDL v2 to the generic spec value, following torc 1.0.0 `kdl_to_json_value`: nodes are read by
 * name, a scalar takes the node's first entry only when it has the expected KDL type, list nodes
 * repeat, and unknown nodes are ignored (we report each ignored node as a warning instead of
 * dropping it silently). KDL cannot express `*_regexes` file lists, `parameters_file`, `priority`,
 * `project`, `metadata` and a few more; those need JSON or YAML.
 *
 * Deviation (on by default, `kdlAliases`): the shipped KDL examples and docs write
 * `depends_on_job "x"` and plural `input_files`/`output_files`, which 1.0.0 silently ignores, so
 * their dependency graphs differ from their YAML twins. We accept them as aliases of `depends_on`
 * and `input_file`/`output_file`; pass `kdlAliases: false` for strict 1.0.0 parity.
 */

const LISTS = ['jobs', 'files', 'user_data', 'resource_requirements', 'failure_handlers', 'slurm_schedulers', 'actions']
const TOP_SCALARS: Record<string, Kind> = {
  name: S,
  user: S,
  description: S,
  compute_node_expiration_buffer_seconds: I,
  compute_node_wait_for_new_jobs_seconds: I,
  compute_node_ignore_workflow_completion: B,
  compute_node_wait_for_healthy_database_minutes: I,
  use_pending_failed: B,
}
const RR_FIELDS: Record<string, Kind> = { num_cpus: I, num_gpus: I, num_nodes: I, memory: S, runtime: S }
const SCHEDULER_FIELDS: Record<string, Kind> = {
  account: S,
  gres: S,
  mem: S,
  nodes: I,
  ntasks_per_node: I,
  partition: S,
  qos: S,
  tmp: S,
  walltime: S,
  extra: S,
  serialize_allocations: B,
}

/** Parses KDL text into the generic spec value plus warnings for ignored nodes. */
export function kdlToValue(text: string, aliases: boolean): { value: Obj; warnings: string[] } {
  let nodes: Node[]
  try {
    nodes = parse(text, { as: 'document' }).nodes
  } catch (error) {
    if (!(error instanceof InvalidKdlError)) throw error
    const list = error.errors?.length ? error.errors : [error]
    throw new SpecError(
      list.map((e) => ({
        path: '',
        message: `invalid KDL: ${e.message.replace(/ at \d+:\d+$/, '')}`,
        ...(e.start ? { line: e.start.line, column: e.start.column } : {}),
      }))
    )
  }
  const ctx: Ctx = { aliases, warnings: [] }
  const obj: Obj = {}
  const arrays: Record<string, Obj[]> = {}
  for (const key of LISTS) arrays[key] = []
  for (const node of nodes) {
    const key = node.getName()
    const kind = TOP_SCALARS[key]
    if (kind !== undefined) set(obj, key, scalar(node, kind, ctx, 'document'))
    else if (key === 'parameters') set(obj, key, stringMap(node, 'Parameter'))
    else if (key === 'variables') set(obj, key, stringMap(node, 'Variable'))
    else if (key === 'env') set(obj, key, stringMap(node, 'Environment key'))
    else if (key === 'job') arrays['jobs']?.push(job(node, ctx))
    else if (key === 'file') arrays['files']?.push(file(node, ctx))
    else if (key === 'user_data') arrays['user_data']?.push(userData(node, ctx))
    else if (key === 'resource_requirements') {
      const name = nameOf(node, 'resource_requirements must have a name') as string
      arrays['resource_requirements']?.push(block(node, RR_FIELDS, ctx, `resource_requirements "${name}"`, { name }))
    } else if (key === 'failure_handler') arrays['failure_handlers']?.push(failureHandler(node, ctx))
    else if (key === 'slurm_scheduler') {
      const named: Obj = {}
      set(named, 'name', nameOf(node, undefined))
      arrays['slurm_schedulers']?.push(block(node, SCHEDULER_FIELDS, ctx, 'slurm_scheduler', named))
    } else if (key === 'action') arrays['actions']?.push(action(node, ctx))
    else if (key === 'resource_monitor') obj[key] = resourceMonitor(node, ctx)
    else if (key === 'slurm_defaults') obj[key] = slurmDefaults(node)
    else if (key === 'execution_config') obj[key] = executionConfig(node, ctx)
    else ctx.warnings.push(`KDL document > ${key}: unknown node ignored`)
  }
  obj['jobs'] = arrays['jobs']
  for (const [key, list] of Object.entries(arrays)) if (key !== 'jobs' && list.length > 0) obj[key] = list
  return { value: obj, warnings: ctx.warnings }
}
