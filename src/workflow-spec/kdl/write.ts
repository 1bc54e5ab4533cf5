import { Document, format, Node } from '@bgotink/kdl'
import type { JobSpec, WorkflowSpec } from '../model.ts'

/**
 * A typed spec as KDL v2, the inverse of kdl.ts (torc 1.0.0 `to_kdl_str` writes the same nodes):
 * scalars as one-argument child nodes, repeated nodes for lists, string maps as blocks, user data
 * as JSON text. What KDL cannot express (file regex lists, `parameters_file`, `priority`, per-job
 * stdio overrides, ...) is left out here; writeSpec checks the round trip and refuses a lossy one.
 */
type Scalar = string | number | boolean

function leaf(name: string, ...values: Scalar[]): Node {
  const node = Node.create(name)
  for (const v of values) node.addArgument(v)
  return node
}

/** Appends `name value` for each defined scalar field, in the given order. */
function scalars(into: Node | Document, object: object, keys: readonly string[]): void {
  const record = object as Record<string, unknown>
  for (const key of keys) {
    const value = record[key]
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      into.appendNode(leaf(key, value))
    }
  }
}

function block(name: string, build: (node: Node) => void, ...args: Scalar[]): Node {
  const node = leaf(name, ...args)
  build(node)
  return node
}

function stringMap(name: string, map: Record<string, string> | undefined): Node | undefined {
  if (map === undefined || Object.keys(map).length === 0) return undefined
  return block(name, (node) => {
    for (const [key, value] of Object.entries(map)) node.appendNode(leaf(key, value))
  })
}

const add = (into: Node | Document, node: Node | undefined): void => {
  if (node !== undefined) into.appendNode(node)
}

const JOB_SCALARS = [
  'command',
  'invocation_script',
  'cancel_on_blocking_job_failure',
  'supports_termination',
  'resource_requirements',
  'failure_handler',
  'scheduler',
  'parameter_mode',
] as const
const JOB_REPEATED: readonly [keyof JobSpec, string][] = [
  ['depends_on', 'depends_on'],
  ['depends_on_regexes', 'depends_on_regexes'],
  ['input_files', 'input_file'],
  ['output_files', 'output_file'],
  ['input_user_data', 'input_user_data'],
  ['output_user_data', 'output_user_data'],
]

function job(spec: JobSpec): Node {
  return block(
    'job',
    (node) => {
      scalars(node, spec, JOB_SCALARS)
      for (const [key, name] of JOB_REPEATED) {
        for (const value of (spec[key] as string[] | undefined) ?? []) node.appendNode(leaf(name, value))
      }
      add(node, stringMap('env', spec.env))
      add(node, stringMap('parameters', spec.parameters))
      if (spec.use_parameters?.length) node.appendNode(leaf('use_parameters', ...spec.use_parameters))
      if (spec.labels?.length) node.appendNode(leaf('labels', ...spec.labels))
      if (spec.stdio !== undefined) node.appendNode(block('stdio', (s) => scalars(s, spec.stdio ?? {}, STDIO)))
    },
    spec.name
  )
}

const STDIO = ['mode', 'delete_on_success'] as const
const RR = ['num_cpus', 'num_gpus', 'num_nodes', 'memory', 'runtime'] as const
const SCHEDULER = [
  'account',
  'gres',
  'mem',
  'nodes',
  'ntasks_per_node',
  'partition',
  'qos',
  'tmp',
  'walltime',
  'extra',
  'serialize_allocations',
] as const
const ACTION = [
  'trigger_type',
  'action_type',
  'scheduler',
  'scheduler_type',
  'num_allocations',
  'start_one_worker_per_node',
  'max_parallel_jobs',
  'persistent',
] as const
const MONITOR = [
  'enabled',
  'granularity',
  'sample_interval_seconds',
  'flush_interval_seconds',
  'generate_plots',
] as const
const EXECUTION = [
  'mode',
  'limit_resources',
  'enable_cpu_bind',
  'termination_signal',
  'srun_termination_signal',
  'srun_mpi',
  'sigterm_lead_seconds',
  'sigkill_headroom_seconds',
  'timeout_exit_code',
  'oom_exit_code',
] as const
const TOP = [
  'name',
  'user',
  'description',
  'compute_node_expiration_buffer_seconds',
  'compute_node_wait_for_new_jobs_seconds',
  'compute_node_ignore_workflow_completion',
  'compute_node_wait_for_healthy_database_minutes',
  'use_pending_failed',
] as const

/** Writes the spec as a KDL document (tab-indented, one node per line). */
export function specToKdl(spec: WorkflowSpec): string {
  const doc = new Document()
  scalars(doc, spec, TOP)
  add(doc, stringMap('parameters', spec.parameters))
  add(doc, stringMap('variables', spec.variables))
  add(doc, stringMap('env', spec.env))
  for (const j of spec.jobs) doc.appendNode(job(j))
  for (const f of spec.files ?? []) {
    const node = block(
      'file',
      (n) => {
        n.setProperty('path', f.path)
        if (f.identifier !== undefined) n.setProperty('identifier', f.identifier)
        scalars(n, f, ['parameter_mode'])
        add(n, stringMap('parameters', f.parameters))
        if (f.use_parameters?.length) n.appendNode(leaf('use_parameters', ...f.use_parameters))
      },
      f.name
    )
    doc.appendNode(node)
  }
  for (const u of spec.user_data ?? []) {
    const build = (n: Node): void => {
      scalars(n, u, ['is_ephemeral'])
      n.appendNode(leaf('data', JSON.stringify(u.data ?? null)))
    }
    doc.appendNode(u.name === undefined ? block('user_data', build) : block('user_data', build, u.name))
  }
  for (const r of spec.resource_requirements ?? [])
    doc.appendNode(block('resource_requirements', (n) => scalars(n, r, RR), r.name))
  for (const h of spec.failure_handlers ?? []) {
    const rules = (n: Node): void => {
      for (const rule of h.rules) {
        n.appendNode(
          block('rule', (r) => {
            if (rule.exit_codes.length > 0) r.appendNode(leaf('exit_codes', ...rule.exit_codes))
            scalars(r, rule, ['match_all_exit_codes', 'recovery_script', 'max_retries'])
          })
        )
      }
    }
    doc.appendNode(block('failure_handler', rules, h.name))
  }
  for (const s of spec.slurm_schedulers ?? []) {
    const build = (n: Node): void => scalars(n, s, SCHEDULER)
    doc.appendNode(s.name === undefined ? block('slurm_scheduler', build) : block('slurm_scheduler', build, s.name))
  }
  for (const a of spec.actions ?? []) {
    doc.appendNode(
      block('action', (n) => {
        scalars(n, a, ACTION)
        if (a.jobs?.length) n.appendNode(leaf('jobs', ...a.jobs))
        for (const re of a.job_name_regexes ?? []) n.appendNode(leaf('job_name_regexes', re))
        for (const command of a.commands ?? []) n.appendNode(leaf('command', command))
      })
    )
  }
  const monitor = spec.resource_monitor
  if (monitor !== undefined) {
    doc.appendNode(
      block('resource_monitor', (n) => {
        scalars(n, monitor, MONITOR)
        if (monitor.jobs !== undefined)
          n.appendNode(block('jobs', (c) => scalars(c, monitor.jobs ?? {}, ['enabled', 'granularity'])))
        const node = monitor.compute_node
        if (node !== undefined)
          n.appendNode(block('compute_node', (c) => scalars(c, node, ['enabled', 'granularity', 'cpu', 'memory'])))
      })
    )
  }
  const defaults = spec.slurm_defaults
  if (defaults !== undefined) {
    doc.appendNode(
      block('slurm_defaults', (n) => {
        for (const [key, value] of Object.entries(defaults)) {
          if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
            n.appendNode(leaf(key, value))
        }
      })
    )
  }
  const execution = spec.execution_config
  if (execution !== undefined) {
    doc.appendNode(
      block('execution_config', (n) => {
        scalars(n, execution, EXECUTION)
        if (execution.stdio !== undefined) n.appendNode(block('stdio', (s) => scalars(s, execution.stdio ?? {}, STDIO)))
      })
    )
  }
  return format(doc)
}
