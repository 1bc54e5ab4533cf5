import { z } from 'zod'
import { ToolError } from '../errors.ts'
import { planId, requireMatchingPlan } from '../plan-id.ts'
import { defineTool } from '../registry.ts'
import { diagnose } from '../resources/diagnose.ts'
import { DEFAULT_MEMORY_MULTIPLIER, DEFAULT_RUNTIME_MULTIPLIER, planRecovery, type RecoveryPlan } from '../resources/recovery.ts'
import { loadRecoveryState, recoveryBlockers } from '../resources/state.ts'
import { applyRecovery, type Applied } from '../resources/apply.ts'
import { dryRun, planIdField, workflowId } from './fields.ts'
import { recoveryOutput } from './recovery.schemas.ts'

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

export const recoverWorkflow = defineTool({
  name: 'recover_workflow',
  title: 'Recover workflow',
  description:
    'Recover a workflow after failures: diagnose OOM, timeouts and lost nodes, raise memory/runtime of the ' +
    'affected requirements, reset those jobs and start a new run. Always call with dry_run=true first, show ' +
    'the plan, ask the user, then call with dry_run=false and the returned plan_id.',
  input: z.object({
    workflow_id: workflowId,
    dry_run: dryRun,
    plan_id: planIdField,
    memory_multiplier: z
      .number()
      .min(1)
      .max(10)
      .default(DEFAULT_MEMORY_MULTIPLIER)
      .describe(`Memory factor for OOM jobs (default ${DEFAULT_MEMORY_MULTIPLIER}).`),
    runtime_multiplier: z
      .number()
      .min(1)
      .max(10)
      .default(DEFAULT_RUNTIME_MULTIPLIER)
      .describe(`Runtime factor for timed-out jobs (default ${DEFAULT_RUNTIME_MULTIPLIER}).`),
    retry_unknown: z.boolean().default(false).describe('Also retry jobs whose failure cause is unknown, unchanged (default false).'),
  }),
  output: recoveryOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  async handler(input, { torc }) {
    const id = input.workflow_id
    const state = await loadRecoveryState(torc, id)
    const options = {
      memory_multiplier: input.memory_multiplier,
      runtime_multiplier: input.runtime_multiplier,
      retry_unknown: input.retry_unknown,
    }
    const plan = planRecovery(diagnose(id, state.results, state.jobs, state.requirements), state.orphans, state.jobs, state.requirements, options)
    const blockers = recoveryBlockers(state, id)
    const runId = state.workflow.run_id ?? 0
    const fingerprint = { workflow_id: id, run_id: runId, counts: state.status.jobs_by_status, options, plan }
    const plan_id = await planId('rp', fingerprint)
    const slurm = state.allocations.total > 0 || (await torc.count('/slurm_schedulers', { workflow_id: id })) > 0
    const rerun = slurm
      ? `torc slurm regenerate ${id} --submit`
      : `torc run ${id}`
    let applied: Applied | null = null
    if (!input.dry_run) {
      requireMatchingPlan(input, plan_id, `workflow ${id}`)
      if (blockers.length) throw new ToolError('conflict', `cannot recover workflow ${id} now: ${blockers.join(' ')}`)
      if (!plan.jobs_to_retry.length) throw new ToolError('conflict', `nothing to recover in workflow ${id}: ${summaryOf(plan)}`)
      applied = await applyRecovery(torc, id, runId, plan, state)
    }
    return {
      workflow_id: id,
      dry_run: input.dry_run,
      plan_id,
      ...options,
      run_id: runId,
      can_apply: blockers.length === 0 && plan.jobs_to_retry.length > 0,
      blockers,
      summary: summaryOf(plan),
      ...plan,
      applied,
      slurm: slurm
        ? {
            needed: true,
            command: rerun,
            note: 'sbatch cannot run at the edge: run this on a login node to submit allocations for the reset jobs.',
          }
        : null,
      next_steps: input.dry_run
        ? `Show the user this plan and ask: "Would you like me to apply these recovery actions?" If yes, call ` +
          `recover_workflow(workflow_id=${id}, dry_run=false, plan_id="${plan_id}").`
        : `Recovered: ${applied!.jobs_reset.length} job(s) reset for run ${applied!.new_run_id}. To run them, on the cluster: \`${rerun}\`.`,
    }
  },
  summarize: (out) => `${out.dry_run ? '[preview] ' : ''}${out.summary}`,
})

export const recoveryTools = [recoverWorkflow]
