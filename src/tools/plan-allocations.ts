/**
 * plan_allocations (Rust name and parameters): one large Slurm allocation or many small ones? The
 * workflow's shape is computed here (jobs, dependency depth, widest level, resource groups) from
 * the expanded spec with every dependency resolved (explicit, files, user data); the cluster's side
 * (node availability, queue, `sbatch --test-only` start estimates, recommendations) only the
 * cluster can give: `torc slurm plan-allocations` through the agent's `probe` action.
 */
import { z } from 'zod'
import { ToolError } from '../errors.ts'
import { defineTool } from '../registry.ts'
import { ClusterName } from '../site-protocol/actions.ts'
import { expandParameters } from '../workflow-spec/expand.ts'
import { graphFromSpec, type JobGraph } from '../workflow-spec/graph.ts'
import { substituteExpanded } from '../workflow-spec/substitute.ts'
import { parseBounded } from './authoring.ts'
import { failureOf, jsonOut, onCluster } from './cluster.ts'
import { readOnly } from './fields.ts'

/** Levels of the DAG: a job's level is one more than its deepest dependency's (roots are 0). */
function levels(graph: JobGraph): number[] {
  const level = new Array<number>(graph.names.length).fill(-1)
  const state = new Uint8Array(graph.names.length)
  for (let start = 0; start < graph.names.length; start++) {
    if (level[start]! >= 0) continue
    const stack: [number, number][] = [[start, 0]]
    while (stack.length) {
      const top = stack[stack.length - 1]!
      const [node, next] = top
      const deps = graph.deps[node]!
      if (next === 0) state[node] = 1
      if (next < deps.length) {
        top[1]++
        const dep = deps[next]!
        if (level[dep]! >= 0) continue
        if (state[dep] === 1)
          throw new ToolError('invalid_input', `invalid spec: dependency cycle through job ${graph.names[dep]}`)
        stack.push([dep, 0])
        continue
      }
      level[node] = deps.reduce((m, d) => Math.max(m, level[d]! + 1), 0)
      state[node] = 2
      stack.pop()
    }
  }
  return level
}

/** The workflow analysis (the same fields torc reports) for a spec. */
export function analyzeSpec(spec: Record<string, unknown>) {
  const parsed = parseBounded(JSON.stringify(spec), 'json')
  const expanded = expandParameters(parsed.spec)
  if (expanded.error !== undefined) throw new ToolError('invalid_input', `invalid spec: ${expanded.error}`)
  const resolved = substituteExpanded(expanded.spec, expanded.jobOwned, false)
  let graph: JobGraph
  try {
    graph = graphFromSpec(resolved)
  } catch (err) {
    throw new ToolError('invalid_input', `invalid spec: ${err instanceof Error ? err.message : String(err)}`)
  }
  const level = levels(graph)
  const width = new Map<number, number>()
  for (const l of level) width.set(l, (width.get(l) ?? 0) + 1)
  let widest = 0
  let widestLevel = 0
  for (const [l, n] of [...width].sort((a, b) => a[0] - b[0])) if (n > widest) [widest, widestLevel] = [n, l]
  const groups = new Map<string, number>()
  for (const rr of graph.resourceRequirements) {
    const name = rr ?? '(none)'
    groups.set(name, (groups.get(name) ?? 0) + 1)
  }
  return {
    analysis: {
      total_jobs: graph.names.length,
      dependency_depth: graph.names.length ? Math.max(...level) + 1 : 0,
      max_parallelism: widest,
      max_parallelism_level: widestLevel,
      resource_groups: groups.size,
    },
    groups: [...groups].map(([name, job_count]) => ({ name, job_count })),
  }
}

const loose = z.record(z.string(), z.unknown())
const TorcPlanSchema = z
  .object({
    workflow_analysis: loose.optional(),
    cluster_state: z.array(loose).default([]),
    recommendations: z.array(loose).default([]),
    warnings: z.array(z.string()).default([]),
    resource_groups: z.array(loose).default([]),
    profile_name: z.string().nullish(),
    profile_display_name: z.string().nullish(),
    account: z.string().nullish(),
  })
  .loose()

const GUIDANCE = {
  doc_topic: 'allocation-strategies',
  key_points: [
    'A many-small estimate is for the first allocation only: fair-share makes the later ones wait longer.',
    'Backfill favours a large allocation with a reserved start; compare both completion estimates.',
    'When dependency_depth > 1 not every job can run at once: max_parallelism bounds the nodes worth asking for.',
    'Show the user both the raw estimates and the recommendation.',
  ],
}

export const planAllocations = defineTool({
  name: 'plan_allocations',
  title: 'Plan Slurm allocations',
  description:
    'Recommend one large Slurm allocation or many small ones for a workflow spec: its shape (jobs, dependency ' +
    'depth, max parallelism, resource groups) and, through the login-node agent, the cluster state and real ' +
    '`sbatch --test-only` start estimates per strategy (`torc slurm plan-allocations`). Show both to the user.',
  input: z.object({
    spec_json: z
      .record(z.string(), z.unknown())
      .describe('The workflow spec as a JSON object, with resource_requirements (CPUs, memory, runtime).'),
    account: ClusterName.describe('Slurm account for the estimates.'),
    partition: ClusterName.optional().describe('Partition to target (default: chosen per resource group).'),
    hpc_profile: ClusterName.optional().describe(
      'HPC profile (default: detected on the login node; `slurm` is the cluster itself).'
    ),
    skip_test_only: z
      .boolean()
      .default(false)
      .describe('Skip the sbatch --test-only probes (heuristics only; default false).'),
  }),
  output: z.object({
    workflow_analysis: z
      .object({
        total_jobs: z.number().int().describe('Jobs after parameter expansion.'),
        dependency_depth: z.number().int().describe('Levels of the dependency graph (1: no dependencies).'),
        max_parallelism: z.number().int().describe('Most jobs on one level: how many can run at once at best.'),
        max_parallelism_level: z.number().int().describe('That level (0: the roots).'),
        resource_groups: z.number().int().describe('Distinct resource requirements used by the jobs.'),
      })
      .describe('The workflow shape, with file and user-data dependencies resolved.'),
    resource_group_jobs: z
      .array(z.object({ name: z.string().describe('Requirement.'), job_count: z.number().int().describe('Jobs.') }))
      .describe('Jobs per resource requirement.'),
    estimates_available: z.boolean().describe('The cluster part below came from the login node.'),
    cluster_state: z
      .array(loose)
      .describe('Per partition: idle, mixed, allocated, down nodes; pending and running jobs.'),
    recommendations: z
      .array(loose)
      .describe('Per resource group: strategy, allocations x nodes, walltime, and sbatch_estimates per strategy.'),
    resource_groups: z.array(loose).describe("torc's groups: partition, walltime, ideal nodes."),
    warnings: z.array(z.string()).describe("torc's warnings."),
    profile_name: z.string().nullable().describe('HPC profile used on the login node.'),
    torc_workflow_analysis: loose
      .nullable()
      .describe("torc's own analysis (it counts only explicit dependencies, so file-driven depth reads as 1)."),
    guidance: z
      .object({
        doc_topic: z.string().describe('get_docs topic.'),
        key_points: z.array(z.string()).describe('Points.'),
      })
      .describe('How to read the estimates.'),
    note: z.string().describe('What this answer holds, or why the estimates are missing and how to get them.'),
    command: z.string().describe('The same analysis on a login node.'),
  }),
  annotations: { ...readOnly, openWorldHint: true },
  async handler(input, ctx) {
    const { analysis, groups } = analyzeSpec(input.spec_json)
    const flags = [
      `--account ${input.account}`,
      input.partition ? `--partition ${input.partition}` : '',
      input.hpc_profile ? `--profile ${input.hpc_profile}` : '',
      input.skip_test_only ? '--skip-test-only' : '',
    ].filter(Boolean)
    const command = [
      'torc -f json slurm plan-allocations --group-by resource-requirements',
      ...flags,
      'workflow.json',
    ].join(' ')
    const empty = {
      workflow_analysis: analysis,
      resource_group_jobs: groups,
      estimates_available: false,
      cluster_state: [],
      recommendations: [],
      resource_groups: [],
      warnings: [],
      profile_name: null,
      torc_workflow_analysis: null,
      guidance: GUIDANCE,
      command,
    }
    const outcome = await onCluster(ctx, 'probe', {
      spec: input.spec_json,
      account: input.account,
      ...(input.partition ? { partition: input.partition } : {}),
      ...(input.hpc_profile ? { profile: input.hpc_profile } : {}),
      skip_test_only: input.skip_test_only,
    })
    if (!outcome.ran)
      return {
        ...empty,
        note:
          `The workflow analysis is above. Cluster state and sbatch --test-only estimates need the ` +
          `login node: ${outcome.why}. Save the spec as workflow.json and run there: \`${command}\`.`,
      }
    const run = outcome.result.runs[0]!
    const torc = TorcPlanSchema.safeParse(jsonOut(run))
    if (run.exit_code !== 0 || !torc.success)
      return {
        ...empty,
        note: `The workflow analysis is above; the estimates failed on the login node: ${failureOf(run)}.`,
      }
    return {
      ...empty,
      estimates_available: true,
      cluster_state: torc.data.cluster_state,
      recommendations: torc.data.recommendations,
      resource_groups: torc.data.resource_groups,
      warnings: torc.data.warnings,
      profile_name: torc.data.profile_name ?? null,
      torc_workflow_analysis: torc.data.workflow_analysis ?? null,
      note:
        'Cluster state, recommendations and sbatch --test-only estimates from the login node (`torc slurm ' +
        "plan-allocations`); a probe torc could not read says so in its error. Present both strategies' estimates.",
    }
  },
  summarize: (out) =>
    `${out.workflow_analysis.total_jobs} jobs, depth ${out.workflow_analysis.dependency_depth}, ` +
    `max parallelism ${out.workflow_analysis.max_parallelism}: ` +
    `${out.estimates_available ? `${out.recommendations.length} recommendation(s)` : 'no estimates'}`,
})
