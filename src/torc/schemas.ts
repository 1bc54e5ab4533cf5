import { z } from 'zod'
import { compiled } from '../validation/compiled.ts'
import type { components } from './api.ts'

/**
 * Runtime checks for the parts of Torc's models that torc-edge reads. Each schema is tied to the
 * generated type, so a field that changes type in a new Torc release breaks the build.
 *
 * Overlay (torc 1.0.0): api/openapi.yaml is now emitted from the server's Rust code and agrees
 * with it on what torc-ops-spec.md §0 marked for 0.10 (`pending_failed`, `max_retries`,
 * `is_recovery` are all declared), so no field is added here that the spec lacks.
 */
type Api = components['schemas']

/** A model's schema: tied to its generated type, and compiled for the Worker (src/validation/compiled.ts). */
const conforms =
  <T>(name: string) =>
  <S extends z.ZodType<Partial<T>>>(schema: S) =>
    compiled(`torc:${name}`, schema)

const id = z.number().int()

export const JOB_STATUSES = [
  'uninitialized',
  'blocked',
  'ready',
  'pending',
  'running',
  'completed',
  'failed',
  'canceled',
  'terminated',
  'disabled',
  'pending_failed',
] as const satisfies readonly Api['JobStatus'][]

export const JobStatusSchema = z.enum(JOB_STATUSES)
export type JobStatus = z.output<typeof JobStatusSchema>

export const ListPageSchema = z
  .object({ offset: z.number().int(), total_count: z.number().int(), has_more: z.boolean() })
  .loose()

export const WorkflowSchema = conforms<Api['WorkflowModel']>('Workflow')(
  z
    .object({
      id,
      name: z.string(),
      user: z.string(),
      description: z.string().nullish(),
      timestamp: z.string().nullish(),
      project: z.string().nullish(),
      is_archived: z.boolean().nullish(),
      is_canceled: z.boolean().nullish(),
      run_id: z.number().int().nullish(),
    })
    .loose()
)
export type Workflow = z.output<typeof WorkflowSchema>

export const JobSchema = conforms<Api['JobModel']>('Job')(
  z
    .object({
      id,
      workflow_id: id,
      name: z.string(),
      command: z.string(),
      status: JobStatusSchema.optional(),
      resource_requirements_id: id.nullish(),
      depends_on_job_ids: z.array(id).nullish(),
      invocation_script: z.string().nullish(),
      supports_termination: z.boolean().nullish(),
      cancel_on_blocking_job_failure: z.boolean().nullish(),
      labels: z.array(z.string()).nullish(),
      attempt_id: z.number().int().nullish(),
      compute_node_id: id.nullish(),
    })
    .loose()
)
export type Job = z.output<typeof JobSchema>

export const ResultSchema = conforms<Api['ResultModel']>('Result')(
  z
    .object({
      id,
      job_id: id,
      job_name: z.string().nullish(),
      workflow_id: id,
      run_id: z.number().int(),
      attempt_id: z.number().int().nullish(),
      compute_node_id: id,
      return_code: z.number().int(),
      exec_time_minutes: z.number(),
      completion_time: z.string(),
      peak_memory_bytes: z.number().nullish(),
      avg_memory_bytes: z.number().nullish(),
      peak_cpu_percent: z.number().nullish(),
      avg_cpu_percent: z.number().nullish(),
      status: JobStatusSchema,
    })
    .loose()
)
export type Result = z.output<typeof ResultSchema>

export const ResourceRequirementsSchema = conforms<Api['ResourceRequirementsModel']>('ResourceRequirements')(
  z
    .object({
      id,
      workflow_id: id,
      name: z.string(),
      num_cpus: z.number().int(),
      num_gpus: z.number().int(),
      num_nodes: z.number().int(),
      memory: z.string(),
      runtime: z.string(),
    })
    .loose()
)
export type ResourceRequirements = z.output<typeof ResourceRequirementsSchema>

/** What a requirement asks of each job, without its id, name or workflow. */
export const requirementValues = (rr: ResourceRequirements) => ({
  memory: rr.memory,
  num_cpus: rr.num_cpus,
  runtime: rr.runtime,
  num_gpus: rr.num_gpus,
  num_nodes: rr.num_nodes,
})

const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, z.number().int()])) as Record<JobStatus, z.ZodNumber>

export const WorkflowStatusSchema = conforms<Api['WorkflowStatusResponse']>('WorkflowStatus')(
  z
    .object({
      workflow_id: id,
      workflow_name: z.string(),
      workflow_user: z.string(),
      total_jobs: z.number().int(),
      jobs_by_status: z.object(counts),
      is_complete: z.boolean(),
      is_canceled: z.boolean(),
      total_exec_time_minutes: z.number(),
      walltime_seconds: z.number().nullish(),
      active_compute_nodes: z.number().int(),
      pending_scheduled_nodes: z.number().int(),
      active_scheduled_nodes: z.number().int(),
    })
    .loose()
)
export type WorkflowStatus = z.output<typeof WorkflowStatusSchema>

export const VersionSchema = conforms<Api['VersionResponse']>('Version')(
  z.object({ version: z.string(), api_version: z.string() }).loose()
)
