/** The Slurm allocations part of get_workflow_status: "is anything running?" answered from Slurm itself. */
import { z } from 'zod'
import type { ToolContext } from '../registry.ts'
import { allocationSchema, countPhases, loadAllocations } from './allocations.ts'

const LISTED = 20

export const allocationSummary = z
  .object({
    source: z
      .enum(['slurm', 'torc', 'none'])
      .describe(
        "slurm: live squeue/sacct through the login-node agent; torc: Torc's record only; none: no allocations."
      ),
    total: z.number().int().describe('Slurm allocations Torc recorded for the workflow.'),
    queued: z.number().int().describe('Waiting in the Slurm queue.'),
    running: z.number().int().describe('Running.'),
    finished: z.number().int().describe('Finished successfully.'),
    failed: z.number().int().describe('Finished in failure (FAILED, OUT_OF_MEMORY, TIMEOUT, …).'),
    canceled: z.number().int().describe('Canceled, by a user or by torc once the workflow no longer needed them.'),
    items: z.array(allocationSchema).describe(`The newest ${LISTED} allocations.`),
    note: z.string().nullable().describe('Why the view is not live, or what could not be read.'),
  })
  .describe("The workflow's Slurm allocations.")

export async function summarizeAllocations(
  ctx: ToolContext,
  workflowId: number
): Promise<z.input<typeof allocationSummary>> {
  const loaded = await loadAllocations(ctx, workflowId)
  const counts = countPhases(loaded.allocations)
  return {
    source: loaded.allocations.length === 0 ? 'none' : loaded.live ? 'slurm' : 'torc',
    total: loaded.allocations.length,
    queued: counts.queued,
    running: counts.running,
    finished: counts.finished,
    failed: counts.failed,
    canceled: counts.canceled,
    items: loaded.allocations.slice(0, LISTED),
    note: loaded.note,
  }
}
