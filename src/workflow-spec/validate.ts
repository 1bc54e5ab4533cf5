import {
  checkActions,
  checkDynamicJobs,
  checkEnvMaps,
  checkFileIdentifiers,
  checkJobLabels,
  checkSchedulerNodes,
  checkSlurmDefaults,
  checkUniqueNames,
} from './checks.ts'
import { creationProblems } from './creation/checks.ts'
import { errorMessage, formatIssue, SpecError } from './errors.ts'
import { type ExpandOptions, expandParameters } from './expand.ts'
import type { SpecFormat } from './formats.ts'
import type { JobSpec, WorkflowSpec } from './model.ts'
import { type ParseOptions, parseSpecDetailed } from './parse.ts'
import { type CompiledRegex, compileRegex, regexError } from './regex.ts'
import { checkSchedulerResources } from './resources.ts'
import { substituteExpanded } from './substitute.ts'

/**
 * Dry-run validation with the result shape of torc 1.0.0 `validate_spec` (`torc create --dry-run`,
 * MCP `create_workflow` action=validate). Steps, messages and their order follow 1.0.0; where Rust
 * iterates a HashMap we use spec order. 1.0.0 itself never emits warnings; ours carries KDL nodes
 * that were ignored and, unless `creationChecks` is false, problems that validate passes but
 * creation rejects (unknown failure handler, bad memory syntax, ...), prefixed "Creation would fail".
 */
export interface ValidationSummary {
  workflow_name: string
  workflow_description: string | null
  job_count: number
  job_count_before_expansion: number
  file_count: number
  file_count_before_expansion: number
  user_data_count: number
  resource_requirements_count: number
  slurm_scheduler_count: number
  action_count: number
  has_schedule_nodes_action: boolean
  job_names: string[]
  scheduler_names: string[]
}

export interface ValidationResult {
  valid: boolean
  errors: string[]
  warnings: string[]
  summary: ValidationSummary
}

export interface ValidateOptions extends ParseOptions, ExpandOptions {
  /** Format of text input (default: detect). */
  format?: SpecFormat | 'auto'
  /** Add warnings for problems only creation would catch (default true). */
  creationChecks?: boolean
}

const EMPTY_SUMMARY: ValidationSummary = {
  workflow_name: '',
  workflow_description: null,
  job_count: 0,
  job_count_before_expansion: 0,
  file_count: 0,
  file_count_before_expansion: 0,
  user_data_count: 0,
  resource_requirements_count: 0,
  slurm_scheduler_count: 0,
  action_count: 0,
  has_schedule_nodes_action: false,
  job_names: [],
  scheduler_names: [],
}

/** Validates spec text or a parsed spec without creating anything; never throws for bad specs. */
export function validateSpec(input: string | WorkflowSpec, options: ValidateOptions = {}): ValidationResult {
  let parsed: WorkflowSpec
  const warnings: string[] = []
  try {
    if (typeof input === 'string') {
      const detailed = parseSpecDetailed(input, options.format ?? 'auto', options)
      parsed = detailed.spec
      warnings.push(...detailed.warnings)
    } else parsed = input
  } catch (error) {
    const text = error instanceof SpecError ? error.issues.map(formatIssue).join('; ') : errorMessage(error)
    const errors = [`Failed to parse specification file: ${text}`]
    return { valid: false, errors, warnings: [], summary: EMPTY_SUMMARY }
  }
  const errors: string[] = []
  const push = (prefix: string, message: string | undefined): void => {
    if (message !== undefined) errors.push(prefix + message)
  }
  const expanded = expandParameters(parsed, options)
  push('Parameter expansion failed: ', expanded.error)
  let spec = expanded.spec
  push('Action validation failed: ', checkActions(spec))
  push('Environment validation failed: ', checkEnvMaps(spec))
  push('Validation error: ', checkJobLabels(spec))
  push('Validation error: ', checkDynamicJobs(spec))
  push('', checkSlurmDefaults(spec))
  push('Validation error: ', checkUniqueNames(spec))
  push('', checkSchedulerNodes(spec))
  errors.push(...checkSchedulerResources(spec))
  spec = substituteExpanded(spec, expanded.jobOwned, false)
  push('File identifier validation failed: ', checkFileIdentifiers(spec))
  duplicateNames(spec, errors)
  references(spec, errors)
  actionReferences(spec, errors)
  if (options.creationChecks !== false) {
    warnings.push(...creationProblems(spec).map((p) => `Creation would fail: ${p}`))
  }
  return { valid: errors.length === 0, errors, warnings, summary: summarize(spec, parsed) }
}

function duplicateNames(spec: WorkflowSpec, errors: string[]): void {
  const check = (names: (string | undefined)[], label: string): void => {
    const seen = new Set<string>()
    for (const name of names) {
      if (name === undefined) continue
      if (seen.has(name)) errors.push(`Duplicate ${label} name: '${name}'`)
      seen.add(name)
    }
  }
  check(
    spec.jobs.map((j) => j.name),
    'job'
  )
  check(
    (spec.files ?? []).map((f) => f.name),
    'file'
  )
  check(
    (spec.user_data ?? []).map((u) => u.name),
    'user_data'
  )
  check(
    (spec.resource_requirements ?? []).map((r) => r.name),
    'resource_requirements'
  )
  check(
    (spec.slurm_schedulers ?? []).map((s) => s.name),
    'slurm_scheduler'
  )
}

function references(spec: WorkflowSpec, errors: string[]): void {
  const jobNames = [...new Set(spec.jobs.map((j) => j.name))]
  const jobSet = new Set(jobNames)
  const files = [...new Set((spec.files ?? []).map((f) => f.name))]
  const fileSet = new Set(files)
  const userData = [...new Set((spec.user_data ?? []).flatMap((u) => (u.name === undefined ? [] : [u.name])))]
  const userDataSet = new Set(userData)
  const rrs = new Set((spec.resource_requirements ?? []).map((r) => r.name))
  const schedulers = new Set((spec.slurm_schedulers ?? []).flatMap((s) => (s.name === undefined ? [] : [s.name])))
  const lists: [keyof JobSpec, keyof JobSpec, Set<string>, string[], string, string][] = [
    ['input_files', 'input_file_regexes', fileSet, files, 'file', 'Input file'],
    ['output_files', 'output_file_regexes', fileSet, files, 'file', 'Output file'],
    ['input_user_data', 'input_user_data_regexes', userDataSet, userData, 'user_data', 'Input user data'],
    ['output_user_data', 'output_user_data_regexes', userDataSet, userData, 'user_data', 'Output user data'],
  ]
  const dependencies = new Map<string, readonly string[]>()
  for (const job of spec.jobs) {
    const explicit = job.depends_on ?? NO_DEPS
    let deps: readonly string[] = explicit
    if (explicit.some((dep) => !jobSet.has(dep))) {
      deps = explicit.filter((dep) => jobSet.has(dep))
      for (const dep of explicit) {
        if (!jobSet.has(dep)) errors.push(`Job '${job.name}' depends_on non-existent job '${dep}'`)
      }
    }
    for (const pattern of job.depends_on_regexes ?? []) {
      const bad = regexError(pattern)
      if (bad !== undefined) {
        errors.push(`Job '${job.name}' has invalid depends_on_regexes '${pattern}': ${bad}`)
        continue
      }
      const re = compileRegex(pattern)
      const listed = new Set(deps)
      const added: string[] = []
      for (const name of jobNames) {
        if (!listed.has(name) && re.test(name)) {
          listed.add(name)
          added.push(name)
        }
      }
      if (added.length > 0) deps = [...deps, ...added]
      else errors.push(`Job '${job.name}' depends_on_regexes '${pattern}' did not match any jobs`)
    }
    dependencies.set(job.name, deps)
    if (job.resource_requirements !== undefined && !rrs.has(job.resource_requirements)) {
      errors.push(`Job '${job.name}' references non-existent resource_requirements '${job.resource_requirements}'`)
    }
    if (job.scheduler !== undefined && !schedulers.has(job.scheduler)) {
      errors.push(`Job '${job.name}' references non-existent scheduler '${job.scheduler}'`)
    }
    for (const [exactKey, regexKey, set, universe, noun, label] of lists) {
      for (const name of (job[exactKey] as string[] | undefined) ?? []) {
        if (!set.has(name)) errors.push(`Job '${job.name}' ${exactKey} references non-existent ${noun} '${name}'`)
      }
      for (const pattern of (job[regexKey] as string[] | undefined) ?? []) {
        const bad = regexError(pattern)
        if (bad !== undefined) errors.push(`Job '${job.name}' has invalid ${regexKey} '${pattern}': ${bad}`)
        else if (!matchesAny(compileRegex(pattern), universe)) {
          errors.push(`${label} regex '${pattern}' did not match any names for job '${job.name}'`)
        }
      }
    }
  }
  const stuck = unsortable(jobNames, dependencies)
  if (stuck.length > 0) {
    errors.push(`Circular dependency detected involving jobs: ${stuck.map((n) => `'${n}'`).join(', ')}`)
  }
}

const matchesAny = (re: CompiledRegex, names: string[]): boolean => names.some((name) => re.test(name))

const NO_DEPS: readonly string[] = []

/** Kahn's algorithm; returns the jobs that can never be ordered (in spec order), or []. */
function unsortable(names: string[], dependencies: Map<string, readonly string[]>): string[] {
  const index = new Map(names.map((name, i) => [name, i]))
  const pending = new Int32Array(names.length)
  const dependents: (number[] | undefined)[] = new Array<number[] | undefined>(names.length)
  names.forEach((name, i) => {
    const deps = dependencies.get(name) ?? NO_DEPS
    const unique = deps.length > 1 ? new Set(deps) : deps
    for (const dep of unique) {
      const d = index.get(dep)
      if (d === undefined) continue
      pending[i] = (pending[i] ?? 0) + 1
      ;(dependents[d] ??= []).push(i)
    }
  })
  const queue: number[] = []
  pending.forEach((count, i) => {
    if (count === 0) queue.push(i)
  })
  for (let done = 0; done < queue.length; done++) {
    for (const next of dependents[queue[done] as number] ?? []) {
      pending[next] = (pending[next] ?? 0) - 1
      if (pending[next] === 0) queue.push(next)
    }
  }
  return queue.length === names.length ? [] : names.filter((_, i) => (pending[i] ?? 0) > 0)
}

function actionReferences(spec: WorkflowSpec, errors: string[]): void {
  const jobs = new Set(spec.jobs.map((j) => j.name))
  const schedulers = new Set((spec.slurm_schedulers ?? []).flatMap((s) => (s.name === undefined ? [] : [s.name])))
  ;(spec.actions ?? []).forEach((action, index) => {
    const label = `Action #${index + 1} (${action.action_type})`
    for (const name of action.jobs ?? []) {
      if (!jobs.has(name)) errors.push(`${label} references non-existent job '${name}'`)
    }
    for (const pattern of action.job_name_regexes ?? []) {
      const bad = regexError(pattern)
      if (bad !== undefined) errors.push(`${label} has invalid job_name_regexes '${pattern}': ${bad}`)
    }
    if (action.action_type === 'schedule_nodes' && action.scheduler !== undefined) {
      if (action.scheduler_type === 'slurm' && !schedulers.has(action.scheduler)) {
        errors.push(`${label} references non-existent slurm scheduler '${action.scheduler}'`)
      }
    }
  })
}

/** `has_schedule_nodes_action` in 1.0.0: any schedule_nodes action that `torc submit` can fire. */
export function hasScheduleNodesAction(spec: WorkflowSpec): boolean {
  return (spec.actions ?? []).some(
    (a) =>
      a.action_type === 'schedule_nodes' &&
      ['on_workflow_start', 'on_jobs_ready', 'on_jobs_complete'].includes(a.trigger_type)
  )
}

function summarize(spec: WorkflowSpec, original: WorkflowSpec): ValidationSummary {
  return {
    workflow_name: spec.name,
    workflow_description: spec.description ?? null,
    job_count: spec.jobs.length,
    job_count_before_expansion: original.jobs.length,
    file_count: spec.files?.length ?? 0,
    file_count_before_expansion: original.files?.length ?? 0,
    user_data_count: spec.user_data?.length ?? 0,
    resource_requirements_count: spec.resource_requirements?.length ?? 0,
    slurm_scheduler_count: spec.slurm_schedulers?.length ?? 0,
    action_count: spec.actions?.length ?? 0,
    has_schedule_nodes_action: hasScheduleNodesAction(spec),
    job_names: spec.jobs.map((j) => j.name),
    scheduler_names: (spec.slurm_schedulers ?? []).flatMap((s) => (s.name === undefined ? [] : [s.name])),
  }
}
