import type { components } from '../torc/api.ts'
import type { WorkflowSpec } from './model.ts'
import { compileRegex } from './regex.ts'

/**
 * The job dependency graph (torc 1.0.0 `WorkflowGraph`), keyed by job name: duplicate names
 * collapse into one node whose attributes come from the last duplicate, while edges accumulate.
 * Nodes keep first-appearance order so everything built on top is deterministic.
 */
export interface JobGraph {
  names: string[]
  index: Map<string, number>
  /** Dependency node indices per node, in discovery order, without repeats. */
  deps: number[][]
  resourceRequirements: (string | undefined)[]
  labeled: boolean[]
}

type JobModel = components['schemas']['JobModel']
/** The fields of a database job that the database plan reads. */
export type PlanJob = Pick<JobModel, 'id' | 'name' | 'depends_on_job_ids' | 'input_file_ids' | 'output_file_ids'>

function emptyGraph(names: Iterable<string>): JobGraph {
  const graph: JobGraph = { names: [], index: new Map(), deps: [], resourceRequirements: [], labeled: [] }
  for (const name of names) {
    if (graph.index.has(name)) continue
    graph.index.set(name, graph.names.length)
    graph.names.push(name)
    graph.deps.push([])
    graph.resourceRequirements.push(undefined)
    graph.labeled.push(false)
  }
  return graph
}

/** Adds a dependency edge once; long dependency lists get a lookup set, short ones a scan. */
function addEdge(graph: JobGraph, big: Map<number, Set<number>>, from: number, to: number): void {
  const deps = graph.deps[from] as number[]
  if (deps.length < 16) {
    if (deps.includes(to)) return
  } else {
    let set = big.get(from)
    if (set === undefined) big.set(from, (set = new Set(deps)))
    if (set.has(to)) return
    set.add(to)
  }
  deps.push(to)
}

const NONE: readonly string[] = []

function resolveArtifacts(
  explicit: string[] | undefined,
  regexes: string[] | undefined,
  universe: string[],
  kind: string,
  job: string
): readonly string[] {
  if (regexes === undefined || regexes.length === 0) return explicit ?? NONE
  const names = new Set(explicit ?? [])
  for (const pattern of regexes) {
    let re: ReturnType<typeof compileRegex>
    try {
      re = compileRegex(pattern)
    } catch (error) {
      const why = (error as Error).message
      throw new Error(`Invalid regex '${pattern}' for ${kind.toLowerCase()} in job '${job}': ${why}`)
    }
    let matched = false
    for (const name of universe) {
      if (re.test(name)) {
        names.add(name)
        matched = true
      }
    }
    if (!matched) throw new Error(`${kind} regex '${pattern}' did not match any names for job '${job}'`)
  }
  return [...names]
}

/**
 * Graph of an expanded spec (`WorkflowGraph::from_spec`): explicit `depends_on` (unknown names are
 * dropped), `depends_on_regexes` (self excluded), and producer/consumer edges through files and
 * user data. New in 1.0.0, the `*_regexes` file and user-data lists count too, so regex fan-in is
 * visible (the docs' mechanism D ignored them); a regex matching nothing is an error.
 */
export function graphFromSpec(spec: WorkflowSpec): JobGraph {
  const graph = emptyGraph(spec.jobs.map((j) => j.name))
  const big = new Map<number, Set<number>>()
  const files = (spec.files ?? []).map((f) => f.name)
  const userData = (spec.user_data ?? []).flatMap((u) => (u.name === undefined ? [] : [u.name]))
  // Keyed by name, last duplicate wins (as in Rust); only non-empty entries are kept.
  const inputs = new Map<string, Artifacts>()
  const outputs = new Map<string, Artifacts>()
  const unique = graph.names.length === spec.jobs.length
  const fileProducers: Producers = new Map()
  const dataProducers: Producers = new Map()
  for (const job of spec.jobs) {
    const i = graph.index.get(job.name) as number
    graph.resourceRequirements[i] = job.resource_requirements
    graph.labeled[i] = (job.labels?.length ?? 0) > 0
    const name = job.name
    const inFiles = resolveArtifacts(job.input_files, job.input_file_regexes, files, 'Input file', name)
    const inData = resolveArtifacts(job.input_user_data, job.input_user_data_regexes, userData, 'Input user data', name)
    if (inFiles.length > 0 || inData.length > 0) inputs.set(job.name, [inFiles, inData])
    else inputs.delete(job.name)
    const outFiles = resolveArtifacts(job.output_files, job.output_file_regexes, files, 'Output file', name)
    const outData = resolveArtifacts(
      job.output_user_data,
      job.output_user_data_regexes,
      userData,
      'Output user data',
      name
    )
    if (unique) {
      for (const f of outFiles) addProducer(fileProducers, f, i)
      for (const d of outData) addProducer(dataProducers, d, i)
    } else if (outFiles.length > 0 || outData.length > 0) outputs.set(job.name, [outFiles, outData])
    else outputs.delete(job.name)
  }
  for (const [name, [outFiles, outData]] of outputs) {
    const i = graph.index.get(name) as number
    for (const f of outFiles) addProducer(fileProducers, f, i)
    for (const d of outData) addProducer(dataProducers, d, i)
  }
  for (const job of spec.jobs) {
    const self = graph.index.get(job.name) as number
    for (const dep of job.depends_on ?? []) {
      const d = graph.index.get(dep)
      if (d !== undefined) addEdge(graph, big, self, d)
    }
    for (const pattern of job.depends_on_regexes ?? []) {
      const re = compileRegex(pattern)
      for (let d = 0; d < graph.names.length; d++) {
        if (d !== self && re.test(graph.names[d] as string)) addEdge(graph, big, self, d)
      }
    }
    const found = inputs.get(job.name)
    if (found === undefined) continue
    const producers: number[] = []
    for (const f of found[0]) producersOf(fileProducers, f, producers)
    for (const d of found[1]) producersOf(dataProducers, d, producers)
    for (const p of producers.sort((a, b) => a - b)) if (p !== self) addEdge(graph, big, self, p)
  }
  return compact(graph)
}

/**
 * Arrays grown by push keep spare capacity, and a sweep gives 100,000 jobs the same single
 * dependency: trimming and sharing those lists saves ~15 MB at that size. Lists are read-only after.
 */
function compact(graph: JobGraph): JobGraph {
  const singles = new Map<number, number[]>()
  graph.deps = graph.deps.map((d) => {
    if (d.length !== 1) return d.length === 0 ? d : d.slice()
    const only = d[0] as number
    let shared = singles.get(only)
    if (shared === undefined) singles.set(only, (shared = [only]))
    return shared
  })
  return graph
}

type Artifacts = [readonly string[], readonly string[]]
/** Producer node(s) per artifact name; a single producer is stored without an array. */
type Producers = Map<string, number | number[]>

function addProducer(map: Producers, key: string, node: number): void {
  const current = map.get(key)
  if (current === undefined) map.set(key, node)
  else if (typeof current === 'number') map.set(key, [current, node])
  else current.push(node)
}

function producersOf(map: Producers, key: string, out: number[]): void {
  const found = map.get(key)
  if (typeof found === 'number') out.push(found)
  else if (found !== undefined) for (const p of found) out.push(p)
}

/**
 * Graph of database jobs (`WorkflowGraph::from_jobs`): edges from `depends_on_job_ids`; only when
 * no job has any, producer/consumer edges through file ids (self excluded). User data is not used.
 */
export function graphFromJobs(jobs: readonly PlanJob[]): JobGraph {
  const graph = emptyGraph(jobs.map((j) => j.name))
  const big = new Map<number, Set<number>>()
  const idToName = new Map<number, string>()
  for (const job of jobs) if (job.id != null) idToName.set(job.id, job.name)
  let anyDeps = false
  for (const job of jobs) {
    const ids = job.depends_on_job_ids ?? []
    if (ids.length > 0) anyDeps = true
    const self = graph.index.get(job.name) as number
    for (const id of ids) {
      const name = idToName.get(id)
      const d = name === undefined ? undefined : graph.index.get(name)
      if (d !== undefined) addEdge(graph, big, self, d)
    }
  }
  if (anyDeps) return compact(graph)
  const producers = new Map<number, number>()
  for (const job of jobs) {
    if (job.id == null) continue
    for (const fileId of job.output_file_ids ?? []) producers.set(fileId, job.id)
  }
  for (const job of jobs) {
    const self = graph.index.get(job.name) as number
    for (const fileId of job.input_file_ids ?? []) {
      const producer = producers.get(fileId)
      if (producer === undefined || producer === job.id) continue
      const name = idToName.get(producer)
      const d = name === undefined ? undefined : graph.index.get(name)
      if (d !== undefined) addEdge(graph, big, self, d)
    }
  }
  return compact(graph)
}
