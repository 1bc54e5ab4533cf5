import { z } from 'zod'
import { ToolError } from '../errors.ts'
import { planId, requireMatchingPlan } from '../plan-id.ts'
import { type Applied, applyRecovery } from '../recovery/apply.ts'
import { diagnose } from '../recovery/diagnose.ts'
import {
  DEFAULT_MEMORY_MULTIPLIER,
  DEFAULT_RUNTIME_MULTIPLIER,
  planRecovery,
  type RecoveryPlan,
} from '../recovery/plan.ts'
import { demandsOf, rerunCommand, rerunMode, slurmNeeds } from '../recovery/rerun.ts'
import { loadRecoveryState, recoveryBlockers } from '../recovery/state.ts'
import { defineTool } from '../registry.ts'
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
    'the plan, ask the user, then call with dry_run=false and the returned plan_id. Returns per-job causes and ' +
    'changes, and the torc command that runs the jobs on the cluster (for Slurm: the allocations they need).',
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
    retry_unknown: z
      .boolean()
      .default(false)
      .describe('Also retry jobs whose failure cause is unknown, unchanged (default false).'),
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
    const diagnosis = diagnose(id, state.results, state.jobs, state.requirements, state.codes)
    const plan = planRecovery(diagnosis, state.orphans, state.jobs, state.requirements, state.results, options)
    const blockers = recoveryBlockers(state, id)
    const runId = state.workflow.run_id ?? 0
    const mode = rerunMode(state.execution)
    const rerun = rerunCommand(mode, id)
    const changed = new Map(
      plan.adjustments.map((a) => [a.resource_requirements_id, { memory: a.memory?.new, runtime: a.runtime?.new }])
    )
    const slurm =
      mode === 'slurm'
        ? slurmNeeds(
            id,
            state.execution.schedulers,
            demandsOf(plan.jobs_to_retry, state.jobs, state.requirements, changed),
            state.allocations
          )
        : null
    const fingerprint = { workflow_id: id, run_id: runId, counts: state.status.jobs_by_status, options, plan, slurm }
    const plan_id = await planId('rp', fingerprint)
    let applied: Applied | null = null
    if (!input.dry_run) {
      requireMatchingPlan(input, plan_id, `workflow ${id}`)
      if (blockers.length) throw new ToolError('conflict', `cannot recover workflow ${id} now: ${blockers.join(' ')}`)
      if (!plan.jobs_to_retry.length)
        throw new ToolError('conflict', `nothing to recover in workflow ${id}: ${summaryOf(plan)}`)
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
      rerun_command: rerun,
      slurm,
      next_steps: input.dry_run
        ? `Show the user this plan and ask: "Would you like me to apply these recovery actions?" If yes, call ` +
          `recover_workflow(workflow_id=${id}, dry_run=false, plan_id="${plan_id}"` +
          (input.memory_multiplier !== DEFAULT_MEMORY_MULTIPLIER
            ? `, memory_multiplier=${input.memory_multiplier}`
            : '') +
          (input.runtime_multiplier !== DEFAULT_RUNTIME_MULTIPLIER
            ? `, runtime_multiplier=${input.runtime_multiplier}`
            : '') +
          (input.retry_unknown ? ', retry_unknown=true' : '') +
          `). Then the jobs run once \`${rerun}\` is run on the cluster` +
          (slurm ? ' (it submits the Slurm allocations; see slurm).' : '.')
        : `Recovered: ${applied!.jobs_reset.length} job(s) reset for run ${applied!.new_run_id}. To run them, on the cluster: \`${rerun}\`` +
          (slurm
            ? ` (it plans and submits Slurm allocations for them; preview with \`${slurm.preview_command}\`).`
            : '.'),
    }
  },
  summarize: (out) => `${out.dry_run ? '[preview] ' : ''}${out.summary}`,
})

export const recoveryTools = [recoverWorkflow]
