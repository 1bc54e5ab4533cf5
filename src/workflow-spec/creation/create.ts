import {
  checkActions,
  checkDynamicJobs,
  checkEnvMaps,
  checkFileIdentifiers,
  checkJobLabels,
  checkSchedulerNodes,
  checkSlurmDefaults,
  checkUniqueNames,
} from '../checks.ts'
import { formatIssue, SpecError, type SpecIssue } from '../errors.ts'
import { type ExpandOptions, expandParameters } from '../expand.ts'
import type { SpecFormat } from '../formats.ts'
import type { WorkflowSpec } from '../model.ts'
import { type ParseOptions, parseSpec } from '../parse.ts'
import { compileRegex } from '../regex.ts'
import { checkSchedulerResources } from '../resources.ts'
import { substituteExpanded } from '../substitute.ts'
import { creationProblems } from './checks.ts'
import { jobSteps } from './jobs.ts'
import { INCOMPLETE_NAME } from './marker.ts'
import { fileSteps, userDataSteps } from './records.ts'
import type { ActionDraft, Api, CreationPlan, CreationStep } from './types.ts'

/**
 * The REST creation sequence of torc 1.0.0 (MCP `create_workflow` with a local workflow:
 * `validate_for_creation` then `create_from_validated_spec`), as data. Everything creation would
 * discover mid-way (unknown names, regexes matching nothing, cycles) is checked here first, so a
 * plan that comes back can only fail on the server. Differences from 1.0.0, by necessity:
 * no file is stat'ed (input files keep the spec's `st_mtime`; `torc run`/`submit` initialise it on
 * the cluster), no `submission_directory` is sent, and bulk requests are chunked at `batchSize`
 * (default 1,000) instead of 1.0.0's 100,000 to keep each request small in a Worker. And a guard
 * 1.0.0 lacks (marker.ts): the workflow is created under a reserved name, canceled and archived
 * before any record; renamed, unarchived and reset (run 1) only after the last record.
 */
export interface CreationOptions extends ParseOptions, ExpandOptions {
  format?: SpecFormat | 'auto'
  /** Owner of the workflow; always overrides the spec's `user`. */
  user: string
  /** Inject torc's default resource monitor when the spec has none (CLI default; MCP passes false). */
  enableResourceMonitoring?: boolean
  /** Records per bulk request (1 to 100,000; default 1,000). */
  batchSize?: number
  /** Skip the scheduler node and resource checks (`torc create --skip-checks`). */
  skipChecks?: boolean
  /**
   * Initialise as `torc workflows init` does: `initialize_jobs` after the `reset_status` (run 1
   * begins) that every plan ends with to lift the guard (1.0.0's create does neither; `torc
   * run`/`submit`/`init` do both).
   */
  initialize?: boolean
}

const MAX_BATCH = 100_000

/** Turns a spec into the ordered list of create calls; throws SpecError listing every problem. */
export function planCreation(input: string | WorkflowSpec, options: CreationOptions): CreationPlan {
  const batchSize = Math.min(MAX_BATCH, Math.max(1, Math.floor(options.batchSize ?? 1000)))
  const parsed = typeof input === 'string' ? parseSpec(input, options.format ?? 'auto', options) : input
  const expanded = expandParameters(parsed, options)
  if (expanded.error !== undefined) throw new SpecError(expanded.error)
  let spec: WorkflowSpec = expanded.spec
  spec.user = options.user
  if (options.enableResourceMonitoring === true && spec.resource_monitor === undefined) {
    spec.resource_monitor = {
      enabled: true,
      granularity: 'summary',
      sample_interval_seconds: 10,
      flush_interval_seconds: 300,
      generate_plots: false,
      jobs: { enabled: true, granularity: 'summary' },
      compute_node: undefined,
    }
  }
  const issues: SpecIssue[] = []
  const check = (message: string | undefined): void => {
    if (message !== undefined) issues.push({ path: '', message })
  }
  const checks = [checkUniqueNames, checkEnvMaps, checkJobLabels, checkDynamicJobs, checkActions, checkSlurmDefaults]
  for (const c of checks) check(c(spec))
  if (options.skipChecks !== true) {
    check(checkSchedulerNodes(spec))
    const resources = checkSchedulerResources(spec)
    if (resources.length > 0) check(`Resource validation failed:\n  - ${resources.join('\n  - ')}`)
  }
  spec = substituteExpanded(spec, expanded.jobOwned, true)
  check(checkFileIdentifiers(spec))
  for (const problem of creationProblems(spec)) check(problem)
  const steps: CreationStep[] = [
    { kind: 'workflow', method: 'POST', path: '/workflows', body: { ...workflowBody(spec), name: INCOMPLETE_NAME } },
    { kind: 'cancel', method: 'PUT', path: '/workflows/{id}/cancel' },
    { kind: 'archive', method: 'POST', path: '/workflows/{id}/archive', archived: true },
  ]
  const warnings: string[] = []
  if (spec.name === INCOMPLETE_NAME) {
    issues.push({ path: 'name', message: `"${INCOMPLETE_NAME}" is reserved for workflows still being created` })
  }
  if (spec.compute_node_expiration_buffer_seconds !== undefined) {
    warnings.push('compute_node_expiration_buffer_seconds is deprecated and will be ignored.')
  }
  fileSteps(spec, batchSize, steps, issues)
  userDataSteps(spec, batchSize, steps, issues)
  namedSteps(spec, steps, issues)
  const levels = jobSteps(spec, batchSize, steps, issues)
  actionSteps(spec, steps, issues)
  const user = spec.user ?? 'unknown'
  steps.push({ kind: 'unmark', method: 'PUT', path: '/workflows/{id}', name: spec.name, user })
  steps.push({ kind: 'archive', method: 'POST', path: '/workflows/{id}/archive', archived: false })
  steps.push({ kind: 'reset_status', method: 'POST', path: '/workflows/{id}/reset_status' })
  if (options.initialize === true) {
    steps.push({ kind: 'initialize', method: 'POST', path: '/workflows/{id}/initialize_jobs' })
  }
  if (issues.length > 0) throw new SpecError(issues, issues.map(formatIssue).join('\n'))
  return {
    workflow_name: spec.name,
    steps,
    rollback: { method: 'DELETE', path: '/workflows/{id}' },
    counts: {
      files: spec.files?.length ?? 0,
      user_data: (spec.user_data ?? []).filter((u) => u.name !== undefined).length,
      resource_requirements: spec.resource_requirements?.length ?? 0,
      slurm_schedulers: (spec.slurm_schedulers ?? []).filter((s) => s.name !== undefined).length,
      failure_handlers: spec.failure_handlers?.length ?? 0,
      jobs: spec.jobs.length,
      actions: spec.actions?.length ?? 0,
      levels,
    },
    warnings,
  }
}

function workflowBody(spec: WorkflowSpec): Api['WorkflowModel'] {
  const body: Api['WorkflowModel'] = {
    name: spec.name,
    user: spec.user ?? 'unknown',
    compute_node_wait_for_new_jobs_seconds: spec.compute_node_wait_for_new_jobs_seconds ?? 90,
    compute_node_ignore_workflow_completion: spec.compute_node_ignore_workflow_completion ?? false,
    compute_node_wait_for_healthy_database_minutes: spec.compute_node_wait_for_healthy_database_minutes ?? 20,
    compute_node_min_time_for_new_jobs_seconds: 300,
    use_pending_failed: spec.use_pending_failed ?? false,
  }
  if (spec.description !== undefined) body.description = spec.description
  if (spec.env !== undefined && Object.keys(spec.env).length > 0) body.env = spec.env
  if (spec.resource_monitor !== undefined) {
    // The generated type marks `jobs`/`compute_node` as required objects; Torc sends null for unset.
    const { jobs, compute_node, ...rest } = spec.resource_monitor
    const config = { ...rest, jobs: jobs ?? null, compute_node: compute_node ?? null }
    body.resource_monitor_config = config as unknown as Api['ResourceMonitorConfig']
  }
  if (spec.slurm_defaults !== undefined) body.slurm_defaults = spec.slurm_defaults
  if (spec.dynamic_jobs !== undefined) body.dynamic_jobs = spec.dynamic_jobs
  const execution = executionConfig(spec)
  if (execution !== undefined) body.execution_config = execution
  if (spec.enable_ro_crate !== undefined) body.enable_ro_crate = spec.enable_ro_crate
  if (spec.project !== undefined) body.project = spec.project
  if (spec.metadata !== undefined) body.metadata = spec.metadata
  if (spec.access_groups !== undefined) body.access_groups = spec.access_groups
  return body
}

/** Per-job `stdio` moves into `execution_config.job_stdio_overrides`; defaults are not sent. */
function executionConfig(spec: WorkflowSpec): Api['ExecutionConfig'] | undefined {
  const overrides = Object.fromEntries(spec.jobs.flatMap((j) => (j.stdio === undefined ? [] : [[j.name, j.stdio]])))
  const config = { ...(spec.execution_config ?? { mode: 'direct' as const }) }
  if (Object.keys(overrides).length > 0) config.job_stdio_overrides = overrides
  const nonDefault =
    config.mode !== 'direct' || Object.entries(config).some(([k, v]) => k !== 'mode' && v !== undefined)
  if (!nonDefault) return undefined
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as Api['ExecutionConfig']
}

function namedSteps(spec: WorkflowSpec, steps: CreationStep[], issues: SpecIssue[]): void {
  const unique = (label: string): ((name: string) => void) => {
    const seen = new Set<string>()
    return (name) => {
      if (seen.has(name)) issues.push({ path: '', message: `Duplicate ${label} name: ${name}` })
      seen.add(name)
    }
  }
  const rr = unique('resource requirements')
  for (const r of spec.resource_requirements ?? []) {
    rr(r.name)
    const { name, num_cpus, num_gpus, num_nodes, memory, runtime } = r
    const body = { name, num_cpus, num_gpus, num_nodes, memory, runtime }
    steps.push({ kind: 'resource_requirements', method: 'POST', path: '/resource_requirements', name: r.name, body })
  }
  const sched = unique('slurm scheduler')
  for (const s of spec.slurm_schedulers ?? []) {
    if (s.name === undefined) continue
    sched(s.name)
    const defined = Object.entries(s).filter(([, v]) => v !== undefined)
    const body = Object.fromEntries(defined) as Omit<Api['SlurmSchedulerModel'], 'workflow_id'>
    steps.push({ kind: 'slurm_scheduler', method: 'POST', path: '/slurm_schedulers', name: s.name, body })
  }
  const fh = unique('failure handler')
  for (const h of spec.failure_handlers ?? []) {
    fh(h.name)
    const rules = h.rules.map((r) => ({
      ...(r.exit_codes.length > 0 ? { exit_codes: r.exit_codes } : {}),
      ...(r.match_all_exit_codes ? { match_all_exit_codes: true } : {}),
      ...(r.recovery_script === undefined ? {} : { recovery_script: r.recovery_script }),
      max_retries: r.max_retries,
    }))
    const body = { name: h.name, rules: JSON.stringify(rules) }
    steps.push({ kind: 'failure_handler', method: 'POST', path: '/failure_handlers', name: h.name, body })
  }
}

function actionSteps(spec: WorkflowSpec, steps: CreationStep[], issues: SpecIssue[]): void {
  const names = [...new Set(spec.jobs.map((j) => j.name))]
  const nameSet = new Set(names)
  const schedulers = new Set((spec.slurm_schedulers ?? []).flatMap((s) => (s.name === undefined ? [] : [s.name])))
  ;(spec.actions ?? []).forEach((action, index) => {
    const path = `actions[${index}]`
    const draft: ActionDraft = {
      trigger_type: action.trigger_type,
      action_type: action.action_type === 'run_commands' ? 'run_commands' : 'schedule_nodes',
      persistent: action.persistent ?? false,
    }
    if (action.jobs !== undefined || action.job_name_regexes !== undefined) {
      const exact = action.jobs ?? []
      for (const n of exact) {
        if (!nameSet.has(n)) issues.push({ path, message: `Action references job '${n}' which does not exist` })
      }
      const listed = new Set(exact)
      const matched: string[] = []
      for (const pattern of action.job_name_regexes ?? []) {
        let re: ReturnType<typeof compileRegex>
        try {
          re = compileRegex(pattern)
        } catch (error) {
          issues.push({ path, message: `Invalid regex '${pattern}': ${(error as Error).message}` })
          continue
        }
        for (const n of names) {
          if (!listed.has(n) && re.test(n)) {
            listed.add(n)
            matched.push(n)
          }
        }
      }
      draft.jobs = { exact, matched }
    }
    if (action.action_type === 'run_commands' && action.commands !== undefined) draft.commands = action.commands
    const scheduled = action.action_type === 'schedule_nodes'
    if (scheduled && action.scheduler_type !== undefined && action.scheduler !== undefined) {
      if (action.scheduler_type === 'slurm' && !schedulers.has(action.scheduler)) {
        issues.push({ path, message: `Slurm scheduler '${action.scheduler}' not found` })
      }
      draft.schedule = {
        scheduler_type: action.scheduler_type,
        scheduler: action.scheduler,
        num_allocations: action.num_allocations ?? 1,
        start_one_worker_per_node: action.start_one_worker_per_node ?? false,
        ...(action.max_parallel_jobs === undefined ? {} : { max_parallel_jobs: action.max_parallel_jobs }),
      }
    }
    steps.push({ kind: 'action', method: 'POST', path: '/workflows/{id}/actions', index, draft })
  })
}
