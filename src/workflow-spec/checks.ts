import type { JobSpec, WorkflowSpec } from './model.ts'
import { compileRegex } from './regex.ts'

/**
 * Structural checks of torc 1.0.0 `WorkflowSpec` (validate_actions, validate_env_maps,
 * validate_job_labels, validate_dynamic_jobs, SlurmDefaultsSpec::validate,
 * validate_unique_names_after_expansion, validate_scheduler_node_requirements,
 * validate_file_identifiers). Each returns Torc's error text, or undefined when the check passes;
 * like Rust, each stops at its first problem.
 */
export const VALID_TRIGGER_TYPES = [
  'on_workflow_start',
  'on_workflow_complete',
  'on_worker_start',
  'on_worker_complete',
  'on_jobs_ready',
  'on_jobs_complete',
] as const

export const SLURM_EXCLUDED_PARAMS = ['partition', 'nodes', 'walltime', 'time', 'mem', 'gres', 'name', 'job-name']

/** Trigger types, job gating, and schedule_nodes scheduler references. */
export function checkActions(spec: WorkflowSpec): string | undefined {
  for (const action of spec.actions ?? []) {
    if (!(VALID_TRIGGER_TYPES as readonly string[]).includes(action.trigger_type)) {
      const valid = VALID_TRIGGER_TYPES.join(', ')
      return `action has unknown trigger_type '${action.trigger_type}'; valid trigger types are: ${valid}`
    }
    if (action.trigger_type === 'on_jobs_ready' || action.trigger_type === 'on_jobs_complete') {
      if (!(action.jobs?.length ?? 0) && !(action.job_name_regexes?.length ?? 0)) {
        return (
          `action with trigger_type '${action.trigger_type}' must specify at least one job via ` +
          `'jobs' or 'job_name_regexes'`
        )
      }
    }
    if (action.action_type !== 'schedule_nodes') continue
    if (action.scheduler_type === undefined) return 'schedule_nodes action requires scheduler_type'
    if (action.scheduler === undefined) return 'schedule_nodes action requires scheduler'
    if (action.scheduler_type === 'slurm') {
      if (spec.slurm_schedulers === undefined) {
        return 'schedule_nodes action with scheduler_type=slurm requires slurm_schedulers to be defined'
      }
      if (!spec.slurm_schedulers.some((s) => s.name === action.scheduler)) {
        return `schedule_nodes action references slurm_scheduler '${action.scheduler}' which does not exist`
      }
    }
  }
  return undefined
}

const validEnvName = (name: string): boolean => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)
const envError = (name: string): string =>
  `invalid environment variable name '${name}'; expected [A-Za-z_][A-Za-z0-9_]*`

/** Environment variable names in the workflow and job `env` maps. */
export function checkEnvMaps(spec: WorkflowSpec): string | undefined {
  for (const key of Object.keys(spec.env ?? {})) if (!validEnvName(key)) return envError(key)
  for (const job of spec.jobs) {
    for (const key of Object.keys(job.env ?? {})) if (!validEnvName(key)) return `Job '${job.name}': ${envError(key)}`
  }
  return undefined
}

/** Labels are trimmed and comma-free, and a labelled job may not name a scheduler. */
export function checkJobLabels(spec: WorkflowSpec): string | undefined {
  for (const job of spec.jobs) {
    for (const label of job.labels ?? []) {
      if (label === '' || label.trim() !== label || label.includes(',')) {
        return (
          `Job '${job.name}': label must be non-empty with no comma and no leading or trailing ` +
          `whitespace, got ${JSON.stringify(label)}`
        )
      }
    }
    if ((job.labels?.length ?? 0) > 0 && job.scheduler !== undefined) {
      const labels = `[${(job.labels ?? []).map((l) => JSON.stringify(l)).join(', ')}]`
      return (
        `Job '${job.name}' sets both labels ${labels} and scheduler '${job.scheduler}'; runners for ` +
        `a scheduler are unlabeled and never claim labeled jobs`
      )
    }
  }
  return undefined
}

/** `dynamic_jobs.max_iterations` must be at least 1 when set. */
export function checkDynamicJobs(spec: WorkflowSpec): string | undefined {
  const n = spec.dynamic_jobs?.max_iterations
  if (n !== undefined && n < 1) {
    return `dynamic_jobs.max_iterations must be >= 1 (got ${n}); omit the field to use the server default`
  }
  return undefined
}

/** `slurm_defaults` may not set options Torc manages (compared case-insensitively). */
export function checkSlurmDefaults(spec: WorkflowSpec): string | undefined {
  if (spec.slurm_defaults === undefined) return undefined
  const found = Object.keys(spec.slurm_defaults).filter((k) => SLURM_EXCLUDED_PARAMS.includes(k.toLowerCase()))
  if (found.length === 0) return undefined
  return (
    `slurm_defaults contains excluded parameters managed by torc: ${found.join(', ')}. These cannot ` +
    `be set as defaults.`
  )
}

/** The first duplicate job, file (or file identifier) and named user_data after expansion. */
export function checkUniqueNames(spec: WorkflowSpec): string | undefined {
  const jobs = new Set<string>()
  for (const job of spec.jobs) {
    if (jobs.has(job.name)) {
      return (
        `Duplicate job name '${job.name}' after parameter expansion. A parameterized job's name ` +
        `template must include a placeholder for every parameter in \`parameters\` / \`use_parameters\`, ` +
        `otherwise expansion produces multiple jobs with identical names. For fan-in patterns (a single ` +
        `consumer of many parameterized producers), use \`depends_on_regexes\` and \`input_file_regexes\` ` +
        `instead of parameterizing the consumer.`
      )
    }
    jobs.add(job.name)
  }
  const files = new Set<string>()
  const identifiers = new Map<string, string>()
  for (const file of spec.files ?? []) {
    if (files.has(file.name)) {
      return (
        `Duplicate file name '${file.name}' after parameter expansion. A parameterized file's name ` +
        `template must include a placeholder for every parameter in \`parameters\` / \`use_parameters\`.`
      )
    }
    files.add(file.name)
    if (file.identifier === undefined) continue
    const prior = identifiers.get(file.identifier)
    if (prior !== undefined) {
      return (
        `Duplicate file identifier '${file.identifier}' after parameter expansion (used by files ` +
        `'${prior}' and '${file.name}'). Identifiers must be unique within a workflow; for parameterized ` +
        `files, the identifier template must include a placeholder for every parameter in \`parameters\` ` +
        `/ \`use_parameters\`.`
      )
    }
    identifiers.set(file.identifier, file.name)
  }
  const userData = new Set<string>()
  for (const ud of spec.user_data ?? []) {
    if (ud.name === undefined) continue
    if (userData.has(ud.name)) {
      return (
        `Duplicate user_data name '${ud.name}' after parameter expansion. A parameterized ` +
        `user_data's name template must include a placeholder for every parameter in \`parameters\` / ` +
        `\`use_parameters\`.`
      )
    }
    userData.add(ud.name)
  }
  return undefined
}

/** Multi-node slurm schedulers: jobs asking for more than one node must match the node count. */
export function checkSchedulerNodes(spec: WorkflowSpec): string | undefined {
  const rrNodes = new Map((spec.resource_requirements ?? []).map((r) => [r.name, r.num_nodes]))
  const schedulers = new Map<string, number>()
  for (const s of spec.slurm_schedulers ?? []) if (s.name !== undefined) schedulers.set(s.name, s.nodes)
  if (schedulers.size === 0 || spec.actions === undefined) return undefined
  const errors: string[] = []
  for (const action of spec.actions) {
    if (action.action_type !== 'schedule_nodes' || action.scheduler === undefined) continue
    if (action.scheduler_type !== 'slurm') continue
    const nodes = schedulers.get(action.scheduler)
    if (nodes === undefined || nodes <= 1) continue
    const mismatched = spec.jobs
      .filter((job) => job.scheduler === action.scheduler)
      .filter((job) => {
        const n = (job.resource_requirements === undefined ? undefined : rrNodes.get(job.resource_requirements)) ?? 1
        return n > 1 && n !== nodes
      })
      .map((job) => job.name)
    if (mismatched.length > 0) {
      errors.push(
        `Scheduler '${action.scheduler}' allocates ${nodes} nodes but jobs (${mismatched.join(', ')}) ` +
          `request a different multi-node count in their resource requirements. Set num_nodes=${nodes} on ` +
          `job resource requirements to match the scheduler, or use num_nodes=1 for single-node jobs.`
      )
    }
  }
  return errors.length === 0 ? undefined : `Scheduler node validation failed:\n  - ${errors.join('\n  - ')}`
}

const RESERVED_IDS = ['ro-crate-metadata.json', './']
const RESERVED_PREFIXES = ['#torc-', '#software-', '#job-']

/** RO-Crate `identifier` rules; run after variable substitution. */
export function checkFileIdentifiers(spec: WorkflowSpec): string | undefined {
  const files = spec.files ?? []
  const offender = files.find((f) => f.identifier !== undefined)
  if (offender === undefined) return undefined
  if (spec.enable_ro_crate !== true) {
    return (
      `File '${offender.name}' sets \`identifier\` but the workflow does not have ` +
      `\`enable_ro_crate: true\`. Stable RO-Crate identifiers only have effect when automatic RO-Crate ` +
      `provenance is enabled; set \`enable_ro_crate: true\` at the workflow level or remove the identifier.`
    )
  }
  type Pick = (j: JobSpec) => string[] | undefined
  const referenced = (name: string, exact: Pick, regex: Pick) =>
    spec.jobs.some(
      (job) =>
        (exact(job) ?? []).includes(name) ||
        (regex(job) ?? []).some((p) => {
          try {
            return compileRegex(p).test(name)
          } catch {
            return false
          }
        })
    )
  const pathToName = new Map(files.map((f) => [f.path, f.name]))
  for (const file of files) {
    const id = file.identifier
    if (id === undefined) continue
    if (id.trim() === '') {
      return (
        `File '${file.name}' has an empty or whitespace-only \`identifier\`. Identifiers must be ` +
        `non-blank strings; remove the field or set it to a stable @id value (DOI, PURL, URN, …).`
      )
    }
    if (RESERVED_IDS.includes(id) || RESERVED_PREFIXES.some((p) => id.startsWith(p))) {
      return (
        `File '${file.name}' uses identifier '${id}', which matches a reserved value or prefix ` +
        `(\`#torc-\`, \`#software-\`, \`#job-\`, \`ro-crate-metadata.json\`, or \`./\`). Those are used ` +
        `by Torc's own provenance entities or the synthetic export root and would collide at export time.`
      )
    }
    const other = pathToName.get(id)
    if (other !== undefined && other !== file.name) {
      return (
        `File '${file.name}' uses identifier '${id}', which is also the path of file '${other}'. ` +
        `Both would map to the same \`entity_id\`; workflow-wide RO-Crate entity IDs must be unique. Pick ` +
        `a distinct identifier.`
      )
    }
    if (
      referenced(
        file.name,
        (j) => j.output_files,
        (j) => j.output_file_regexes
      )
    ) {
      return (
        `File '${file.name}' sets \`identifier\` but is referenced as an output of some job. ` +
        `RO-Crate identifiers are only honored for input files; the output completion path always resets ` +
        `\`entity_id\` to the file path and would silently overwrite the identifier. Remove the ` +
        `identifier, or restructure so this file is only an input.`
      )
    }
    if (
      file.st_mtime === undefined &&
      !referenced(
        file.name,
        (j) => j.input_files,
        (j) => j.input_file_regexes
      )
    ) {
      return (
        `File '${file.name}' sets \`identifier\` but is not referenced by any job's \`input_files\` ` +
        `/ \`input_file_regexes\` and has no pre-existing \`st_mtime\`. Identifiers attach to input ` +
        `entities, so this would create a dangling RO-Crate row. Either reference it as a job input or ` +
        `remove the identifier.`
      )
    }
  }
  return undefined
}
