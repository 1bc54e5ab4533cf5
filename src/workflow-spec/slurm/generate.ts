import { errorMessage, SpecError } from '../errors.ts'
import { type ExpandOptions, expandParameters } from '../expand.ts'
import type { SpecFormat } from '../formats.ts'
import { graphFromSpec } from '../graph.ts'
import type { SlurmSchedulerSpec, WorkflowActionSpec, WorkflowSpec } from '../model.ts'
import { type ParseOptions, parseSpec } from '../parse.ts'
import { substituteExpanded } from '../substitute.ts'
import { type HpcProfile, HpcProfileSchema } from './hpc.ts'
import { HPC_PROFILES } from './profiles.ts'
import { type GroupBy, type PlannedScheduler, planSchedulers, type WalltimeStrategy } from './scheduler-plan.ts'

/**
 * Slurm scheduler generation for a spec (torc 1.0.0 `generate_schedulers_for_workflow` behind
 * `torc slurm generate`, which the MCP `create_workflow` slurm path now calls). The profile must be
 * named (`hpc_profile`); the edge cannot auto-detect a cluster. Defaults are 1.0.0's CLI defaults:
 * group by partition, walltime = longest runtime × 1.5 capped at the partition maximum, actions on.
 * Deviations (documented fixes):
 * - a parameterised or table-driven template inherits the scheduler of its own first expanded job;
 *   1.0.0 matches any job whose name shares its prefix, and skips `parameters_file` templates;
 * - `${files.*}` / `${user_data.*}` variables count as dependencies (`resolveFileVariables`, default
 *   true). 1.0.0 generates before substituting them, so such jobs look like roots and their
 *   `on_jobs_ready` action also gates on jobs that cannot become ready without it: a deadlock.
 */
export interface GenerateSlurmOptions extends ParseOptions, ExpandOptions {
  format?: SpecFormat | 'auto'
  /** Name of a built-in or custom profile; required. */
  hpcProfile?: string
  /** Custom profiles (same shape as the built-ins); one with a built-in name replaces it. */
  profiles?: unknown[]
  /** Slurm account; falls back to a string `slurm_defaults.account`. */
  account?: string
  groupBy?: GroupBy
  walltimeStrategy?: WalltimeStrategy
  walltimeMultiplier?: number
  singleAllocation?: boolean
  addActions?: boolean
  /** Replace existing schedulers and actions (all of them, as in 1.0.0). */
  overwrite?: boolean
  /** Let `${files...}` variables create dependencies (default true; false = 1.0.0 parity). */
  resolveFileVariables?: boolean
}

export interface GenerateSlurmResult {
  /** The original (unexpanded) spec with schedulers, actions and job assignments added. */
  spec: WorkflowSpec
  scheduler_count: number
  action_count: number
  profile_name: string
  profile_display_name: string
  slurm_schedulers: SlurmSchedulerSpec[]
  actions: WorkflowActionSpec[]
  warnings: string[]
  /** Sizing details per scheduler (partition chosen, jobs, allocations). */
  planned: PlannedScheduler[]
}

/** Resolves a profile by name among built-in and custom profiles, or explains which exist. */
export function resolveProfile(name: string | undefined, custom: unknown[] = []): HpcProfile {
  const registry = new Map(HPC_PROFILES.map((p) => [p.name, p]))
  custom.forEach((raw, i) => {
    const parsed = HpcProfileSchema.safeParse(raw)
    if (!parsed.success) {
      const path = (issue: { path: PropertyKey[] }): string => `profiles[${i}].${issue.path.join('.')}`
      throw new SpecError(parsed.error.issues.map((issue) => ({ path: path(issue), message: issue.message })))
    }
    registry.set(parsed.data.name, parsed.data)
  })
  const available = [...registry.keys()].join(', ')
  if (name === undefined || name === '') {
    throw new SpecError(
      `No HPC profile specified and none can be detected here; pass hpc_profile. Available profiles: ${available}`
    )
  }
  const profile = registry.get(name)
  if (profile === undefined) throw new SpecError(`Unknown HPC profile: ${name}. Available profiles: ${available}`)
  return profile
}

/** Generates Slurm schedulers and schedule_nodes actions for a spec; throws SpecError. */
export function generateSlurm(input: string | WorkflowSpec, options: GenerateSlurmOptions = {}): GenerateSlurmResult {
  const multiplier = options.walltimeMultiplier ?? 1.5
  if (!(multiplier > 0)) throw new SpecError('walltime multiplier must be greater than 0')
  const profile = resolveProfile(options.hpcProfile, options.profiles)
  const original = typeof input === 'string' ? parseSpec(input, options.format ?? 'auto', options) : input
  const defaultAccount = original.slurm_defaults?.['account']
  const account = options.account ?? (typeof defaultAccount === 'string' ? defaultAccount : undefined)
  if (account === undefined) {
    throw new SpecError("No account specified. Pass account or set 'account' in slurm_defaults.")
  }
  const hasSchedulers = (original.slurm_schedulers?.length ?? 0) > 0
  const hasActions = (original.actions?.length ?? 0) > 0
  const spec: WorkflowSpec = { ...original }
  if (hasSchedulers || hasActions) {
    if (options.overwrite !== true) {
      const what =
        hasSchedulers && hasActions ? 'slurm_schedulers and actions' : hasSchedulers ? 'slurm_schedulers' : 'actions'
      throw new SpecError(
        `Workflow spec already has ${what} defined. Use overwrite to generate new schedulers (replaces ` +
          `existing), ` +
          'keep the existing schedulers as they are, or remove schedulers/actions from the spec and ' +
          'generate again.'
      )
    }
    spec.slurm_schedulers = undefined
    spec.actions = undefined
  }
  const expanded = expandParameters(spec, options)
  if (expanded.error !== undefined) throw new SpecError(`Failed to expand parameters: ${expanded.error}`)
  const rrs = expanded.spec.resource_requirements ?? []
  if (rrs.length === 0)
    throw new SpecError('Workflow has no resource_requirements defined. Cannot generate schedulers.')
  const analysed =
    options.resolveFileVariables === false ? expanded.spec : substituteExpanded(expanded.spec, expanded.jobOwned, false)
  let graph: ReturnType<typeof graphFromSpec>
  try {
    graph = graphFromSpec(analysed)
  } catch (error) {
    throw new SpecError(`Failed to build workflow graph: ${errorMessage(error)}`)
  }
  const warnings = expanded.spec.jobs
    .filter((j) => j.resource_requirements === undefined)
    .map((j) => `Job '${j.name}' has no resource_requirements, skipping scheduler generation`)
  const labeled = expanded.spec.jobs.filter((j) => (j.labels?.length ?? 0) > 0).length
  if (labeled > 0) {
    warnings.push(
      `${labeled} job(s) have labels and are excluded from Slurm allocations; start a runner for them ` +
        `with \`torc run --label <labels>\``
    )
  }
  const plan = planSchedulers(graph, rrs, {
    profile,
    account,
    singleAllocation: options.singleAllocation ?? false,
    groupBy: options.groupBy ?? 'partition',
    walltimeStrategy: options.walltimeStrategy ?? 'max-job-runtime',
    walltimeMultiplier: multiplier,
    addActions: options.addActions ?? true,
  })
  warnings.push(...plan.warnings)
  if (plan.schedulers.length === 0) {
    const reasons =
      warnings.length === 0
        ? 'No jobs with resource_requirements found.'
        : `Reasons: ${warnings.slice(0, 5).join('; ')}` +
          (warnings.length > 5 ? `; ... and ${warnings.length - 5} more issues` : '')
    throw new SpecError(`No schedulers could be generated. ${reasons}`)
  }
  const schedulers: SlurmSchedulerSpec[] = plan.schedulers.map((s) => ({
    name: s.name,
    account: s.account,
    ...(s.gres === undefined ? {} : { gres: s.gres }),
    mem: s.mem,
    nodes: s.nodes,
    ...(s.partition === undefined ? {} : { partition: s.partition }),
    ...(s.qos === undefined ? {} : { qos: s.qos }),
    walltime: s.walltime,
  }))
  const actions: WorkflowActionSpec[] = plan.actions.map((a) => ({
    trigger_type: a.trigger_type,
    action_type: 'schedule_nodes',
    jobs: a.job_names,
    scheduler: a.scheduler_name,
    scheduler_type: 'slurm',
    num_allocations: a.num_allocations,
  }))
  const firstAssignment = new Map<number, string>()
  expanded.jobOrigins.forEach((origin, i) => {
    const assigned = plan.assignments.get(expanded.spec.jobs[i]?.name ?? '')
    if (assigned !== undefined && !firstAssignment.has(origin)) firstAssignment.set(origin, assigned)
  })
  spec.jobs = original.jobs.map((job, i) => {
    const scheduler = plan.assignments.get(job.name) ?? firstAssignment.get(i)
    return scheduler === undefined ? job : { ...job, scheduler }
  })
  spec.slurm_schedulers = schedulers
  if (actions.length > 0) spec.actions = [...(spec.actions ?? []), ...actions]
  return {
    spec,
    scheduler_count: schedulers.length,
    action_count: actions.length,
    profile_name: profile.name,
    profile_display_name: profile.display_name,
    slurm_schedulers: schedulers,
    actions,
    warnings,
    planned: plan.schedulers,
  }
}
