/**
 * The REST sequences that change resource requirements: set values, give one job its own copy,
 * make a named requirement, point a job at one. Each converges on its target (see torc-changes.ts).
 */
import type { TorcClient } from '../torc/client.ts'
import { JobSchema, type ResourceRequirements, ResourceRequirementsSchema } from '../torc/schemas.ts'
import type { Steps } from './torc-changes.ts'

export interface RequirementValues {
  num_cpus?: number | undefined
  memory?: string | undefined
  runtime?: string | undefined
}

const differs = (rr: ResourceRequirements, target: RequirementValues) =>
  (target.num_cpus !== undefined && rr.num_cpus !== target.num_cpus) ||
  (target.memory !== undefined && rr.memory !== target.memory) ||
  (target.runtime !== undefined && rr.runtime !== target.runtime)

const withValues = (rr: ResourceRequirements, target: RequirementValues): ResourceRequirements => ({
  ...rr,
  num_cpus: target.num_cpus ?? rr.num_cpus,
  memory: target.memory ?? rr.memory,
  runtime: target.runtime ?? rr.runtime,
})

/** Sets a requirement's values (for every job using it), unless it already has them. */
export async function setRequirement(torc: TorcClient, steps: Steps, id: number, target: RequirementValues) {
  const rr = await torc.get(`/resource_requirements/${id}`, ResourceRequirementsSchema)
  if (!differs(rr, target)) return rr
  return steps.step(`updated requirement ${id} ("${rr.name}")`, () =>
    torc.send('PUT', `/resource_requirements/${id}`, ResourceRequirementsSchema, { body: withValues(rr, target) })
  )
}

/** The name of a job's own copy of a shared requirement. */
export const ownRequirementName = (rr: ResourceRequirements, jobId: number) => `${rr.name}_job${jobId}`

/**
 * Gives one job its own copy of a shared requirement with new values; the other jobs keep theirs.
 * A copy made by an earlier, interrupted apply is reused, never made twice.
 */
export async function giveJobOwnRequirement(
  torc: TorcClient,
  steps: Steps,
  jobId: number,
  shared: ResourceRequirements,
  target: RequirementValues
): Promise<ResourceRequirements> {
  const job = await torc.get(`/jobs/${jobId}`, JobSchema)
  const name = ownRequirementName(shared, jobId)
  const existing = (
    await torc.list('/resource_requirements', ResourceRequirementsSchema, { workflow_id: job.workflow_id })
  ).items.find((r) => r.name === name)
  const copy =
    existing ??
    (await steps.step(`created requirement "${name}" for job ${jobId}`, () =>
      torc.send('POST', '/resource_requirements', ResourceRequirementsSchema, {
        body: { ...withValues(shared, target), id: undefined, name },
      })
    ))
  const own = differs(copy, target) ? await setRequirement(torc, steps, copy.id, target) : copy
  if (job.resource_requirements_id !== own.id) {
    await steps.step(`pointed job ${jobId} at "${name}"`, () =>
      torc.send('PUT', `/jobs/${jobId}`, JobSchema, { body: { ...job, resource_requirements_id: own.id } })
    )
  }
  return own
}

export interface RequirementSpec {
  name: string
  num_cpus: number
  memory: string
  runtime: string
  num_gpus: number
  num_nodes: number
}

const sameSpec = (rr: ResourceRequirements, spec: RequirementSpec) =>
  rr.num_cpus === spec.num_cpus &&
  rr.memory === spec.memory &&
  rr.runtime === spec.runtime &&
  rr.num_gpus === spec.num_gpus &&
  rr.num_nodes === spec.num_nodes

/** A requirement of the workflow with exactly this name and these values: the one made before, else a new one. */
export async function ensureRequirement(
  torc: TorcClient,
  steps: Steps,
  workflowId: number,
  spec: RequirementSpec
): Promise<ResourceRequirements> {
  const existing = (
    await torc.list('/resource_requirements', ResourceRequirementsSchema, { workflow_id: workflowId })
  ).items.find((r) => r.name === spec.name && sameSpec(r, spec))
  if (existing) return existing
  return steps.step(`created requirement "${spec.name}"`, () =>
    torc.send('POST', '/resource_requirements', ResourceRequirementsSchema, {
      body: { ...spec, workflow_id: workflowId },
    })
  )
}

/** Points a job at a requirement, unless it already uses it. */
export async function pointJobAt(
  torc: TorcClient,
  steps: Steps,
  jobId: number,
  requirementId: number
): Promise<boolean> {
  const job = await torc.get(`/jobs/${jobId}`, JobSchema)
  if (job.resource_requirements_id === requirementId) return false
  await steps.step(`pointed job ${jobId} at requirement ${requirementId}`, () =>
    torc.send('PUT', `/jobs/${jobId}`, JobSchema, { body: { ...job, resource_requirements_id: requirementId } })
  )
  return true
}
