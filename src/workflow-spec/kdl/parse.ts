import { type Entry, InvalidKdlError, type Node, parse } from '@bgotink/kdl'
import { SpecError } from '../errors.ts'

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
type Obj = Record<string, unknown>
type Kind = 'string' | 'int' | 'bool'

interface Ctx {
  aliases: boolean
  warnings: string[]
}

const INTEGER = /^[+-]?(0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|[0-9][0-9_]*)$/
const isInt = (entry: Entry): boolean =>
  typeof entry.getValue() === 'number' && INTEGER.test(entry.value.representation ?? String(entry.getValue()))

function scalar(node: Node, kind: Kind, ctx: Ctx, where: string): unknown {
  const entry = node.entries[0]
  if (entry === undefined) return undefined
  const v = entry.getValue()
  const ok = kind === 'string' ? typeof v === 'string' : kind === 'bool' ? typeof v === 'boolean' : isInt(entry)
  if (ok) return v
  const shown = entry.value.representation ?? String(v)
  const expected = kind === 'int' ? 'an integer' : `a ${kind}`
  ctx.warnings.push(`KDL ${where} > ${node.getName()}: value ${shown} is not ${expected} and was ignored`)
  return undefined
}

const children = (node: Node): Node[] => node.children?.nodes ?? []
const strings = (node: Node): string[] =>
  node.entries.map((e) => e.getValue()).filter((v): v is string => typeof v === 'string')

function set(obj: Obj, key: string, value: unknown): void {
  if (value !== undefined) obj[key] = value
}

function nameOf(node: Node, error: string | undefined): string | undefined {
  const v = node.entries[0]?.getValue()
  if (typeof v === 'string') return v
  if (error !== undefined) throw new SpecError([{ path: node.getName(), message: error }])
  return undefined
}

function stringMap(node: Node, label: string): Obj | undefined {
  const out: Obj = {}
  for (const child of children(node)) {
    const v = child.entries[0]?.getValue()
    if (typeof v !== 'string') {
      throw new SpecError([{ path: node.getName(), message: `${label} '${child.getName()}' must have a string value` }])
    }
    out[child.getName()] = v
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** Reads one scalar child of a block into `into`; warns and skips when the node is unknown. */
function field(child: Node, fields: Record<string, Kind>, ctx: Ctx, where: string, into: Obj): void {
  const kind = fields[child.getName()]
  if (kind === undefined) ctx.warnings.push(`KDL ${where} > ${child.getName()}: unknown node ignored`)
  else set(into, child.getName(), scalar(child, kind, ctx, where))
}

/** Reads a block whose children are all scalars of known kinds. */
function block(node: Node, fields: Record<string, Kind>, ctx: Ctx, where: string, into: Obj = {}): Obj {
  for (const child of children(node)) field(child, fields, ctx, where, into)
  return into
}

const S: Kind = 'string'
const I: Kind = 'int'
const B: Kind = 'bool'

function job(node: Node, ctx: Ctx): Obj {
  const name = nameOf(node, 'job must have a name') as string
  const where = `job "${name}"`
  const obj: Obj = { name }
  const lists: Record<string, string[]> = {}
  const push = (key: string, values: string[]): void => {
    ;(lists[key] ??= []).push(...values)
  }
  const singles: Record<string, Kind> = {
    command: S,
    invocation_script: S,
    cancel_on_blocking_job_failure: B,
    supports_termination: B,
    resource_requirements: S,
    failure_handler: S,
    scheduler: S,
    parameter_mode: S,
  }
  const repeated: Record<string, string> = {
    depends_on: 'depends_on',
    depends_on_regexes: 'depends_on_regexes',
    input_file: 'input_files',
    output_file: 'output_files',
    input_user_data: 'input_user_data',
    output_user_data: 'output_user_data',
  }
  for (const child of children(node)) {
    const key = child.getName()
    const single = singles[key]
    const list = repeated[key]
    if (single !== undefined) set(obj, key, scalar(child, single, ctx, where))
    else if (list !== undefined) {
      const v = scalar(child, S, ctx, where)
      if (typeof v === 'string') push(list, [v])
    } else if (ctx.aliases && key === 'depends_on_job') {
      const v = scalar(child, S, ctx, where)
      if (typeof v === 'string') push('depends_on', [v])
    } else if (ctx.aliases && (key === 'input_files' || key === 'output_files')) push(key, strings(child))
    else if (key === 'env') set(obj, 'env', stringMap(child, 'Environment key'))
    else if (key === 'parameters') set(obj, 'parameters', stringMap(child, 'Parameter'))
    else if (key === 'use_parameters') {
      const names = strings(child)
      if (names.length > 0) obj['use_parameters'] = names
    } else if (key === 'labels') {
      const values = child.entries.map((e) => e.getValue())
      if (values.some((v) => typeof v !== 'string')) {
        throw new SpecError([{ path: where, message: 'job labels must be string values' }])
      }
      obj['labels'] = values
    } else if (key === 'stdio') obj['stdio'] = block(child, STDIO_FIELDS, ctx, `${where} > stdio`)
    else ctx.warnings.push(`KDL ${where} > ${key}: unknown node ignored`)
  }
  for (const key of Object.values(repeated)) {
    const values = lists[key]
    if (values !== undefined && values.length > 0) obj[key] = values
  }
  return obj
}

function file(node: Node, ctx: Ctx): Obj {
  const name = nameOf(node, 'file must have a name') as string
  const obj: Obj = { name }
  for (const prop of ['path', 'identifier']) {
    const v = node.getProperty(prop)
    if (typeof v === 'string') obj[prop] = v
  }
  for (const child of children(node)) {
    const key = child.getName()
    if (key === 'path' || key === 'identifier' || key === 'parameter_mode') {
      set(obj, key, scalar(child, S, ctx, `file "${name}"`))
    } else if (key === 'parameters') set(obj, 'parameters', stringMap(child, 'Parameter'))
    else if (key === 'use_parameters') {
      const names = strings(child)
      if (names.length > 0) obj['use_parameters'] = names
    } else ctx.warnings.push(`KDL file "${name}" > ${key}: unknown node ignored`)
  }
  if (!('path' in obj)) throw new SpecError([{ path: `file "${name}"`, message: 'file must have a path property' }])
  return obj
}

function userData(node: Node, ctx: Ctx): Obj {
  const obj: Obj = {}
  set(obj, 'name', nameOf(node, undefined))
  const where = `user_data "${String(obj['name'] ?? '')}"`
  let data: string | undefined
  for (const child of children(node)) {
    if (child.getName() === 'is_ephemeral') set(obj, 'is_ephemeral', scalar(child, B, ctx, where))
    else if (child.getName() === 'data') {
      const v = child.entries[0]?.getValue()
      data = typeof v === 'string' ? v : undefined
    } else ctx.warnings.push(`KDL ${where} > ${child.getName()}: unknown node ignored`)
  }
  if (data === undefined) throw new SpecError([{ path: where, message: 'user_data must have a data property' }])
  try {
    obj['data'] = JSON.parse(data)
  } catch (error) {
    throw new SpecError([{ path: `${where} > data`, message: `invalid JSON: ${(error as Error).message}` }])
  }
  return obj
}

function failureHandler(node: Node, ctx: Ctx): Obj {
  const name = nameOf(node, 'failure_handler must have a name') as string
  const rules: Obj[] = []
  for (const child of children(node)) {
    if (child.getName() !== 'rule') {
      ctx.warnings.push(`KDL failure_handler "${name}" > ${child.getName()}: unknown node ignored`)
      continue
    }
    const rule: Obj = {}
    for (const r of children(child)) {
      if (r.getName() === 'exit_codes') {
        const codes = r.entries.filter(isInt).map((e) => e.getValue())
        if (codes.length > 0) rule['exit_codes'] = codes
      } else {
        const fields = { match_all_exit_codes: B, recovery_script: S, max_retries: I }
        field(r, fields, ctx, `failure_handler "${name}" > rule`, rule)
      }
    }
    rules.push(rule)
  }
  return { name, rules }
}

function action(node: Node, ctx: Ctx): Obj {
  const obj: Obj = {}
  const jobs: string[] = []
  const regexes: string[] = []
  const commands: string[] = []
  const fields: Record<string, Kind> = {
    trigger_type: S,
    action_type: S,
    scheduler: S,
    scheduler_type: S,
    num_allocations: I,
    start_one_worker_per_node: B,
    max_parallel_jobs: I,
    persistent: B,
  }
  for (const child of children(node)) {
    const key = child.getName()
    const first = (): string | undefined => {
      const v = scalar(child, S, ctx, 'action')
      return typeof v === 'string' ? v : undefined
    }
    if (key === 'job') jobs.push(...[first()].filter((v): v is string => v !== undefined))
    else if (key === 'jobs') jobs.push(...strings(child))
    else if (key === 'job_name_regexes') regexes.push(...[first()].filter((v): v is string => v !== undefined))
    else if (key === 'command') commands.push(...[first()].filter((v): v is string => v !== undefined))
    else field(child, fields, ctx, 'action', obj)
  }
  if (jobs.length > 0) obj['jobs'] = jobs
  if (regexes.length > 0) obj['job_name_regexes'] = regexes
  if (commands.length > 0) obj['commands'] = commands
  return obj
}

function resourceMonitor(node: Node, ctx: Ctx): Obj {
  const obj: Obj = {}
  const fields: Record<string, Kind> = {
    enabled: B,
    granularity: S,
    sample_interval_seconds: I,
    flush_interval_seconds: I,
    generate_plots: B,
  }
  for (const child of children(node)) {
    const key = child.getName()
    if (key === 'jobs' || key === 'compute_node') {
      obj[key] = block(child, { enabled: B, cpu: B, memory: B, granularity: S }, ctx, `resource_monitor > ${key}`)
    } else field(child, fields, ctx, 'resource_monitor', obj)
  }
  return obj
}

function executionConfig(node: Node, ctx: Ctx): Obj {
  const obj: Obj = {}
  const fields: Record<string, Kind> = {
    mode: S,
    limit_resources: B,
    enable_cpu_bind: B,
    termination_signal: S,
    srun_termination_signal: S,
    srun_mpi: S,
    sigterm_lead_seconds: I,
    sigkill_headroom_seconds: I,
    timeout_exit_code: I,
    oom_exit_code: I,
  }
  for (const child of children(node)) {
    if (child.getName() === 'stdio') obj['stdio'] = block(child, STDIO_FIELDS, ctx, 'execution_config > stdio')
    else field(child, fields, ctx, 'execution_config', obj)
  }
  return obj
}

function slurmDefaults(node: Node): Obj {
  const obj: Obj = {}
  for (const child of children(node)) {
    const entry = child.entries[0]
    if (entry === undefined) continue
    const v = entry.getValue()
    if (typeof v === 'string' || typeof v === 'boolean' || isInt(entry)) obj[child.getName()] = v
  }
  return obj
}

const LISTS = ['jobs', 'files', 'user_data', 'resource_requirements', 'failure_handlers', 'slurm_schedulers', 'actions']
const STDIO_FIELDS: Record<string, Kind> = { mode: 'string', delete_on_success: 'bool' }
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
