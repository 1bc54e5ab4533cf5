import { z } from 'zod'
import { mapConcurrent } from '../concurrency.ts'
import { ToolError } from '../errors.ts'
import { planId, requireMatchingPlan } from '../plan-id.ts'
import { recordCompletion, resetAndReinitialize, StepLog } from '../recovery/apply.ts'
import { rerunCommand, rerunMode, TERMINATED_RERUN } from '../recovery/rerun.ts'
import { loadRecoveryState, recoveryBlockers } from '../recovery/state.ts'
import { defineTool, type ToolContext } from '../registry.ts'
import { type Job, JobSchema, type JobStatus, WorkflowSchema, WorkflowStatusSchema } from '../torc/schemas.ts'
import { dryRun, planIdField, workflowId } from './fields.ts'

const statusCounts = z.record(z.string(), z.number().int()).describe('Job counts by status.')
const plannedJob = z.object({
  job_id: z.number().int().describe('Job id.'),
  name: z.string().describe('Job name.'),
  status: z.string().describe('Status now.'),
  action: z.enum(['cancel', 'reset', 'skip']).describe('What applying does to it.'),
  reason: z.string().describe('Why it is skipped, or what happens.'),
})
const preview = {
  workflow_id: z.number().int().describe('Workflow id.'),
  dry_run: z.boolean().describe('True for a preview: nothing was changed.'),
  plan_id: z.string().describe('Pass back with dry_run=false to apply exactly this plan.'),
  can_apply: z.boolean().describe('True when the plan can be applied now.'),
  blockers: z.array(z.string()).describe('What prevents applying now, and what to do about it.'),
  next_steps: z.string().describe('What to do next.'),
}
const askFirst = (tool: string, args: string, plan: string) =>
  `Show the user this preview and ask before applying. If they agree, call ${tool}(${args}, dry_run=false, plan_id="${plan}").`

const jobsById = (ctx: ToolContext, ids: readonly number[]): Promise<Job[]> =>
  mapConcurrent(ids, 8, (id) => ctx.torc.get(`/jobs/${id}`, JobSchema))

export const cancelWorkflow = defineTool({
  name: 'cancel_workflow',
  title: 'Cancel workflow',
  description:
    'Cancel a whole workflow: Torc marks it canceled and cancels its running and pending jobs; job runners ' +
    'stop. Use it to stop a workflow, or before recovering one that is still running. Preview first ' +
    '(dry_run=true), then apply with the plan_id.',
  input: z.object({ workflow_id: workflowId, dry_run: dryRun, plan_id: planIdField }),
  output: z.object({
    ...preview,
    already_canceled: z.boolean().describe('The workflow was canceled before.'),
    jobs_to_cancel: z.number().int().describe('Running and pending jobs Torc cancels.'),
    slurm_allocations: z.number().int().describe('Slurm allocations pending or active.'),
    slurm_command: z
      .string()
      .nullable()
      .describe(
        'Run this on a login node to cancel the Slurm allocations too (`torc cancel <id>`; scancel cannot run here).'
      ),
    jobs_by_status_after: statusCounts.nullable().describe('Counts after applying (null for a preview).'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const id = input.workflow_id
    const state = await loadRecoveryState(ctx.torc, id)
    const counts = state.status.jobs_by_status
    const allocations = state.allocations.pending + state.allocations.active
    const facts = {
      workflow_id: id,
      already_canceled: state.status.is_canceled,
      jobs_to_cancel: counts.running + counts.pending,
      slurm_allocations: allocations,
    }
    const plan_id = await planId('cw', { ...facts, counts })
    let after: Record<string, number> | null = null
    if (!input.dry_run) {
      requireMatchingPlan(input, plan_id, `workflow ${id}`)
      await ctx.torc.send('PUT', `/workflows/${id}/cancel`, z.unknown())
      after = { ...(await ctx.torc.get(`/workflows/${id}/status`, WorkflowStatusSchema)).jobs_by_status }
    }
    const slurm_command = allocations ? `torc cancel ${id}` : null
    return {
      ...facts,
      dry_run: input.dry_run,
      plan_id,
      can_apply: true,
      blockers: [],
      slurm_command,
      jobs_by_status_after: after,
      next_steps: input.dry_run
        ? askFirst('cancel_workflow', `workflow_id=${id}`, plan_id)
        : `Workflow ${id} is canceled.` +
          (slurm_command
            ? ` Its Slurm allocations keep running until you run \`${slurm_command}\` on a login node.`
            : '') +
          ' recover_workflow or restart_failed_jobs can rerun its jobs later.',
    }
  },
  summarize: (out) =>
    `${out.dry_run ? '[preview] ' : ''}cancel workflow ${out.workflow_id}: ${out.jobs_to_cancel} running/pending jobs`,
})

const NOT_STARTED: readonly JobStatus[] = ['uninitialized', 'blocked', 'ready']

export const cancelJobs = defineTool({
  name: 'cancel_jobs',
  title: 'Cancel jobs',
  description:
    'Cancel jobs that have not started (uninitialized, blocked or ready) so they never run; Torc then cancels ' +
    'the jobs that depend on them. Running jobs cannot be stopped one by one from here: cancel the workflow. ' +
    'Preview first (dry_run=true), then apply with the plan_id.',
  input: z.object({
    job_ids: z.array(z.number().int().positive()).min(1).max(1000).describe('Jobs to cancel (one workflow).'),
    dry_run: dryRun,
    plan_id: planIdField,
  }),
  output: z.object({
    ...preview,
    jobs: z.array(plannedJob).describe('Each requested job and what happens to it.'),
    jobs_canceled: z.array(z.number().int()).describe('Jobs canceled (empty for a preview).'),
    jobs_by_status_after: statusCounts.nullable().describe('Counts after applying (null for a preview).'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler(input, ctx) {
    const ids = [...new Set(input.job_ids)].sort((a, b) => a - b)
    const jobs = await jobsById(ctx, ids)
    const workflows = new Set(jobs.map((j) => j.workflow_id))
    if (workflows.size > 1) {
      throw new ToolError(
        'invalid_input',
        `invalid input: job_ids: the jobs belong to workflows ${[...workflows].join(', ')}; cancel one workflow's jobs at a time`
      )
    }
    const id = jobs[0]!.workflow_id
    const planned = jobs.map((j) => {
      const status = j.status ?? 'uninitialized'
      const cancel = NOT_STARTED.includes(status)
      return {
        job_id: j.id,
        name: j.name,
        status,
        action: cancel ? ('cancel' as const) : ('skip' as const),
        reason: cancel
          ? 'canceled before it runs; Torc cancels the jobs that depend on it'
          : status === 'running' || status === 'pending'
            ? `already ${status} on a job runner: only cancel_workflow can stop it from here`
            : `already ${status}: nothing to cancel`,
      }
    })
    const toCancel = planned.filter((p) => p.action === 'cancel').map((p) => p.job_id)
    const plan_id = await planId('cj', { workflow_id: id, planned })
    let after: Record<string, number> | null = null
    if (!input.dry_run) {
      requireMatchingPlan(input, plan_id, `jobs ${ids.join(', ')}`)
      if (!toCancel.length) throw new ToolError('conflict', 'none of these jobs can be canceled (see jobs[].reason)')
      const workflow = await ctx.torc.get(`/workflows/${id}`, WorkflowSchema)
      const log = new StepLog()
      for (const job of jobs.filter((j) => toCancel.includes(j.id))) {
        await log.step(`canceled job ${job.id}`, () =>
          recordCompletion(ctx.torc, job, workflow.run_id ?? 0, 'canceled', { return_code: -15, exec_time_minutes: 0 })
        )
      }
      after = { ...(await ctx.torc.get(`/workflows/${id}/status`, WorkflowStatusSchema)).jobs_by_status }
    }
    return {
      workflow_id: id,
      dry_run: input.dry_run,
      plan_id,
      can_apply: toCancel.length > 0,
      blockers: toCancel.length ? [] : ['none of these jobs can be canceled (see jobs[].reason)'],
      jobs: planned,
      jobs_canceled: input.dry_run ? [] : toCancel,
      jobs_by_status_after: after,
      next_steps: input.dry_run
        ? askFirst('cancel_jobs', `job_ids=[${ids.join(', ')}]`, plan_id)
        : `Canceled ${toCancel.length} job(s), recorded with return code -15; restart_failed_jobs can bring them back.`,
    }
  },
  summarize: (out) =>
    `${out.dry_run ? '[preview] ' : ''}${out.jobs.filter((j) => j.action === 'cancel').length} of ${out.jobs.length} jobs to cancel`,
})

const RESTARTABLE = ['failed', 'canceled', 'terminated'] as const

export const restartFailedJobs = defineTool({
  name: 'restart_failed_jobs',
  title: 'Restart failed jobs',
  description:
    'Reset failed, canceled and terminated jobs (all, or the job_ids given) with their current resources and ' +
    'start a new run (Torc reruns every terminated job in it). Use recover_workflow for jobs out of memory or ' +
    "time. Preview first (dry_run=true: each job's fate), then apply with the plan_id.",
  input: z.object({
    workflow_id: workflowId,
    job_ids: z
      .array(z.number().int().positive())
      .max(10_000)
      .optional()
      .describe('Only these jobs (default: every restartable job).'),
    statuses: z
      .array(z.enum(RESTARTABLE))
      .min(1)
      .default([...RESTARTABLE])
      .describe('Statuses to restart (default failed, canceled, terminated).'),
    dry_run: dryRun,
    plan_id: planIdField,
  }),
  output: z.object({
    ...preview,
    jobs: z.array(plannedJob).describe('Jobs considered (first 1000) and what happens to each.'),
    jobs_to_reset: z.array(z.number().int()).describe('Jobs that are reset.'),
    new_run_id: z.number().int().nullable().describe('The new run (null for a preview).'),
    jobs_by_status_after: statusCounts.nullable().describe('Counts after applying (null for a preview).'),
    rerun_command: z
      .string()
      .describe(
        'Run on the cluster after applying: `torc slurm regenerate <id> --submit` (Slurm), `torc remote run <id>` or `torc run <id>`.'
      ),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async handler(input, ctx) {
    const id = input.workflow_id
    const state = await loadRecoveryState(ctx.torc, id)
    const wanted = input.job_ids ? new Set(input.job_ids) : undefined
    const planned: z.input<typeof plannedJob>[] = []
    for (const jobId of input.job_ids ?? []) {
      if (!state.jobs.has(jobId))
        planned.push({
          job_id: jobId,
          name: '',
          status: 'unknown',
          action: 'skip',
          reason: `not a job of workflow ${id}`,
        })
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
    const rerun = rerunCommand(rerunMode(state.execution), id)
    const plan_id = await planId('rf', { workflow_id: id, run_id: runId, counts: state.status.jobs_by_status, planned })
    let applied: { newRunId: number; counts: Record<string, number> } | null = null
    if (!input.dry_run) {
      requireMatchingPlan(input, plan_id, `workflow ${id}`)
      if (blockers.length)
        throw new ToolError('conflict', `cannot restart jobs of workflow ${id} now: ${blockers.join(' ')}`)
      applied = await resetAndReinitialize(ctx.torc, new StepLog(), id, runId, toReset)
    }
    return {
      workflow_id: id,
      dry_run: input.dry_run,
      plan_id,
      can_apply: blockers.length === 0,
      blockers,
      jobs: planned.slice(0, 1000),
      jobs_to_reset: toReset,
      new_run_id: applied?.newRunId ?? null,
      jobs_by_status_after: applied?.counts ?? null,
      rerun_command: rerun,
      next_steps: input.dry_run
        ? askFirst(
            'restart_failed_jobs',
            [
              `workflow_id=${id}`,
              ...(input.job_ids ? [`job_ids=[${input.job_ids.join(', ')}]`] : []),
              ...(input.statuses.length < RESTARTABLE.length ? [`statuses=${JSON.stringify(input.statuses)}`] : []),
            ].join(', '),
            plan_id
          )
        : `Reset ${toReset.length} job(s) for run ${applied!.newRunId}. They run when a job runner is active: on the cluster, \`${rerun}\`.`,
    }
  },
  summarize: (out) =>
    `${out.dry_run ? '[preview] ' : ''}${out.jobs_to_reset.length} jobs to restart in workflow ${out.workflow_id}`,
})

export const controlTools = [cancelWorkflow, cancelJobs, restartFailedJobs]
