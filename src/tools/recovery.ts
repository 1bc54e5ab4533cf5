import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { diagnose } from '../recovery/diagnose.ts'
import { DEFAULT_MEMORY_MULTIPLIER, DEFAULT_RUNTIME_MULTIPLIER, recoveryOptionFields } from '../recovery/options.ts'
import { planRecovery, type RecoveryPlan } from '../recovery/plan.ts'
import { setRequirement } from '../recovery/requirement-changes.ts'
import { demandsOf, rerunCommand, rerunMode, slurmNeeds } from '../recovery/rerun.ts'
import { loadRecoveryState, recoveryBlockers } from '../recovery/state.ts'
import { failOrphan, resetAndStartRun } from '../recovery/torc-changes.ts'
import { clusterPlan, regenerateAndSubmit, submittedSchema } from './cluster-rerun.ts'
import { workflowId } from './fields.ts'
import { recoveryApplied, recoveryPreview } from './recovery.schemas.ts'

function summaryOf(plan: RecoveryPlan): string {
  if (!plan.jobs.length) return 'No failed, terminated or orphaned jobs: nothing to recover.'
  const c = plan.counts
  const parts = [
    c.oom + c.oom_and_timeout && `${c.oom + c.oom_and_timeout} out of memory`,
    c.timeout + c.oom_and_timeout && `${c.timeout + c.oom_and_timeout} timed out`,
    c.node_failure && `${c.node_failure} lost their compute node`,
    c.unknown && `${c.unknown} failed for an unknown reason`,
  ].filter(Boolean)
  const skipped = plan.jobs.length - plan.jobs_to_retry.length
  return (
    `${plan.jobs.length} job(s) did not succeed: ${parts.join(', ')}. ` +
    `Retry ${plan.jobs_to_retry.length}` +
    (plan.adjustments.length ? ` after ${plan.adjustments.length} resource change(s)` : '') +
    (skipped ? `; ${skipped} skipped (see jobs[].reason).` : '.')
  )
}

/** What the apply needs: targets, not factors, so applying it again converges instead of compounding. */
interface RecoverySnapshot {
  workflow_id: number
  run_id: number
  orphans: number[]
  requirements: { id: number; memory?: string | undefined; runtime?: string | undefined }[]
  jobs_to_retry: number[]
  /** Submit the reset jobs' allocations through the login-node agent after the reset (Slurm only). */
  regenerate?: boolean
  /** Slurm job ids Torc knew at plan time: an apply that finds newer ones has already submitted. */
  known?: string[]
}

export const recoverWorkflow = defineChange({
  name: 'recover_workflow',
  title: 'Recover workflow',
  description:
    'Recover a workflow after failures: diagnose OOM, timeouts and lost nodes, raise memory/runtime of the ' +
    'affected requirements, reset those jobs and start a new run. Call with dry_run=true first, show the plan ' +
    'and ask the user; then send the `confirm` call it returns. Returns per-job causes and changes, and the ' +
    'torc command that runs the jobs on the cluster (for Slurm: the allocations they need).',
  kind: 'rp',
  input: z.object({
    workflow_id: workflowId,
    ...recoveryOptionFields,
  }),
  preview: recoveryPreview,
  applied: recoveryApplied.extend({ slurm_submitted: submittedSchema }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  view: 'review',
  scope: ({ workflow_id }) => `workflow:${workflow_id}`,
  async plan(input, ctx) {
    const { torc } = ctx
    const id = input.workflow_id
    const state = await loadRecoveryState(torc, id)
    const options = {
      memory_multiplier: input.memory_multiplier,
      runtime_multiplier: input.runtime_multiplier,
      retry_unknown: input.retry_unknown,
    }
    const diagnosis = diagnose(id, state.results, state.jobs, state.requirements, state.codes)
    const plan = planRecovery(diagnosis, state.orphans, state.jobs, state.requirements, state.results, options)
    const blockers = recoveryBlockers(state, id)
    if (!plan.jobs_to_retry.length) blockers.push(`nothing to recover in workflow ${id}: ${summaryOf(plan)}`)
    const runId = state.workflow.run_id ?? 0
    const mode = rerunMode(state.execution)
    const changed = new Map(
      plan.adjustments.map((a) => [a.resource_requirements_id, { memory: a.memory?.new, runtime: a.runtime?.new }])
    )
    const demands = demandsOf(plan.jobs_to_retry, state.jobs, state.requirements, changed)
    const cluster = mode === 'slurm' ? await clusterPlan(ctx, id, 'regenerate') : undefined
    const slurm =
      mode === 'slurm' ? slurmNeeds(id, state.execution.schedulers, demands, state.allocations, cluster?.why) : null
    const snapshot: RecoverySnapshot = {
      workflow_id: id,
      run_id: runId,
      orphans: plan.orphaned_running_jobs.map((o) => o.job_id),
      requirements: plan.adjustments.map((a) => ({
        id: a.resource_requirements_id,
        memory: a.memory?.new,
        runtime: a.runtime?.new,
      })),
      jobs_to_retry: [...plan.jobs_to_retry],
      regenerate: cluster !== undefined && cluster.why === undefined && plan.jobs_to_retry.length > 0,
      known: cluster?.known ?? [],
    }
    return {
      snapshot,
      basis: { counts: state.status.jobs_by_status, slurm },
      fields: {
        workflow_id: id,
        memory_multiplier: input.memory_multiplier ?? DEFAULT_MEMORY_MULTIPLIER,
        runtime_multiplier: input.runtime_multiplier ?? DEFAULT_RUNTIME_MULTIPLIER,
        retry_unknown: input.retry_unknown,
        run_id: runId,
        summary: [summaryOf(plan), ...plan.warnings].join(' '),
        ...plan,
        rerun_command: rerunCommand(mode, id),
        slurm,
      },
      blockers,
    }
  },
  async apply(plan, ctx, steps) {
    const { torc } = ctx
    const orphans: number[] = []
    for (const job of plan.orphans) if (await failOrphan(torc, steps, job, plan.run_id)) orphans.push(job)
    const updated = []
    for (const target of plan.requirements) {
      const saved = await setRequirement(torc, steps, target.id, target)
      updated.push({ id: saved.id, memory: saved.memory, runtime: saved.runtime })
    }
    const { newRunId, counts } = await resetAndStartRun(torc, steps, plan.workflow_id, plan.run_id, plan.jobs_to_retry)
    const slurm_submitted = plan.regenerate
      ? await regenerateAndSubmit(ctx, steps, plan.workflow_id, plan.known ?? [])
      : null
    return {
      slurm_submitted,
      orphans_failed: orphans,
      requirements_updated: updated,
      jobs_reset: plan.jobs_to_retry,
      new_run_id: newRunId,
      jobs_by_status_after: counts,
    }
  },
  done(applied, _plan, fields) {
    const slurm = fields.slurm as { preview_command: string } | null
    if (applied.slurm_submitted)
      return (
        `Recovered: ${applied.jobs_reset.length} job(s) reset for ` +
        `run ${applied.new_run_id}. ${applied.slurm_submitted.report}`
      )
    return (
      `Recovered: ${applied.jobs_reset.length} job(s) reset for run ${applied.new_run_id}. To run them, on the ` +
      `cluster: \`${String(fields.rerun_command)}\`` +
      (slurm ? ` (it plans and submits Slurm allocations for them; preview with \`${slurm.preview_command}\`).` : '.')
    )
  },
  after: (fields) =>
    (fields.slurm as { via_agent?: boolean } | null)?.via_agent
      ? `Applying also runs \`${String(fields.rerun_command)}\` on the ` +
        `login node through the agent and reports the new allocations.`
      : `After applying, the jobs run once \`${String(fields.rerun_command)}\` runs on the cluster` +
        (fields.slurm ? ' (it submits the Slurm allocations; see slurm).' : '.'),
  summarize: (out) => `${out.status}: ${String(out.summary)}`,
})

export const recoveryTools = [recoverWorkflow]
