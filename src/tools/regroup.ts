import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { ToolError } from '../errors.ts'
import { ensureRequirement, pointJobAt, type RequirementSpec } from '../recovery/requirement-changes.ts'
import { loadJobsAndRequirements } from '../recovery/state.ts'
import { requirementValues } from '../torc/schemas.ts'
import { jobId, memoryField, runtimeField, workflowId } from './fields.ts'

const group = z.object({
  memory: memoryField.describe('Memory for the group, e.g. "10g" or "512m".'),
  num_cpus: z.number().int().min(1).max(100_000).describe('CPUs per job.'),
  runtime: runtimeField.describe('Runtime limit as ISO 8601, e.g. "PT2H".'),
  num_gpus: z
    .number()
    .int()
    .min(0)
    .max(1024)
    .optional()
    .describe("GPUs (default: the first job's current value, or 0)."),
  num_nodes: z
    .number()
    .int()
    .min(1)
    .max(100_000)
    .optional()
    .describe("Nodes (default: the first job's current value, or 1)."),
  name: z.string().min(1).max(100).optional().describe('Name of the new requirement (default group_<index>).'),
  job_ids: z.array(jobId).min(1).max(10_000).describe('Jobs that get this requirement.'),
})

const values = z.object({
  memory: z.string().describe('Memory.'),
  num_cpus: z.number().int().describe('CPUs.'),
  runtime: z.string().describe('Runtime.'),
  num_gpus: z.number().int().describe('GPUs.'),
  num_nodes: z.number().int().describe('Nodes.'),
})

export const regroupJobResources = defineChange({
  name: 'regroup_job_resources',
  title: 'Regroup job resources',
  description:
    'Give groups of jobs new resource requirements: each group becomes one requirement (memory, CPUs, ' +
    'runtime, GPUs, nodes) and its jobs are pointed at it; jobs in no group keep theirs. Use after ' +
    'analyze_resource_usage found natural clusters. Previews first; returns each job with its old and new values.',
  kind: 'rg',
  input: z.object({
    workflow_id: workflowId,
    groups: z.array(group).min(1).max(100).describe('The new groups and the jobs in each.'),
  }),
  preview: {
    workflow_id: z.number().int().describe('Workflow id.'),
    groups: z
      .array(
        z.object({
          group_index: z.number().int().describe('Position in groups.'),
          name: z.string().describe('Name of its requirement.'),
          new_config: values.describe('Values every job of the group gets.'),
          job_count: z.number().int().describe('Jobs in the group.'),
          jobs: z
            .array(
              z.object({
                job_id: z.number().int().describe('Job id.'),
                name: z.string().describe('Job name.'),
                current: values
                  .extend({
                    id: z.number().int().describe('Requirement id.'),
                    name: z.string().describe('Requirement name.'),
                  })
                  .nullable()
                  .describe('Its requirement now.'),
              })
            )
            .describe('The jobs (first 100 per group).'),
        })
      )
      .describe('Each group as it would be applied.'),
    total_jobs_affected: z.number().int().describe('Jobs that get a new requirement.'),
  },
  applied: z.object({
    groups: z
      .array(
        z.object({
          name: z.string().describe('Requirement name.'),
          resource_requirements_id: z.number().int().describe('The requirement the group uses.'),
          jobs_updated: z.array(z.number().int()).describe('Jobs pointed at it by this apply.'),
        })
      )
      .describe('Each group as applied.'),
    total_jobs_updated: z.number().int().describe('Jobs changed.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  view: 'review',
  scope: ({ workflow_id }) => `workflow:${workflow_id}`,
  async plan({ workflow_id: id, groups }, { torc }) {
    const { jobs, requirements } = await loadJobsAndRequirements(torc, id)
    const seen = new Set<number>()
    const problems: string[] = []
    groups.forEach((g, i) => {
      for (const job of g.job_ids) {
        if (!jobs.has(job)) problems.push(`groups[${i}].job_ids: job ${job} is not a job of workflow ${id}`)
        if (seen.has(job)) problems.push(`groups[${i}].job_ids: job ${job} is in more than one group`)
        seen.add(job)
      }
    })
    if (problems.length) throw new ToolError('invalid_input', `invalid input: ${problems.slice(0, 5).join('; ')}`)
    const specs: (RequirementSpec & { job_ids: number[] })[] = groups.map((g, i) => {
      const first = jobs.get(g.job_ids[0]!)
      const current =
        first?.resource_requirements_id == null ? undefined : requirements.get(first.resource_requirements_id)
      return {
        name: g.name ?? `group_${i}`,
        memory: g.memory,
        num_cpus: g.num_cpus,
        runtime: g.runtime,
        num_gpus: g.num_gpus ?? current?.num_gpus ?? 0,
        num_nodes: g.num_nodes ?? current?.num_nodes ?? 1,
        job_ids: [...g.job_ids],
      }
    })
    const taken = specs.filter((s) =>
      [...requirements.values()].some(
        (r) =>
          r.name === s.name &&
          (r.memory !== s.memory ||
            r.num_cpus !== s.num_cpus ||
            r.runtime !== s.runtime ||
            r.num_gpus !== s.num_gpus ||
            r.num_nodes !== s.num_nodes)
      )
    )
    return {
      snapshot: { workflow_id: id, groups: specs },
      basis: { requirements: [...requirements.keys()] },
      fields: {
        workflow_id: id,
        groups: specs.map(({ job_ids, name, ...config }, i) => ({
          group_index: i,
          name,
          new_config: config,
          job_count: job_ids.length,
          jobs: job_ids.slice(0, 100).map((job) => {
            const j = jobs.get(job)!
            const rr = j.resource_requirements_id == null ? undefined : requirements.get(j.resource_requirements_id)
            return {
              job_id: job,
              name: j.name,
              current: rr ? { id: rr.id, name: rr.name, ...requirementValues(rr) } : null,
            }
          }),
        })),
        total_jobs_affected: seen.size,
      },
      blockers: taken.map(
        (s) => `a requirement named "${s.name}" already exists with other values: give the group another name`
      ),
    }
  },
  async apply(plan, { torc }, steps) {
    const applied = []
    let total = 0
    for (const { job_ids, ...spec } of plan.groups) {
      const rr = await ensureRequirement(torc, steps, plan.workflow_id, spec)
      const updated: number[] = []
      for (const job of job_ids) if (await pointJobAt(torc, steps, job, rr.id)) updated.push(job)
      total += updated.length
      applied.push({ name: spec.name, resource_requirements_id: rr.id, jobs_updated: updated })
    }
    return { groups: applied, total_jobs_updated: total }
  },
  done: (applied) =>
    `Regrouped: ${applied.total_jobs_updated} job(s) now use ${applied.groups.length} requirement(s). ` +
    'Failed jobs rerun with them after recover_workflow or restart_failed_jobs (preview first).',
  summarize: (out) => `${out.status}: ${out.total_jobs_affected} jobs into ${(out.groups as unknown[]).length} groups`,
})

export const regroupTools = [regroupJobResources]
