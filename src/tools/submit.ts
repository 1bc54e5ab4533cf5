/**
 * submit_workflow (new; the tutorial's "torc submit workflow.json", from the chat): a created
 * workflow's Slurm allocations submitted on the login node as torc 1.0.0 does (`torc submit <id>`,
 * which fires its schedule_nodes actions, or `torc slurm schedule-nodes` for a workflow that has a
 * scheduler but no such action), or for a local workflow `torc run <id>` started in the background,
 * writing into the output directory the site serves. On the change primitive: previews first, and
 * an apply retried after a failure finds the allocations (or the runner) it already started instead
 * of submitting twice. The answer is what happened in Slurm, not torc's exit code.
 */
import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { ToolError } from '../errors.ts'
import type { ToolContext } from '../registry.ts'
import type { ActionResult } from '../site-protocol/actions.ts'
import { WorkflowSchema, WorkflowStatusSchema } from '../torc/schemas.ts'
import {
  allocationSchema,
  countPhases,
  loadAllocations,
  type ScheduledNode,
  settle,
  slurmNodes,
} from './allocations.ts'
import { actionFailed, agentInfo, clusterText, jsonOut, onCluster, outputFlag, unavailable } from './cluster.ts'
import { workflowId } from './fields.ts'

const SchedulerSchema = z
  .object({ id: z.number().int(), name: z.string().nullish(), account: z.string(), partition: z.string().nullish() })
  .loose()
const ActionSchema = z.object({ action_type: z.string(), trigger_type: z.string() }).loose()
const ComputeNodeSchema = z.object({ id: z.number().int(), is_active: z.boolean().nullish() }).loose()

interface Snapshot {
  workflow_id: number
  mode: 'slurm' | 'local'
  /** schedule_nodes: `torc slurm schedule-nodes` for this scheduler (no schedule_nodes action to fire). */
  scheduler_id: number | null
  /** Slurm job ids Torc knew at plan time: an apply that finds others has already submitted. */
  known: string[]
}

const RUNNABLE = ['uninitialized', 'blocked', 'ready', 'pending_failed'] as const

async function loadPlan(ctx: ToolContext, id: number) {
  const [workflow, status, schedulers, actions, nodes, runners, info] = await Promise.all([
    ctx.torc.get(`/workflows/${id}`, WorkflowSchema),
    ctx.torc.get(`/workflows/${id}/status`, WorkflowStatusSchema),
    ctx.torc.list('/slurm_schedulers', SchedulerSchema, { workflow_id: id }),
    ctx.torc.get(`/workflows/${id}/actions`, z.array(ActionSchema)),
    slurmNodes(ctx.torc, id),
    ctx.torc.list('/compute_nodes', ComputeNodeSchema, { workflow_id: id, is_active: true }),
    agentInfo(ctx),
  ])
  return { workflow, status, schedulers: schedulers.items, actions, nodes, runners: runners.total, info }
}

export const submitWorkflow = defineChange({
  name: 'submit_workflow',
  title: 'Submit workflow',
  description:
    'Start a created workflow on the cluster through the login-node agent: submit its Slurm allocations (`torc ' +
    'submit <id>`), or for a local workflow start `torc run <id>` in the background. Previews first; returns the ' +
    'Slurm job ids and whether Slurm accepted or already failed them, or the runner it started.',
  kind: 'sw',
  input: z.object({
    workflow_id: workflowId,
    mode: z
      .enum(['auto', 'slurm', 'local'])
      .default('auto')
      .describe('auto (default): slurm when the workflow has Slurm schedulers, else local (torc run).'),
  }),
  preview: {
    workflow_id: z.number().int().describe('Workflow id.'),
    mode: z.enum(['slurm', 'local']).describe('How it runs: Slurm allocations, or torc run on the login node.'),
    command: z.string().describe('What runs on the login node.'),
    schedulers: z
      .array(
        z.object({
          id: z.number().int().describe('Scheduler id.'),
          name: z.string().describe('Name.'),
          account: z.string().describe('Slurm account.'),
          partition: z.string().nullable().describe('Partition, when fixed.'),
        })
      )
      .describe("The workflow's Slurm schedulers."),
    schedule_nodes_actions: z.number().int().describe('schedule_nodes actions torc submit fires (now or later).'),
    jobs_by_status: z.record(z.string(), z.number().int()).describe('Job counts now.'),
    allocations_now: z
      .object({ queued: z.number().int().describe('Queued.'), running: z.number().int().describe('Running.') })
      .describe('Allocations of this workflow already queued or running.'),
  },
  applied: z.object({
    mode: z.enum(['slurm', 'local']).describe('How it was started.'),
    already_started: z.boolean().describe('A retried apply found what the first one started, and started nothing new.'),
    slurm_job_ids: z.array(z.string()).describe('The allocations submitted.'),
    allocations: z.array(allocationSchema).describe('What Slurm says of each, a few seconds after submission.'),
    failed_allocations: z.number().int().describe('Allocations that already failed in Slurm.'),
    runner: z
      .object({
        pid: z.number().int().describe('Process id of torc run on the login node.'),
        already_running: z.boolean().describe('It was already running (started earlier), so no second one.'),
        started_at: z.string().describe('When it started.'),
      })
      .nullable()
      .describe('The local runner started (local mode).'),
    report: z.string().describe('What happened on the cluster, in one paragraph.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  scope: ({ workflow_id }) => `workflow:${workflow_id}`,
  async plan({ workflow_id: id, mode: wanted }, ctx) {
    const p = await loadPlan(ctx, id)
    const mode = wanted === 'auto' ? (p.schedulers.length ? 'slurm' : 'local') : wanted
    const scheduleActions = p.actions.filter((a) => a.action_type === 'schedule_nodes').length
    const counts = p.status.jobs_by_status
    const blockers: string[] = []
    const runnable = RUNNABLE.reduce((n, s) => n + (counts[s] ?? 0), 0)
    if (p.status.is_canceled)
      blockers.push(`workflow ${id} is canceled: restart_failed_jobs or recover_workflow resets it first.`)
    else if (p.status.is_complete || runnable === 0)
      blockers.push(
        `workflow ${id} has no job left to run ` +
          `(${p.status.is_complete ? 'it is complete' : 'none is ready or waiting'}).`
      )
    let scheduler: number | null = null
    let command: string
    const root = outputFlag(p.info)
    if (mode === 'slurm') {
      if (!p.schedulers.length)
        blockers.push(
          `workflow ${id} has no Slurm schedulers: create it with workflow_type "slurm", or use mode "local".`
        )
      else if (!scheduleActions) {
        if (p.schedulers.length === 1) scheduler = p.schedulers[0]!.id
        else
          blockers.push(
            `workflow ${id} has ${p.schedulers.length} Slurm schedulers ` +
              `and no schedule_nodes action saying which to submit.`
          )
      }
      command =
        scheduler === null
          ? `torc submit --no-prompts${root} ${id}`
          : `torc slurm schedule-nodes --scheduler-config-id ${scheduler} --num-hpc-jobs 1${root} ${id}`
    } else command = `torc run${root} ${id}`
    const live = mode === 'slurm' && p.nodes.length ? await loadAllocations(ctx, id, p.nodes) : undefined
    const phases = countPhases(live?.allocations ?? [])
    if (phases.queued + phases.running > 0)
      blockers.push(
        `${phases.queued + phases.running} allocation(s) of workflow ` +
          `${id} are already queued or running: they run its ` +
          'jobs. cancel_workflow first to start over.'
      )
    if (mode === 'local' && p.runners > 0)
      blockers.push(`${p.runners} job runner(s) of workflow ${id} are already active.`)
    const action = mode === 'slurm' ? 'submit' : 'run'
    const why = unavailable(ctx, p.info, action)
    if (why) blockers.push(`cannot start it from here: ${why}. On a login node: \`${command}\`.`)
    const snapshot: Snapshot = {
      workflow_id: id,
      mode,
      scheduler_id: scheduler,
      known: p.nodes.map((n) => String(n.scheduler_id)),
    }
    return {
      snapshot,
      basis: { counts, known: snapshot.known, run: p.workflow.run_id ?? null },
      fields: {
        workflow_id: id,
        mode,
        command,
        schedulers: p.schedulers.map((s) => ({
          id: s.id,
          name: s.name ?? `scheduler ${s.id}`,
          account: s.account,
          partition: s.partition ?? null,
        })),
        schedule_nodes_actions: scheduleActions,
        jobs_by_status: { ...counts },
        allocations_now: { queued: phases.queued, running: phases.running },
      },
      blockers,
    }
  },
  async apply(plan, ctx, steps) {
    const id = plan.workflow_id
    if (plan.mode === 'local') {
      // A torc run that exited at once with an error started nothing: the step failed, not done.
      const result = await steps.step('start torc run on the login node', async () => {
        const started = await act(ctx, 'run', { workflow_id: id })
        const run = started.runs[0]!
        if (!started.background && run.exit_code !== 0) throw actionFailed('run', run)
        return started
      })
      const bg = result.background
      return {
        mode: 'local' as const,
        already_started: bg?.already_running ?? false,
        slurm_job_ids: [],
        allocations: [],
        failed_allocations: 0,
        runner: bg,
        report: bg
          ? `${bg.already_running ? 'torc run was already running' : 'Started torc run'} ` +
            `for workflow ${id} on the login node (pid ${bg.pid}, since ` +
            `${bg.started_at}); its logs go to the output directory the site serves.`
          : `torc run for workflow ${id} ran on the login node and already finished (exit 0).`,
      }
    }
    const known = new Set(plan.known)
    const fresh = (nodes: ScheduledNode[]) => nodes.filter((n) => !known.has(String(n.scheduler_id)))
    let submitted = fresh(await slurmNodes(ctx.torc, id))
    const already = submitted.length > 0
    let torcSaid = ''
    if (!already) {
      const result = await steps.step('submit the Slurm allocations on the login node', async () => {
        const input =
          plan.scheduler_id === null
            ? { workflow_id: id }
            : { workflow_id: id, scheduler_id: plan.scheduler_id, num_allocations: 1 }
        const done = await act(ctx, 'submit', input)
        if (!done.ok) throw actionFailed('submit', done.runs[0]!)
        return done
      })
      const said = jsonOut(result.runs[0]!) as { message?: unknown } | undefined
      torcSaid = typeof said?.message === 'string' ? clusterText(said.message) : ''
      submitted = fresh(await slurmNodes(ctx.torc, id))
    }
    const settled = await steps.step('check the allocations in Slurm', () => settle(ctx, submitted))
    const failedAll = settled.failed.length > 0 && settled.failed.length === settled.allocations.length
    const report = !submitted.length
      ? `torc submit ran but no Slurm allocation was ` +
        `recorded${torcSaid ? ` (torc: ${torcSaid})` : ''}: nothing will run the jobs.`
      : `${already ? 'Already submitted earlier' : 'Submitted'} ${submitted.length} ` +
        `Slurm allocation(s) for workflow ${id}: ${settled.words}.` +
        (failedAll
          ? ' Every allocation failed: the jobs will not run until this is fixed and the workflow is submitted again.'
          : '')
    return {
      mode: 'slurm' as const,
      already_started: already,
      slurm_job_ids: submitted.map((n) => String(n.scheduler_id)),
      allocations: settled.allocations,
      failed_allocations: settled.failed.length,
      runner: null,
      report,
    }
  },
  done: (applied) =>
    `${applied.report} ` +
    (applied.mode === 'slurm'
      ? 'get_workflow_status and get_slurm_sacct follow them.'
      : 'get_workflow_status follows it.'),
  after: (fields) => `Applying runs \`${String(fields.command)}\` on the login node.`,
  summarize: (out) => `${out.status}: ${String(out.mode)} submission of workflow ${out.workflow_id}`,
})

/** An action that must run: a ToolError when the agent cannot (the apply stops there). */
async function act<N extends 'run' | 'submit'>(
  ctx: ToolContext,
  name: N,
  input: Parameters<typeof onCluster<N>>[2]
): Promise<ActionResult> {
  const outcome = await onCluster(ctx, name, input)
  if (!outcome.ran) throw new ToolError('upstream_unavailable', outcome.why)
  return outcome.result
}

export const submitTools = [submitWorkflow]
