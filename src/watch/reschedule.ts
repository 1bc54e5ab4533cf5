/**
 * A watch's resubmission, on the change primitive like every write (so it shares the workflow's
 * lock with recover_workflow and applies once per plan whoever runs it): jobs that are ready (or
 * reset by a recovery) while no runner and no Slurm allocation is left get new ones through the
 * login-node agent, as torc 1.0.0's `torc watch --auto-schedule` runs `torc slurm regenerate
 * --submit`: for a Slurm workflow that action, for any other `torc run` in the background. Not a
 * registered tool: only watches call it (caller `watch:<id>`).
 *
 * The apply converges: it reads the workflow's status again and submits nothing when a runner or
 * an allocation has appeared since (an earlier apply, or someone else, already did it).
 */
import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { ToolError } from '../errors.ts'
import { loadExecution, rerunCommand, rerunMode } from '../recovery/rerun.ts'
import type { ToolContext } from '../registry.ts'
import type { ActionResult } from '../site-protocol/actions.ts'
import { workflowId } from '../tools/fields.ts'
import { WorkflowStatusSchema } from '../torc/schemas.ts'

const readStatus = (ctx: ToolContext, id: number) => ctx.torc.get(`/workflows/${id}/status`, WorkflowStatusSchema)

const busyOf = (s: z.output<typeof WorkflowStatusSchema>) =>
  s.active_compute_nodes + s.pending_scheduled_nodes + s.active_scheduled_nodes

/** The end of a failed command's output, for the history and the notification. */
function failureOf(result: ActionResult): string {
  const run = result.runs.find((r) => r.exit_code !== 0) ?? result.runs.at(-1)
  if (!run) return 'it ran nothing'
  const why = run.error ?? (run.timed_out ? 'timed out' : `exit ${run.exit_code ?? run.signal}`)
  const said = run.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300)
  return said ? `${why}: ${said}` : why
}

export const rescheduleWorkflow = defineChange({
  name: 'watch_reschedule',
  title: 'Reschedule stranded jobs (watch)',
  description:
    'Start ready jobs that nothing runs any more through the login-node agent: new Slurm allocations ' +
    '(torc slurm regenerate --submit) or a torc run. Used by watches.',
  kind: 'ws',
  input: z.object({
    workflow_id: workflowId,
    // Part of the plan_id: a workflow stranded again later (same counts) is a new plan, not one applied.
    round: z
      .number()
      .int()
      .min(0)
      .describe("The watch's previous reschedule (ms since epoch, 0 for none): one plan per attempt."),
  }),
  preview: {
    workflow_id: z.number().int().describe('Workflow id.'),
    mode: z.enum(['slurm', 'remote', 'local']).describe('How its jobs run.'),
    command: z.string().describe('What runs on the login node.'),
    ready: z.number().int().describe('Jobs ready to run.'),
  },
  applied: z.object({
    submitted: z.boolean().describe('The agent started allocations or a runner.'),
    detail: z.string().describe('What happened.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  scope: ({ workflow_id }) => `workflow:${workflow_id}`,
  async plan({ workflow_id: id }, ctx) {
    const [status, execution] = await Promise.all([readStatus(ctx, id), loadExecution(ctx.torc, id)])
    const mode = rerunMode(execution)
    const ready = status.jobs_by_status.ready
    const blockers: string[] = []
    if (ready === 0) blockers.push(`workflow ${id} has no ready job to start.`)
    if (busyOf(status) > 0) blockers.push(`workflow ${id} already has runners or Slurm allocations.`)
    if (mode === 'remote') blockers.push(`workflow ${id} runs on remote workers: run \`torc remote run ${id}\`.`)
    if (!ctx.agent)
      blockers.push(`no login-node agent is configured: run \`${rerunCommand(mode, id)}\` on the cluster.`)
    return {
      snapshot: { workflow_id: id, mode },
      basis: { counts: status.jobs_by_status, busy: busyOf(status) },
      fields: { workflow_id: id, mode, command: rerunCommand(mode, id), ready },
      blockers,
    }
  },
  async apply({ workflow_id: id, mode }, ctx, steps) {
    const now = await readStatus(ctx, id)
    if (busyOf(now) > 0) return { submitted: false, detail: 'a runner or an allocation already serves it' }
    if (!ctx.agent) throw new ToolError('forbidden', 'no login-node agent is configured')
    const action = mode === 'slurm' ? 'regenerate' : 'run'
    // Refused or failed inside the step: nothing was started, so nothing is left to finish.
    const result = await steps.step(`asked the login-node agent to ${action}`, async () => {
      const outcome = await ctx.agent!.act(action, { workflow_id: id }, ctx.caller.id)
      if (!outcome.ran) throw new ToolError(outcome.disabled ? 'forbidden' : 'upstream_unavailable', outcome.why)
      if (!outcome.result.ok)
        throw new ToolError('upstream_error', `the agent's ${action} action failed: ${failureOf(outcome.result)}`)
      return outcome.result
    })
    const bg = result.background
    const detail =
      action === 'regenerate'
        ? 'Slurm allocations submitted (torc slurm regenerate --submit)'
        : bg?.already_running
          ? `a torc run was already running (pid ${bg.pid})`
          : `torc run started on the login node${bg ? ` (pid ${bg.pid})` : ''}`
    return { submitted: true, detail }
  },
  done: (applied) => applied.detail,
})
