/**
 * The cluster half of the write tools that rerun or stop a Slurm workflow, through the login-node
 * agent: recover_workflow's apply regenerates the schedulers for the reset jobs and submits them
 * (`torc slurm regenerate <id> --submit`, as the tutorial does), cancel_workflow's apply cancels the
 * allocations (`torc cancel <id>`: scancel of each, recorded in Torc). Each converges on retry: new
 * allocations found since the plan mean the submission already happened; allocations no longer in
 * squeue mean the cancel did.
 */
import { z } from 'zod'
import type { StepLog } from '../changes/steps.ts'
import { ToolError } from '../errors.ts'
import type { ToolContext } from '../registry.ts'
import type { ActionName } from '../site-protocol/actions.ts'
import { allocationSchema, clusterView, type ScheduledNode, settle, slurmNodes } from './allocations.ts'
import { actionFailed, agentInfo, onCluster, unavailable } from './cluster.ts'

export const submittedSchema = z
  .object({
    slurm_job_ids: z.array(z.string()).describe('The new allocations.'),
    allocations: z.array(allocationSchema).describe('What Slurm says of each, seconds after submission.'),
    failed_allocations: z.number().int().describe('Allocations that already failed in Slurm.'),
    already_submitted: z.boolean().describe('A retried apply found them submitted by the first one.'),
    report: z.string().describe('What happened on the cluster.'),
  })
  .nullable()
  .describe('The Slurm allocations submitted through the login-node agent (null when none were: see next_steps).')
export type Submitted = z.output<typeof submittedSchema>

/** Whether the agent can do `action` for this workflow now, and the allocations Torc knows (the plan's baseline). */
export async function clusterPlan(
  ctx: ToolContext,
  workflowId: number,
  action: ActionName
): Promise<{ why: string | undefined; known: string[] }> {
  const [info, nodes] = await Promise.all([agentInfo(ctx), slurmNodes(ctx.torc, workflowId)])
  return { why: unavailable(ctx, info, action), known: nodes.map((n) => String(n.scheduler_id)) }
}

async function must(ctx: ToolContext, action: 'regenerate' | 'cancel', workflowId: number) {
  const outcome = await onCluster(ctx, action, { workflow_id: workflowId })
  if (!outcome.ran) throw new ToolError('upstream_unavailable', outcome.why)
  if (!outcome.result.ok) throw actionFailed(action, outcome.result.runs[0]!)
  return outcome.result
}

/** Regenerates and submits the reset jobs' allocations, unless a first apply already did. */
export async function regenerateAndSubmit(
  ctx: ToolContext,
  steps: StepLog,
  workflowId: number,
  known: readonly string[]
): Promise<NonNullable<Submitted>> {
  const before = new Set(known)
  const fresh = async () => (await slurmNodes(ctx.torc, workflowId)).filter((n) => !before.has(String(n.scheduler_id)))
  let nodes: ScheduledNode[] = await fresh()
  const already = nodes.length > 0
  if (!already) {
    await steps.step('regenerate and submit the Slurm allocations on the login node', () =>
      must(ctx, 'regenerate', workflowId)
    )
    nodes = await fresh()
  }
  const settled = await steps.step('check the new allocations in Slurm', () => settle(ctx, nodes))
  return {
    slurm_job_ids: nodes.map((n) => String(n.scheduler_id)),
    allocations: settled.allocations,
    failed_allocations: settled.failed.length,
    already_submitted: already,
    report: nodes.length
      ? `${already ? 'Already submitted' : 'Submitted'} ${nodes.length} new ` +
        `Slurm allocation(s) through the login-node agent: ${settled.words}.`
      : '`torc slurm regenerate --submit` ran on the login node but no ' +
        'new allocation was recorded: nothing will run the reset jobs.',
  }
}

export const canceledSchema = z
  .object({
    slurm_job_ids: z.array(z.string()).describe('Allocations that were queued or running and were canceled.'),
    still_in_queue: z.array(z.string()).describe('Allocations still in squeue afterwards (should be none).'),
    report: z.string().describe('What happened on the cluster.'),
  })
  .nullable()
  .describe('The Slurm allocations canceled through the login-node agent (null when not done: see next_steps).')
export type Canceled = z.output<typeof canceledSchema>

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The workflow's allocations Slurm still has queued or running (squeue), or why that cannot be seen. */
async function inQueue(ctx: ToolContext, workflowId: number): Promise<{ ids: string[]; why?: string }> {
  const nodes = await slurmNodes(ctx.torc, workflowId)
  if (!nodes.length) return { ids: [] }
  const live = await clusterView(
    ctx,
    nodes.map((n) => String(n.scheduler_id))
  )
  if (live.ran) return { ids: [...live.view.queued.keys()] }
  // No live view: Torc's record of what is pending or active is the best there is.
  const recorded = nodes.filter((n) => n.status === 'pending' || n.status === 'active')
  return { ids: recorded.map((n) => String(n.scheduler_id)), why: live.why }
}

/** Cancels the workflow's queued and running allocations (`torc cancel`) and checks squeue drops them. */
export async function cancelAllocations(
  ctx: ToolContext,
  steps: StepLog,
  workflowId: number
): Promise<NonNullable<Canceled>> {
  const queued = await inQueue(ctx, workflowId)
  if (queued.ids.length)
    await steps.step('cancel the Slurm allocations on the login node', () => must(ctx, 'cancel', workflowId))
  let left = queued
  for (let i = 0; i < 10 && left.ids.length && !left.why; i++) {
    await sleep(500)
    left = await inQueue(ctx, workflowId)
  }
  const ids = queued.ids.join(', ')
  return {
    slurm_job_ids: queued.ids,
    still_in_queue: left.why ? [] : left.ids,
    report: !queued.ids.length
      ? 'No allocation of the workflow was queued or running in Slurm.'
      : left.why
        ? `Canceled ${queued.ids.length} allocation(s) through the login-node ` +
          `agent (${ids}); squeue could not be checked (${left.why}).`
        : left.ids.length
          ? `Canceled through the login-node agent, but ${left.ids.length} ` +
            `allocation(s) are still in squeue: ${left.ids.join(', ')}.`
          : `Canceled ${queued.ids.length} Slurm allocation(s) through ` +
            `the login-node agent (${ids}); none is left in squeue.`,
  }
}
