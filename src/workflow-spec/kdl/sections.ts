import type { Node } from '@bgotink/kdl'
import { SpecError } from '../errors.ts'
import {
  B,
  block,
  type Ctx,
  children,
  field,
  I,
  isInt,
  type Kind,
  nameOf,
  type Obj,
  S,
  scalar,
  set,
  stringMap,
  strings,
} from './node-readers.ts'

/**
 * Builders for the KDL sections that need more than a block of scalars: job (with the
 * `kdlAliases` deviation described in parse.ts), file, user_data, failure_handler, action,
 * resource_monitor, execution_config and slurm_defaults.
 */

const STDIO_FIELDS: Record<string, Kind> = { mode: 'string', delete_on_success: 'bool' }

export function job(node: Node, ctx: Ctx): Obj {
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

export function file(node: Node, ctx: Ctx): Obj {
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

export function userData(node: Node, ctx: Ctx): Obj {
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

export function failureHandler(node: Node, ctx: Ctx): Obj {
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

export function action(node: Node, ctx: Ctx): Obj {
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

export function resourceMonitor(node: Node, ctx: Ctx): Obj {
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

export function executionConfig(node: Node, ctx: Ctx): Obj {
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

export function slurmDefaults(node: Node): Obj {
  const obj: Obj = {}
  for (const child of children(node)) {
    const entry = child.entries[0]
    if (entry === undefined) continue
    const v = entry.getValue()
    if (typeof v === 'string' || typeof v === 'boolean' || isInt(entry)) obj[child.getName()] = v
  }
  return obj
}
