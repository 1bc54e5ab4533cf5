import { errorMessage, SpecError } from './errors.ts'
import type { FileSpec, JobSpec, UserDataSpec, WorkflowSpec } from './model.ts'
import { loadParameterTable } from './tables.ts'
import { type Binding, type FileReader, type ParamValue, parseParameterValue, substitute } from './values.ts'

/**
 * Parameter expansion (torc 1.0.0 `expand_parameters`): jobs, then files, then user_data. Local
 * `parameters` replace `use_parameters` entirely; `parameters_file` tables give explicit rows;
 * product order follows the spec's key order with the first key slowest (Rust's order is a
 * HashMap's, i.e. unspecified). A failure leaves later sections unexpanded, as in Rust, which
 * matters to validation.
 */
export interface ExpandOptions {
  /** Reads `@file` value lists and `parameters_file` tables; without it they are errors. */
  readFile?: FileReader
  /** Upper bound on the items one template may expand to (default 1,000,000). */
  maxItems?: number
}

export interface ExpandOutcome {
  spec: WorkflowSpec
  /** First error, worded like Torc's; the spec is then only partly expanded. */
  error?: string
  /** For each expanded job, the index of the job template it came from. */
  jobOrigins: number[]
  /** 1 where the expanded job is a new object (safe to mutate), 0 where it is the input's own. */
  jobOwned: Uint8Array
}

type Item = JobSpec | FileSpec | UserDataSpec
type Params = Record<string, string> | undefined

const DEFAULT_MAX_ITEMS = 1_000_000

/** Expands every parameterised job, file and user_data entry; never throws. */
export function expandParameters(input: WorkflowSpec, options: ExpandOptions = {}): ExpandOutcome {
  const spec: WorkflowSpec = { ...input, jobs: [...input.jobs] }
  const jobOrigins = input.jobs.map((_, i) => i)
  let jobOwned = new Uint8Array(input.jobs.length)
  const limit = options.maxItems ?? DEFAULT_MAX_ITEMS
  if (spec.parameters !== undefined && spec.parameters_file !== undefined) {
    const error =
      'Workflow-level `parameters` and `parameters_file` are mutually exclusive; use one shared ' +
      'parameter source per workflow'
    return { spec, error, jobOrigins, jobOwned }
  }
  if (spec.env !== undefined && spec.parameters !== undefined) {
    spec.env = substituteEnv(spec.env, spec.parameters, options)
  }
  try {
    const jobs: JobSpec[] = []
    const origins: number[] = []
    input.jobs.forEach((job, index) => {
      const before = jobs.length
      const label = `Job '${job.name}'`
      expandItem(job, label, `Failed to expand job '${job.name}'`, spec, options, limit, jobs, expandJob)
      for (let k = before; k < jobs.length; k++) origins.push(index)
    })
    spec.jobs = jobs
    jobOrigins.length = 0
    for (const origin of origins) jobOrigins.push(origin)
    jobOwned = Uint8Array.from(jobs, (job, k) => (job === input.jobs[origins[k] ?? -1] ? 0 : 1))
    if (input.files !== undefined) {
      const files: FileSpec[] = []
      for (const file of input.files) {
        const label = `File '${file.name}'`
        expandItem(file, label, `Failed to expand file '${file.name}'`, spec, options, limit, files, expandFile)
      }
      spec.files = files
    }
    if (input.user_data !== undefined) {
      const list: UserDataSpec[] = []
      for (const ud of input.user_data) {
        const label = ud.name ?? '<unnamed>'
        const failure = `Failed to expand user_data '${label}'`
        expandItem(ud, `User data '${label}'`, failure, spec, options, limit, list, expandUserData)
      }
      spec.user_data = list
    }
  } catch (error) {
    return { spec, error: errorMessage(error), jobOrigins, jobOwned }
  }
  return { spec, jobOrigins, jobOwned }
}

/** Public form of expansion: returns the expanded spec or throws a SpecError. */
export function expandSpec(spec: WorkflowSpec, options: ExpandOptions = {}): WorkflowSpec {
  const outcome = expandParameters(spec, options)
  if (outcome.error !== undefined) throw new SpecError([{ path: '', message: outcome.error }])
  return outcome.spec
}

function expandItem<T extends Item>(
  item: T,
  label: string,
  failure: string,
  spec: WorkflowSpec,
  options: ExpandOptions,
  limit: number,
  out: T[],
  copy: (item: T) => (binding: Binding) => T
): void {
  checkSource(label, item, spec.parameters_file)
  const parameters = resolveParameters(item.parameters, item.use_parameters, spec.parameters)
  const table = item.parameters_file ?? (item.use_parameters_file === true ? spec.parameters_file : undefined)
  if (parameters === undefined && table === undefined) {
    out.push(item)
    return
  }
  let bindings: Iterable<Binding>
  try {
    bindings =
      table !== undefined
        ? loadParameterTable(table, options.readFile).map((row) => [...row.entries()])
        : combinations(parameters ?? {}, item.parameter_mode, options.readFile, limit)
  } catch (error) {
    throw new Error(`${failure}: ${errorMessage(error)}`)
  }
  const make = copy(item)
  for (const binding of bindings) out.push(make(binding))
}

function checkSource(label: string, item: Item, workflowTable: string | undefined): void {
  const tableSource = item.parameters_file !== undefined || item.use_parameters_file === true
  const inline = item.parameters !== undefined || item.use_parameters !== undefined || item.parameter_mode !== undefined
  if (tableSource && inline) {
    throw new Error(
      `${label}: a CSV/JSON parameter table (\`parameters_file\`/\`use_parameters_file\`) cannot be ` +
        `combined with \`parameters\`, \`parameter_mode\`, or \`use_parameters\``
    )
  }
  if (item.parameters_file !== undefined && item.use_parameters_file === true) {
    throw new Error(`${label}: set either a local \`parameters_file\` or \`use_parameters_file: true\`, not both`)
  }
  if (item.use_parameters_file === true && workflowTable === undefined) {
    throw new Error(`${label}: \`use_parameters_file: true\` requires a workflow-level \`parameters_file\``)
  }
}

/** The parameters an item expands over: its own, else the shared ones it names (none resolving = none). */
export function resolveParameters(local: Params, use: string[] | undefined, workflow: Params): Params {
  if (local !== undefined) return local
  if (use === undefined || workflow === undefined) return undefined
  const picked: Record<string, string> = {}
  for (const name of use) if (Object.hasOwn(workflow, name)) picked[name] = workflow[name] as string
  return Object.keys(picked).length > 0 ? picked : undefined
}

/** Product (any mode but exactly `zip`) or zip combinations, first key slowest. */
function combinations(
  params: Record<string, string>,
  mode: string | undefined,
  readFile: FileReader | undefined,
  limit: number
): Iterable<Binding> {
  const names = Object.keys(params)
  const lists = names.map((name) => parseParameterValue(params[name] as string, readFile, limit))
  if (mode === 'zip') {
    const first = lists[0]?.length ?? 0
    lists.forEach((list, i) => {
      if (list.length !== first) {
        throw new Error(
          `All parameters must have the same number of values when using 'zip' mode. Parameter ` +
            `'${names[0]}' has ${first} values, but '${names[i]}' has ${list.length} values.`
        )
      }
    })
    if (names.length === 0) return [[]]
    return Array.from({ length: first }, (_, row) => names.map((n, i) => [n, lists[i]?.[row] as ParamValue] as const))
  }
  const total = lists.reduce((n, list) => n * list.length, 1)
  if (total > limit)
    throw new Error(`Parameter expansion would produce ${total} items, more than the ` + `limit of ${limit}`)
  return product(names, lists, total)
}

function* product(names: string[], lists: ParamValue[][], total: number): Generator<Binding> {
  const index = names.map(() => 0)
  for (let k = 0; k < total; k++) {
    yield names.map((n, i) => [n, lists[i]?.[index[i] ?? 0] as ParamValue] as const)
    for (let i = names.length - 1; i >= 0; i--) {
      index[i] = (index[i] ?? 0) + 1
      if ((index[i] ?? 0) < (lists[i]?.length ?? 0)) break
      index[i] = 0
    }
  }
}

const PARAMETER_KEYS = new Set([
  'parameters',
  'parameter_mode',
  'parameters_file',
  'use_parameters',
  'use_parameters_file',
])
const JOB_STRINGS = ['name', 'command', 'invocation_script', 'resource_requirements', 'scheduler'] as const
const JOB_LISTS = [
  'labels',
  'depends_on',
  'input_files',
  'output_files',
  'input_user_data',
  'output_user_data',
  'depends_on_regexes',
  'input_file_regexes',
  'output_file_regexes',
  'input_user_data_regexes',
  'output_user_data_regexes',
] as const

/**
 * Builds a copier for one template: fields without `{` are shared by every copy (they are never
 * mutated), so a 100,000-job expansion only allocates the strings that actually change.
 */
function copier<T extends Item>(
  item: T,
  strings: readonly string[],
  lists: readonly string[],
  extra?: (out: Record<string, unknown>, b: Binding) => void
) {
  const base: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(item)) {
    if (!PARAMETER_KEYS.has(key) && value !== undefined) base[key] = value
  }
  const templated = strings.filter((k) => typeof base[k] === 'string' && (base[k] as string).includes('{'))
  const templatedLists = lists.filter(
    (k) => Array.isArray(base[k]) && (base[k] as string[]).some((s) => s.includes('{'))
  )
  return (b: Binding): T => {
    const out: Record<string, unknown> = Object.assign({}, base)
    for (const key of templated) out[key] = substitute(base[key] as string, b)
    for (const key of templatedLists) out[key] = (base[key] as string[]).map((s) => substitute(s, b))
    extra?.(out, b)
    return out as T
  }
}

function expandJob(job: JobSpec): (b: Binding) => JobSpec {
  const env = job.env
  const templatedEnv = env !== undefined && Object.values(env).some((v) => v.includes('{'))
  return copier(job, JOB_STRINGS, JOB_LISTS, (out, b) => {
    if (templatedEnv && env !== undefined) {
      out['env'] = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, substitute(v, b)]))
    }
  })
}

function expandFile(file: FileSpec): (b: Binding) => FileSpec {
  return copier(file, ['name', 'path', 'identifier'], [])
}

function substituteJson(value: unknown, b: Binding): unknown {
  if (typeof value === 'string') return substitute(value, b)
  if (Array.isArray(value)) return value.map((v) => substituteJson(v, b))
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteJson(v, b)]))
  }
  return value
}

function expandUserData(ud: UserDataSpec): (b: Binding) => UserDataSpec {
  return copier(ud, ['name'], [], (out, b) => {
    if (ud.data !== undefined) out['data'] = substituteJson(ud.data, b)
  })
}

/** Workflow `env` values see every workflow parameter that has exactly one value. */
function substituteEnv(env: Record<string, string>, params: Record<string, string>, options: ExpandOptions) {
  const binding: [string, ParamValue][] = Object.entries(params).map(([name, raw]) => {
    try {
      const values = parseParameterValue(raw, options.readFile, options.maxItems ?? DEFAULT_MAX_ITEMS)
      if (values.length === 1 && values[0] !== undefined) return [name, values[0]]
    } catch {
      // Unparsable values stay as their raw string, as in Torc.
    }
    return [name, { kind: 'str', value: raw }]
  })
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, substitute(v, binding)]))
}
