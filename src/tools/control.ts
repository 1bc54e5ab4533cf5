import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { mapConcurrent } from '../concurrency.ts'
import { ToolError } from '../errors.ts'
import { rerunCommand, rerunMode, TERMINATED_RERUN } from '../recovery/rerun.ts'
import { loadRecoveryState, recoveryBlockers } from '../recovery/state.ts'
import { cancelNotStarted, cancelWorkflowOnce, resetAndStartRun } from '../recovery/torc-changes.ts'
import type { ToolContext } from '../registry.ts'
import { type Job, JobSchema, type JobStatus, WorkflowSchema, WorkflowStatusSchema } from '../torc/schemas.ts'
import { cancelAllocations, canceledSchema, clusterPlan } from './cluster-rerun.ts'
import { jobId, workflowId } from './fields.ts'

const statusCounts = z.record(z.string(), z.number().int()).describe('Job counts by status.')
const plannedJob = z.object({
  job_id: z.number().int().describe('Job id.'),
  name: z.string().describe('Job name.'),
  status: z.string().describe('Status now.'),
  action: z.enum(['cancel', 'reset', 'skip']).describe('What applying does to it.'),
  reason: z.string().describe('Why it is skipped, or what happens.'),
})
type PlannedJob = z.output<typeof plannedJob>
const WRITE = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false } as const

const jobsById = (ctx: ToolContext, ids: readonly number[]): Promise<Job[]> =>
  mapConcurrent(ids, 8, (id) => ctx.torc.get(`/jobs/${id}`, JobSchema))

export const cancelWorkflow = defineChange({
  name: 'cancel_workflow',
  title: 'Cancel workflow',
  description:
    'Cancel a whole workflow: Torc marks it canceled and cancels its running and pending jobs; job runners ' +
    'stop, and its queued and running Slurm allocations are canceled through the login-node agent (or the command ' +
    'is returned). Use it to stop a workflow, or before recovering one that is still running. Previews first.',
  kind: 'cw',
  input: z.object({ workflow_id: workflowId }),
  preview: {
    workflow_id: z.number().int().describe('Workflow id.'),
    already_canceled: z.boolean().describe('The workflow was canceled before.'),
    jobs_to_cancel: z.number().int().describe('Running and pending jobs Torc cancels.'),
    slurm_allocations: z.number().int().describe('Slurm allocations pending or active.'),
    slurm_command: z
      .string()
      .nullable()
      .describe('Run this on a login node to cancel the Slurm allocations too (`torc cancel <id>`).'),
    cancels_allocations: z
      .boolean()
      .describe('Applying also cancels its queued and running Slurm allocations through the login-node agent.'),
  },
  applied: z.object({ jobs_by_status_after: statusCounts, slurm_canceled: canceledSchema }),
  annotations: WRITE,
  view: 'review',
  scope: ({ workflow_id }) => `workflow:${workflow_id}`,
  async plan({ workflow_id: id }, ctx) {
    const state = await loadRecoveryState(ctx.torc, id)
    const counts = state.status.jobs_by_status
    const allocations = state.allocations.pending + state.allocations.active
    // Any allocation ever submitted may still sit in Slurm's queue (Torc's record can lag): ask the agent.
    const cluster = state.allocations.total ? await clusterPlan(ctx, id, 'cancel') : undefined
    const agent = cluster !== undefined && cluster.why === undefined
    const fields = {
      workflow_id: id,
      already_canceled: state.status.is_canceled,
      jobs_to_cancel: counts.running + counts.pending,
      slurm_allocations: allocations,
      slurm_command: allocations ? `torc cancel ${id}` : null,
      cancels_allocations: agent,
    }
    return { snapshot: { workflow_id: id, agent }, basis: { counts }, fields, blockers: [] }
  },
  async apply({ workflow_id: id, agent }, ctx, steps) {
    await cancelWorkflowOnce(ctx.torc, steps, id)
    const slurm_canceled = agent ? await cancelAllocations(ctx, steps, id) : null
    const status = await ctx.torc.get(`/workflows/${id}/status`, WorkflowStatusSchema)
    return { jobs_by_status_after: { ...status.jobs_by_status }, slurm_canceled }
  },
  done: (applied, { workflow_id: id }) =>
    applied.slurm_canceled
      ? `Workflow ${id} is canceled. ${applied.slurm_canceled.report} ` +
        `recover_workflow or restart_failed_jobs can rerun its jobs later.`
      : `Workflow ${id} is canceled. If it has Slurm allocations they keep running until \`torc cancel ${id}\` ` +
        'runs on a login node. recover_workflow or restart_failed_jobs can rerun its jobs later.',
  summarize: (out) => `${out.status}: cancel workflow ${out.workflow_id} (${out.jobs_to_cancel} running/pending jobs)`,
})

const NOT_STARTED: readonly JobStatus[] = ['uninitialized', 'blocked', 'ready']

export const cancelJobs = defineChange({
  name: 'cancel_jobs',
  title: 'Cancel jobs',
  description:
    'Cancel jobs that have not started (uninitialized, blocked or ready) so they never run; Torc then cancels ' +
    'the jobs that depend on them. Running jobs cannot be stopped one by one from here: cancel the workflow. ' +
    'Previews first; returns each job and what happens to it.',
  kind: 'cj',
  input: z.object({
    job_ids: z.array(jobId).min(1).max(1000).describe('Jobs to cancel (one workflow).'),
  }),
  preview: {
    workflow_id: z.number().int().describe('Workflow id.'),
    jobs: z.array(plannedJob).describe('Each requested job and what happens to it.'),
  },
  applied: z.object({
    jobs_canceled: z.array(z.number().int()).describe('Jobs canceled.'),
    jobs_by_status_after: statusCounts,
  }),
  annotations: WRITE,
  view: 'review',
  async scope({ job_ids }, ctx) {
    const first = await ctx.torc.get(`/jobs/${job_ids[0]}`, JobSchema)
    return `workflow:${first.workflow_id}`
  },
  async plan({ job_ids }, ctx) {
    const ids = [...new Set(job_ids)].sort((a, b) => a - b)
    const jobs = await jobsById(ctx, ids)
    const workflows = new Set(jobs.map((j) => j.workflow_id))
    if (workflows.size > 1) {
      throw new ToolError(
        'invalid_input',
        `invalid input: job_ids: the jobs belong to workflows ` +
          `${[...workflows].join(', ')}; cancel one workflow's jobs at a time`
      )
    }
    const id = jobs[0]!.workflow_id
    const planned = jobs.map((j): PlannedJob => {
      const status = j.status ?? 'uninitialized'
      const cancel = NOT_STARTED.includes(status)
      const busy = status === 'running' || status === 'pending'
      return {
        job_id: j.id,
        name: j.name,
        status,
        action: cancel ? 'cancel' : 'skip',
        reason: cancel
          ? 'canceled before it runs; Torc cancels the jobs that depend on it'
          : busy
            ? `already ${status} on a job runner: only cancel_workflow can stop it from here`
            : `already ${status}: nothing to cancel`,
      }
    })
    const toCancel = planned.filter((p) => p.action === 'cancel').map((p) => p.job_id)
    const workflow = await ctx.torc.get(`/workflows/${id}`, WorkflowSchema)
    return {
      snapshot: { workflow_id: id, run_id: workflow.run_id ?? 0, job_ids: toCancel },
      basis: {},
      fields: { workflow_id: id, jobs: planned },
      blockers: toCancel.length ? [] : ['none of these jobs can be canceled (see jobs[].reason)'],
    }
  },
  async apply(plan, ctx, steps) {
    const canceled: number[] = []
    for (const job of plan.job_ids) {
      if (await cancelNotStarted(ctx.torc, steps, job, plan.run_id)) canceled.push(job)
    }
    const status = await ctx.torc.get(`/workflows/${plan.workflow_id}/status`, WorkflowStatusSchema)
    return { jobs_canceled: canceled, jobs_by_status_after: { ...status.jobs_by_status } }
  },
  done: (applied) =>
    `Canceled ${applied.jobs_canceled.length} job(s), recorded with ` +
    `return code -15; restart_failed_jobs can bring them back.`,
  summarize: (out) => {
    const jobs = out.jobs as PlannedJob[]
    return `${out.status}: ${jobs.filter((j) => j.action === 'cancel').length} of ${jobs.length} jobs to cancel`
  },
})

const RESTARTABLE = ['failed', 'canceled', 'terminated'] as const

export const restartFailedJobs = defineChange({
  name: 'restart_failed_jobs',
  title: 'Restart failed jobs',
  description:
    'Reset failed, canceled and terminated jobs (all, or the job_ids given) with their current resources and ' +
    'start a new run (Torc reruns every terminated job in it). Use recover_workflow for jobs out of memory or ' +
    "time. Previews first; returns each job's fate and the command that runs them on the cluster.",
  kind: 'rf',
  input: z.object({
    workflow_id: workflowId,
    job_ids: z.array(jobId).max(10_000).optional().describe('Only these jobs (default: every restartable job).'),
    statuses: z
      .array(z.enum(RESTARTABLE))
      .min(1)
      .default([...RESTARTABLE])
      .describe('Statuses to restart (default failed, canceled, terminated).'),
  }),
  preview: {
    workflow_id: z.number().int().describe('Workflow id.'),
    jobs: z.array(plannedJob).describe('Jobs considered (first 1000) and what happens to each.'),
    jobs_to_reset: z.array(z.number().int()).describe('Jobs that are reset.'),
    rerun_command: z
      .string()
      .describe(
        'Run on the cluster after applying: `torc slurm regenerate <id> ' +
          '--submit` (Slurm), `torc remote run <id>` or `torc run <id>`.'
      ),
  },
  applied: z.object({
    new_run_id: z.number().int().describe('The new run.'),
    jobs_by_status_after: statusCounts,
  }),
  annotations: { ...WRITE, idempotentHint: false },
  view: 'review',
  scope: ({ workflow_id }) => `workflow:${workflow_id}`,
  async plan(input, ctx) {
    const id = input.workflow_id
    const state = await loadRecoveryState(ctx.torc, id)
    const wanted = input.job_ids ? new Set(input.job_ids) : undefined
    const planned: PlannedJob[] = []
    for (const job of input.job_ids ?? []) {
      if (!state.jobs.has(job)) {
        planned.push({
          job_id: job,
          name: '',
          status: 'unknown',
          action: 'skip',
          reason: `not a job of workflow ${id}`,
        })
      }
    }
    for (const job of [...state.jobs.values()].sort((a, b) => a.id - b.id)) {
      const status = job.status ?? 'uninitialized'
      const chosen = (!wanted || wanted.has(job.id)) && (input.statuses as readonly string[]).includes(status)
      // Torc readies every terminated job when the new run starts: say so instead of pretending otherwise.
      const forced = !chosen && status === 'terminated'
      if (!chosen && !forced && !wanted?.has(job.id)) continue
      planned.push({
        job_id: job.id,
        name: job.name,
        status,
        action: chosen || forced ? 'reset' : 'skip',
        reason: chosen
          ? 'reset with its current resources; its downstream jobs follow'
          : forced
            ? TERMINATED_RERUN
            : `status ${status} is not one of ${input.statuses.join(', ')}`,
      })
    }
    const toReset = planned.filter((p) => p.action === 'reset').map((p) => p.job_id)
    const blockers = recoveryBlockers(state, id)
    if (!toReset.length) blockers.push('no job to restart')
    const runId = state.workflow.run_id ?? 0
    return {
      snapshot: { workflow_id: id, run_id: runId, job_ids: toReset },
      basis: { counts: state.status.jobs_by_status },
      fields: {
        workflow_id: id,
        jobs: planned.slice(0, 1000),
        jobs_to_reset: toReset,
        rerun_command: rerunCommand(rerunMode(state.execution), id),
      },
      blockers,
    }
  },
  async apply(plan, ctx, steps) {
    const { newRunId, counts } = await resetAndStartRun(ctx.torc, steps, plan.workflow_id, plan.run_id, plan.job_ids)
    return { new_run_id: newRunId, jobs_by_status_after: counts }
  },
  done: (applied, plan, fields) =>
    `Reset ${plan.job_ids.length} job(s) for run ${applied.new_run_id}. They run when a job runner is active: ` +
    `on the cluster, \`${String(fields.rerun_command)}\`.`,
  after: (fields) => `After applying, the jobs run once \`${String(fields.rerun_command)}\` runs on the cluster.`,
  summarize: (out) =>
    `${out.status}: ${(out.jobs_to_reset as number[]).length} jobs to restart in workflow ${out.workflow_id}`,
})

export const controlTools = [cancelWorkflow, cancelJobs, restartFailedJobs]
