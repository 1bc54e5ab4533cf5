/** What history rows and notifications say about a workflow's status and a recovery. */
import type { WorkflowStatus } from '../torc/schemas.ts'
import type { NoticeInput } from './notices.ts'
import type { Watch } from './store.ts'

/** Job counts worth showing (zero ones left out), as notification fields. */
export function statusFields(status: WorkflowStatus): { title: string; value: string }[] {
  const counts = Object.entries(status.jobs_by_status)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(', ')
  return [{ title: 'Jobs', value: counts || 'none' }]
}

interface Adjustment {
  name: string
  memory?: { old: string; new: string } | null
  runtime?: { old: string; new: string } | null
}

function changesOf(adjustments: Adjustment[]): string {
  return adjustments
    .map((a) =>
      [
        a.memory && `${a.name} memory ${a.memory.old} → ${a.memory.new}`,
        a.runtime && `${a.name} runtime ${a.runtime.old} → ${a.runtime.new}`,
      ]
        .filter(Boolean)
        .join(', ')
    )
    .filter(Boolean)
    .join('; ')
}

/** A recovery preview as history keeps it: small, whatever the workflow's size. */
export function recoveryFields(preview: Record<string, unknown>): Record<string, unknown> {
  const retry = (preview.jobs_to_retry as number[] | undefined) ?? []
  return {
    plan_id: preview.plan_id,
    resuming: preview.resuming,
    counts: preview.counts,
    changes: changesOf((preview.adjustments as Adjustment[] | undefined) ?? []),
    jobs_to_retry: retry.length,
    job_ids: retry.slice(0, 20),
    warnings: preview.warnings,
    blockers: preview.blockers,
  }
}

/** The `recovered` notification of an applied recovery. */
export function recoveryNotice(watch: Watch, answer: Record<string, unknown>, resubmitted: string | null): NoticeInput {
  const applied = (answer.applied ?? {}) as { jobs_reset?: number[]; new_run_id?: number }
  const reset = applied.jobs_reset?.length ?? 0
  const attempt = watch.retries + 1
  const changes = changesOf((answer.adjustments as Adjustment[] | undefined) ?? [])
  const next = resubmitted ?? `run \`${String(answer.rerun_command)}\` on the cluster`
  return {
    event: 'recovered',
    key: `recovered:${String(answer.plan_id)}`,
    headline:
      `recovered (attempt ${attempt} of ${watch.policy.max_retries}): ` +
      `${reset} job(s) reset for run ${applied.new_run_id}`,
    fields: [
      { title: 'Diagnosis', value: String(answer.summary) },
      ...(changes ? [{ title: 'Changes', value: changes }] : []),
      { title: 'Next', value: next },
    ],
    data: {
      attempt,
      max_retries: watch.policy.max_retries,
      plan_id: answer.plan_id,
      new_run_id: applied.new_run_id,
      jobs_reset: reset,
      changes,
      resubmitted,
    },
  }
}
