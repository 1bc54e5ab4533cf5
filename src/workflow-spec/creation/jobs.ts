import type { SpecIssue } from '../errors.ts'
import type { JobSpec, WorkflowSpec } from '../model.ts'
import { compileRegex } from '../regex.ts'
import type { CreationStep, JobDraft } from './types.ts'

/**
 * Job creation of torc 1.0.0 (`create_jobs`): dependency names from `depends_on` and
 * `depends_on_regexes` (a regex may match the job itself, which is then a cycle), topological levels
 * (Kahn by rounds, spec order inside a level), and one bulk request per chunk of a level. Only
 * explicit and regex dependencies become `depends_on_job_ids`; file and user-data dependencies are
 * added by the server's `initialize_jobs`. Duplicate names share the last duplicate's dependencies.
 */
export function jobSteps(spec: WorkflowSpec, size: number, steps: CreationStep[], issues: SpecIssue[]): number {
  const names = [...new Set(spec.jobs.map((j) => j.name))]
  const nameSet = new Set(names)
  const deps = new Map<string, readonly string[]>()
  for (const [index, job] of spec.jobs.entries()) deps.set(job.name, dependencies(job, index, names, nameSet, issues))
  const level = levels(names, deps)
  if (level === undefined) {
    issues.push({ path: 'jobs', message: 'Circular dependency detected in job graph' })
    return 0
  }
  const files = (spec.files ?? []).map((f) => f.name)
  const userData = (spec.user_data ?? []).flatMap((u) => (u.name === undefined ? [] : [u.name]))
  const ctx: Universe = {
    files: { names: files, set: new Set(files) },
    userData: { names: userData, set: new Set(userData) },
    rrs: new Set((spec.resource_requirements ?? []).map((r) => r.name)),
    schedulers: new Set((spec.slurm_schedulers ?? []).flatMap((s) => (s.name === undefined ? [] : [s.name]))),
    issues,
  }
  const byLevel: JobDraft[][] = []
  spec.jobs.forEach((job, index) => {
    const draft = jobDraft(job, deps.get(job.name) ?? [], ctx, `jobs[${index}]`)
    const l = level.get(job.name) ?? 0
    ;(byLevel[l] ??= []).push(draft)
  })
  byLevel.forEach((drafts, l) => {
    for (let i = 0; i < drafts.length; i += size) {
      const jobs = drafts.slice(i, i + size)
      steps.push({ kind: 'jobs', method: 'POST', path: '/bulk_jobs', level: l, batch: i / size + 1, jobs })
    }
  })
  return byLevel.length
}

function dependencies(
  job: JobSpec,
  index: number,
  names: string[],
  nameSet: Set<string>,
  issues: SpecIssue[]
): readonly string[] {
  const path = `jobs[${index}]`
  const explicit = job.depends_on ?? NONE
  if ((job.depends_on_regexes?.length ?? 0) === 0 && explicit.every((dep) => nameSet.has(dep))) return explicit
  const out: string[] = []
  for (const dep of explicit) {
    if (nameSet.has(dep)) out.push(dep)
    else issues.push({ path, message: `Blocking job '${dep}' not found for job '${job.name}'` })
  }
  for (const pattern of job.depends_on_regexes ?? []) {
    let re: ReturnType<typeof compileRegex>
    try {
      re = compileRegex(pattern)
    } catch (error) {
      issues.push({ path, message: `Invalid regex '${pattern}' in job '${job.name}': ${(error as Error).message}` })
      continue
    }
    const listed = new Set(out)
    let matched = false
    for (const name of names) {
      if (!listed.has(name) && re.test(name)) {
        out.push(name)
        listed.add(name)
        matched = true
      }
    }
    if (!matched) {
      issues.push({ path, message: `Blocking job regex '${pattern}' did not match any jobs for job '${job.name}'` })
    }
  }
  return out
}

/** Longest-path level of every name, or undefined when some names sit on or behind a cycle. */
function levels(names: string[], deps: Map<string, readonly string[]>): Map<string, number> | undefined {
  const index = new Map(names.map((name, i) => [name, i]))
  const pending = new Int32Array(names.length)
  const dependents: (number[] | undefined)[] = new Array<number[] | undefined>(names.length)
  names.forEach((name, i) => {
    const list = deps.get(name) ?? NONE
    for (const d of list.length > 1 ? new Set(list) : list) {
      const from = index.get(d)
      if (from === undefined) continue
      pending[i] = (pending[i] ?? 0) + 1
      ;(dependents[from] ??= []).push(i)
    }
  })
  const level = new Map<string, number>()
  let frontier: number[] = []
  pending.forEach((count, i) => {
    if (count === 0) frontier.push(i)
  })
  for (let l = 0; frontier.length > 0; l++) {
    const next: number[] = []
    for (const i of frontier) {
      level.set(names[i] as string, l)
      for (const d of dependents[i] ?? []) {
        pending[d] = (pending[d] ?? 0) - 1
        if (pending[d] === 0) next.push(d)
      }
    }
    frontier = next
  }
  return level.size === names.length ? level : undefined
}

interface Names {
  names: string[]
  set: Set<string>
}

interface Universe {
  files: Names
  userData: Names
  rrs: Set<string>
  schedulers: Set<string>
  issues: SpecIssue[]
}

function resolveNames(
  exact: string[] | undefined,
  regexes: string[] | undefined,
  universe: Names,
  label: string,
  job: string,
  path: string,
  issues: SpecIssue[]
): readonly string[] {
  if ((regexes?.length ?? 0) === 0 && (exact ?? NONE).every((name) => universe.set.has(name))) return exact ?? NONE
  const out: string[] = []
  for (const name of exact ?? []) {
    if (universe.set.has(name)) out.push(name)
    else issues.push({ path, message: `${label} '${name}' not found for job '${job}'` })
  }
  for (const pattern of regexes ?? []) {
    let re: ReturnType<typeof compileRegex>
    try {
      re = compileRegex(pattern)
    } catch (error) {
      const why = (error as Error).message
      issues.push({ path, message: `Invalid regex '${pattern}' for ${label.toLowerCase()} in job '${job}': ${why}` })
      continue
    }
    const listed = new Set(out)
    let matched = false
    for (const name of universe.names) {
      if (!listed.has(name) && re.test(name)) {
        out.push(name)
        matched = true
      }
    }
    if (!matched) {
      issues.push({ path, message: `${label} regex '${pattern}' did not match any names for job '${job}'` })
    }
  }
  return out.length === 0 ? NONE : out.slice()
}

/** Shared empty list: most jobs of a big sweep reference no user data, so they share one array. */
const NONE: readonly string[] = []

function jobDraft(job: JobSpec, deps: readonly string[], ctx: Universe, path: string): JobDraft {
  const { issues } = ctx
  if (job.resource_requirements !== undefined && !ctx.rrs.has(job.resource_requirements)) {
    const message = `Resource requirements '${job.resource_requirements}' not found for job '${job.name}'`
    issues.push({ path, message })
  }
  if (job.scheduler !== undefined && !ctx.schedulers.has(job.scheduler)) {
    issues.push({ path, message: `Scheduler '${job.scheduler}' not found for job '${job.name}'` })
  }
  const body: JobDraft['body'] = {
    name: job.name,
    command: job.command,
    status: 'uninitialized',
    cancel_on_blocking_job_failure: job.cancel_on_blocking_job_failure ?? true,
    supports_termination: false,
    attempt_id: 1,
    priority: job.priority ?? null,
  }
  if (job.invocation_script !== undefined) body.invocation_script = job.invocation_script
  if (job.env !== undefined && Object.keys(job.env).length > 0) body.env = job.env
  if (job.labels !== undefined) body.labels = job.labels
  const resolve = (exact: string[] | undefined, regexes: string[] | undefined, universe: Names, label: string) =>
    resolveNames(exact, regexes, universe, label, job.name, path, issues)
  return {
    body,
    refs: {
      input_files: resolve(job.input_files, job.input_file_regexes, ctx.files, 'Input file'),
      output_files: resolve(job.output_files, job.output_file_regexes, ctx.files, 'Output file'),
      input_user_data: resolve(job.input_user_data, job.input_user_data_regexes, ctx.userData, 'Input user data'),
      output_user_data: resolve(job.output_user_data, job.output_user_data_regexes, ctx.userData, 'Output user data'),
      ...(job.resource_requirements === undefined ? {} : { resource_requirements: job.resource_requirements }),
      ...(job.scheduler === undefined ? {} : { scheduler: job.scheduler }),
      ...(job.failure_handler === undefined ? {} : { failure_handler: job.failure_handler }),
      depends_on: deps,
    },
  }
}
