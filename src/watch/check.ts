/**
 * One check of one watch in a tick: one status call (the server's aggregate, whatever the job
 * count), the decision (decide.ts), what it leads to (a recovery, a reschedule, the end of the
 * watch, a notification), and one D1 batch that records all of it. The full recovery state is
 * loaded only when the status says the workflow finished with failures.
 */
import { type ToolError, toToolError } from '../errors.ts'
import type { ToolContext } from '../registry.ts'
import { type WorkflowStatus, WorkflowStatusSchema } from '../torc/schemas.ts'
import { recoveryCost } from './budget.ts'
import { recover, reschedule } from './changes.ts'
import { type Decision, decide, failuresOf } from './decide.ts'
import { type CheckDeps, Findings, MINUTE, recordUnreachable } from './findings.ts'
import type { Watch } from './store.ts'
import { recoveryFields, recoveryNotice, statusFields } from './wording.ts'

/** What the tick shares between its checks: one Torc, so once it is down the rest skip it. */
export interface TickState {
  torcDown: string | null
}

export type { CheckDeps }

export interface CheckOutcome {
  watch_id: number
  workflow_id: number
  decision: Decision['kind'] | 'unreachable' | 'error' | 'deferred'
  note: string
}

function unreachable(error: ToolError): boolean {
  if (error.code === 'upstream_unavailable' || error.code === 'upstream_timeout') return true
  return error.code === 'upstream_error' && /HTTP 5\d\d/.test(error.message)
}

export async function checkWatch(watch: Watch, deps: CheckDeps, tick: TickState): Promise<CheckOutcome> {
  const now = deps.now()
  const rec = new Findings(deps, watch, now)
  const id = watch.workflow_id
  const out = (decision: CheckOutcome['decision'], note: string): CheckOutcome => ({
    watch_id: watch.id,
    workflow_id: id,
    decision,
    note,
  })
  const ctx = deps.context(watch)
  let status: WorkflowStatus
  try {
    if (tick.torcDown) throw new Error(tick.torcDown)
    status = await ctx.torc.get(`/workflows/${id}/status`, WorkflowStatusSchema)
  } catch (err) {
    const error = tick.torcDown ? null : toToolError(err)
    if (error && error.code === 'not_found') {
      rec.update.checked_at = now
      rec.end('failed', `workflow ${id} no longer exists`)
      rec.notice(
        { event: 'failed', key: 'failed:gone', headline: 'no longer exists: the watch stopped', fields: [] },
        watch.workflow_name
      )
      await rec.save()
      return out('error', 'workflow gone')
    }
    if (error && !unreachable(error)) {
      rec.update.checked_at = now
      rec.check = { signature: `error:${error.code}`, summary: `check failed: ${error.message}`, detail: null }
      await rec.save()
      return out('error', error.message)
    }
    const why = tick.torcDown ?? error!.message
    tick.torcDown = why
    await recordUnreachable(rec, deps.config, why)
    return out('unreachable', why)
  }
  const name = status.workflow_name
  rec.update.workflow_name = name
  rec.update.checked_at = now
  if (watch.unreachable_since !== null) {
    const minutes = Math.round((now - watch.unreachable_since) / MINUTE)
    rec.note(
      'unreachable',
      `Torc answers again after ${minutes} min`,
      undefined,
      `reachable:${watch.unreachable_since}`
    )
    if (watch.unreachable_notified)
      rec.notice(
        {
          event: 'reachable',
          key: `reachable:${watch.unreachable_since}`,
          headline: `Torc answers again after ${minutes} min`,
          fields: [],
        },
        name
      )
    rec.update.unreachable_since = null
    rec.update.unreachable_notified = false
  }
  const writes = deps.config.TORC_EDGE_WRITES
  const policy = writes ? watch.policy : { ...watch.policy, recover: false, auto_schedule: false, resubmit: false }
  const { decision, stranded_since } = decide(status, { ...watch, policy }, now)
  if (stranded_since !== watch.stranded_since) rec.update.stranded_since = stranded_since
  rec.update.last_status = { jobs_by_status: status.jobs_by_status, is_complete: status.is_complete }
  rec.check = {
    signature: JSON.stringify([
      status.jobs_by_status,
      status.active_compute_nodes,
      status.pending_scheduled_nodes,
      status.active_scheduled_nodes,
      decision.kind,
    ]),
    summary: summaryOf(decision, status),
    detail: {
      jobs_by_status: status.jobs_by_status,
      runners: status.active_compute_nodes,
      allocations: status.pending_scheduled_nodes + status.active_scheduled_nodes,
      decision: decision.kind,
    },
  }
  const fields = statusFields(status)
  switch (decision.kind) {
    case 'completed':
      rec.end('completed', `all ${status.total_jobs} job(s) finished without failure`)
      rec.notice(
        {
          event: 'completed',
          key: 'completed',
          headline: `completed: ${status.jobs_by_status.completed} job(s) completed`,
          fields,
        },
        name
      )
      break
    case 'canceled':
      rec.end('stopped', `workflow ${id} was canceled`)
      rec.notice({ event: 'failed', key: 'failed:canceled', headline: 'was canceled: the watch stopped', fields }, name)
      break
    case 'failed':
      rec.end('failed', writes ? decision.why : `${decision.why} (writes are disabled on this deployment)`)
      rec.notice({ event: 'failed', key: 'failed', headline: `failed: ${decision.why}`, fields }, name)
      break
    case 'gave_up': {
      const why = `max_retries (${watch.policy.max_retries}) reached with ${failuresOf(status)} job(s) still failed`
      rec.end('gave_up', why)
      rec.notice({ event: 'gave_up', key: 'gave_up', headline: `gave up: ${why}; see recover_workflow`, fields }, name)
      break
    }
    case 'classify':
      rec.notice(
        {
          event: 'failed',
          key: `classify:${watch.retries}`,
          headline:
            `has ${decision.count} job(s) awaiting classification ` +
            `(pending_failed): use classify_and_resolve_failures`,
          fields,
        },
        name
      )
      break
    case 'recover': {
      const cost = recoveryCost(status.total_jobs, failuresOf(status))
      if (deps.budget.left < cost) {
        delete rec.update.checked_at // stays first in line for the next tick
        rec.check = undefined
        await rec.save()
        return out('deferred', `a recovery needs about ${cost} subrequests; ${deps.budget.left} left in this tick`)
      }
      await recoverNow(rec, ctx, status)
      break
    }
    case 'stranded':
      if (decision.due) {
        const result = await reschedule(ctx, id, watch.rescheduled_at ?? 0)
        rec.update.rescheduled_at = now
        rec.note(
          result.ok ? 'change' : 'note',
          result.summary,
          { plan_id: result.plan_id },
          result.plan_id ? `reschedule:${result.plan_id}` : undefined
        )
      }
      break
    default:
      break
  }
  await rec.save()
  return out(decision.kind, rec.check?.summary ?? '')
}

async function recoverNow(rec: Findings, ctx: ToolContext, status: WorkflowStatus): Promise<void> {
  const { watch } = rec
  const id = watch.workflow_id
  const result = await recover(ctx, id, watch.policy)
  const preview = result.preview
  const planId = preview ? String(preview.plan_id) : null
  if (preview) rec.note('diagnosis', String(preview.summary), recoveryFields(preview), `diagnosis:${planId}`)
  const name = status.workflow_name
  switch (result.kind) {
    case 'nothing': {
      const why = `nothing the watch can recover: ${String(result.preview.summary)}`
      rec.end('failed', why)
      rec.notice({ event: 'failed', key: 'failed', headline: `failed: ${why}`, fields: statusFields(status) }, name)
      return
    }
    case 'blocked':
      rec.note('note', `recovery waits: ${result.why}`, undefined, `blocked:${planId}`)
      return
    case 'refused':
      rec.note(
        'note',
        `recovery not applied: ${result.why}`,
        { code: result.code },
        planId ? `refused:${planId}:${result.code}` : undefined
      )
      return
    case 'applied': {
      const answer = result.answer
      // The count of recoveries is the count of these events: once per plan, whichever tick records it.
      rec.note('change', String(answer.next_steps), answer.applied, `recovered:${answer.plan_id}`)
      rec.update.recount_retries = true
      // recover_workflow's apply submits a Slurm workflow's allocations itself when the agent allows it;
      // otherwise (a local workflow, or regenerate not allowed) the watch's reschedule starts the jobs.
      const submitted = (answer.applied as { slurm_submitted?: { report: string } | null }).slurm_submitted
      let resubmitted: string | null = submitted?.report ?? null
      if (!submitted && watch.policy.resubmit) {
        const result = await reschedule(ctx, id, watch.rescheduled_at ?? 0)
        rec.update.rescheduled_at = rec.now
        rec.note(result.ok ? 'change' : 'note', result.summary, { plan_id: result.plan_id })
        resubmitted = result.summary
      }
      rec.notice(recoveryNotice(watch, answer, resubmitted), name)
    }
  }
}

function summaryOf(decision: Decision, status: WorkflowStatus): string {
  const c = status.jobs_by_status
  switch (decision.kind) {
    case 'running':
    case 'wait_runners':
    case 'stranded':
      return decision.note
    case 'recover':
      return decision.reason === 'orphans'
        ? 'jobs orphaned: recovering'
        : `finished with ${failuresOf(status)} failure(s): recovering`
    case 'failed':
      return decision.why
    case 'classify':
      return `${decision.count} job(s) pending_failed`
    default:
      return `${decision.kind}: ${c.completed} completed, ${failuresOf(status)} failed`
  }
}
