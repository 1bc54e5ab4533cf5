/**
 * Each job's status by name, for colouring the job graph, from as few tool calls as can give it:
 * the workflow's counts (get_workflow_status), then every job of each status but the commonest
 * (list_jobs_by_status, paged); a job found in none of those has the commonest status. At 10,000
 * jobs with 100 failures that is three calls, not ten thousand rows.
 */
import type { ViewContext } from './host.ts'
import { STATUSES, type Status } from './status.ts'

export interface JobState {
  id: number
  status: Status
}

export interface WorkflowStates {
  counts: Record<string, number>
  /** The status of a job by name; undefined when it could not be found within the budget. */
  of(name: string): JobState | { id: null; status: Status } | undefined
}

/** Rows listed at most (about 25 calls): past that, unlisted jobs are left uncoloured. */
const ROW_BUDGET = 12_000

export async function workflowStates(ctx: ViewContext, workflowId: number): Promise<WorkflowStates> {
  const status = await ctx.call('get_workflow_status', { workflow_id: workflowId })
  const counts = status.job_counts_by_status as Record<string, number>
  const present = STATUSES.filter((s) => (counts[s] ?? 0) > 0).sort((a, b) => counts[b]! - counts[a]!)
  const [commonest, ...others] = present
  const byName = new Map<string, JobState>()
  let listed = 0
  let complete = true
  for (const s of others) {
    let offset = 0
    for (;;) {
      if (listed >= ROW_BUDGET) {
        complete = false
        break
      }
      const page = await ctx.call('list_jobs_by_status', { workflow_id: workflowId, status: s, limit: 1000, offset })
      const jobs = (page.jobs ?? []) as { id?: number; job_id?: number; name: string }[]
      for (const job of jobs) {
        if (!byName.has(job.name)) byName.set(job.name, { id: Number(job.id ?? job.job_id), status: s })
      }
      listed += jobs.length
      offset += jobs.length
      if (!page.has_more || !jobs.length) break
    }
    if (!complete) break
  }
  return {
    counts,
    of: (name) => byName.get(name) ?? (complete && commonest ? { id: null, status: commonest } : undefined),
  }
}
