/** What diagnosis and recovery read from Torc about one workflow, fetched in parallel. */

import { z } from 'zod'
import type { TorcClient } from '../torc/client.ts'
import { exitCodesOf } from '../torc/exit-codes.ts'
import {
  type Job,
  JobSchema,
  type ResourceRequirements,
  ResourceRequirementsSchema,
  ResultSchema,
  WorkflowSchema,
  WorkflowStatusSchema,
} from '../torc/schemas.ts'
import { type Diagnosis, diagnose } from './diagnose.ts'
import { loadExecution } from './rerun.ts'

const ComputeNodeSchema = z.object({ id: z.number().int(), is_active: z.boolean().nullish() }).loose()
const ScheduledNodeSchema = z.object({ id: z.number().int(), status: z.string() }).loose()

/** Results of the current run as check-resource-utilization reads them: completed, failed, terminated. */
export async function loadResults(torc: TorcClient, workflowId: number, includeFailed: boolean) {
  const statuses = includeFailed ? (['completed', 'failed', 'terminated'] as const) : (['completed'] as const)
  const parts = await Promise.all(
    statuses.map((status) => torc.list('/results', ResultSchema, { workflow_id: workflowId, status }))
  )
  return parts.flatMap((p) => p.items)
}

export async function loadJobsAndRequirements(torc: TorcClient, workflowId: number) {
  const [jobs, rrs] = await Promise.all([
    torc.list('/jobs', JobSchema, { workflow_id: workflowId }),
    torc.list('/resource_requirements', ResourceRequirementsSchema, { workflow_id: workflowId }),
  ])
  return {
    jobs: new Map<number, Job>(jobs.items.map((j) => [j.id, j])),
    requirements: new Map<number, ResourceRequirements>(rrs.items.map((r) => [r.id, r])),
  }
}

/** A workflow's diagnosis as check_resource_utilization reports it: its current run's results. */
export async function loadDiagnosis(torc: TorcClient, workflowId: number, includeFailed: boolean): Promise<Diagnosis> {
  const [workflow, results, { jobs, requirements }] = await Promise.all([
    torc.get(`/workflows/${workflowId}`, WorkflowSchema),
    loadResults(torc, workflowId, includeFailed),
    loadJobsAndRequirements(torc, workflowId),
  ])
  return diagnose(workflowId, results, jobs, requirements, exitCodesOf(workflow))
}

export async function loadRecoveryState(torc: TorcClient, workflowId: number) {
  const [workflow, status, results, base, activeNodes, scheduled, execution] = await Promise.all([
    torc.get(`/workflows/${workflowId}`, WorkflowSchema),
    torc.get(`/workflows/${workflowId}/status`, WorkflowStatusSchema),
    loadResults(torc, workflowId, true),
    loadJobsAndRequirements(torc, workflowId),
    torc.list('/compute_nodes', ComputeNodeSchema, { workflow_id: workflowId, is_active: true }),
    torc.list('/scheduled_compute_nodes', ScheduledNodeSchema, { workflow_id: workflowId }),
    loadExecution(torc, workflowId),
  ])
  const active = new Set(activeNodes.items.map((n) => n.id))
  const orphans = [...base.jobs.values()]
    .filter((j) => j.status === 'running' && !(j.compute_node_id != null && active.has(j.compute_node_id)))
    .map((j) => ({ job_id: j.id, job_name: j.name, compute_node_id: j.compute_node_id ?? null }))
  const allocations = {
    pending: scheduled.items.filter((s) => s.status === 'pending').length,
    active: scheduled.items.filter((s) => s.status === 'active').length,
    total: scheduled.total,
  }
  return {
    workflow,
    status,
    results,
    ...base,
    activeNodeCount: active.size,
    orphans,
    allocations,
    execution,
    codes: exitCodesOf(workflow),
  }
}

export type RecoveryState = Awaited<ReturnType<typeof loadRecoveryState>>

/** Why jobs cannot be reset now (Torc refuses while jobs run); each names what to do about it. */
export function recoveryBlockers(state: RecoveryState, workflow: number): string[] {
  const counts = state.status.jobs_by_status
  const blockers: string[] = []
  const busy = counts.ready + counts.pending + counts.running - state.orphans.length
  if (busy > 0 && !state.status.is_canceled) {
    blockers.push(
      `${busy} job(s) are still ready, pending or running: wait for ` +
        `them to finish, or cancel the workflow first (cancel_workflow).`
    )
  }
  if (counts.pending_failed > 0) {
    blockers.push(
      `${counts.pending_failed} job(s) are pending_failed, awaiting ` +
        `classification: resolve them with classify_and_resolve_failures first.`
    )
  }
  if (state.activeNodeCount > 0 && busy > 0) {
    blockers.push(`${state.activeNodeCount} job runner(s) are still active: wait for them to exit.`)
  }
  if (state.allocations.pending + state.allocations.active > 0) {
    blockers.push(
      `${state.allocations.pending + state.allocations.active} Slurm allocation(s) are still pending or active: ` +
        `wait for them, or cancel the workflow and its allocations on a login node with \`torc cancel ${workflow}\`.`
    )
  }
  return blockers
}
