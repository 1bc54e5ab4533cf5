import { z } from 'zod'
import { mapConcurrent } from '../concurrency.ts'
import type { Diagnosis } from '../recovery/diagnose.ts'
import { loadDiagnosis } from '../recovery/state.ts'
import { defineTool } from '../registry.ts'
import { WorkflowSchema } from '../torc/schemas.ts'
import { fitItems, limit, offset, readOnly, workflowId } from './fields.ts'
import { utilizationSchema } from './resources.schemas.ts'
import { torcUserOf } from './torc-user.ts'

const LIST_BUDGET = 40_000
/** Each scanned workflow costs four Torc calls: ten keep a scan near 40 subrequests. */
const SCAN_MAX = 10

const isLimitFailure = (f: Diagnosis['resource_violations'][number]) =>
  f.cause === 'oom' || f.cause === 'timeout' || f.cause === 'oom_and_timeout'

/** The first number in a report value ("602.5%", "29.90 GB"). */
const numberIn = (text: string) => Number.parseFloat(/-?\d+(\.\d+)?/.exec(text)?.[0] ?? 'NaN')

/**
 * What to do next. Failed jobs (out of memory or time) are recover_workflow's: it raises their
 * requirements and reruns them. Over-use by jobs that did not fail (CPU above all: Torc never
 * kills a job for CPU) is update_job_resources', one job at a time: recover_workflow would find
 * nothing to recover.
 */
function guidance(d: Diagnosis, workflow: number): string | null {
  const failed = d.resource_violations.filter(isLimitFailure)
  const overJobs = new Set([...d.violations.map((v) => v.job_id), ...failed.map((f) => f.job_id)])
  if (overJobs.size === 0) return null
  const lines = [`${overJobs.size} job(s) exceeded resource limits (memory, CPU or runtime).`]
  if (failed.length) {
    if (overJobs.size > failed.length) {
      lines.push(
        `Only ${failed.length} have failed so far, but ` +
          `${overJobs.size - failed.length} more will likely fail without fixes.`
      )
    }
    lines.push(
      'Use recover_workflow for the failed jobs: preview with dry_run=true, show the user the proposed ' +
        'memory/runtime changes, ask, then send the `confirm` call it returns.',
      `Example: recover_workflow(workflow_id=${workflow}, dry_run=true)`
    )
    return lines.join('\n')
  }
  lines.push('None of them failed, so recover_workflow has nothing to recover: raise their requests one job at a time.')
  for (const v of d.violations.slice(0, 5)) {
    const peak = numberIn(v.peak_used)
    if (v.resource_type === 'CPU' && Number.isFinite(peak)) {
      const cpus = Math.max(1, Math.ceil((peak / 100) * 1.1))
      lines.push(`update_job_resources(job_id=${v.job_id}, num_cpus=${cpus})  # ${v.job_name} peaked at ${v.peak_used}`)
    } else {
      lines.push(`update_job_resources(job_id=${v.job_id}, ...)  # ${v.job_name}: ${v.resource_type} ${v.peak_used}`)
    }
  }
  return lines.join('\n')
}

const scannedRow = z.object({
  workflow_id: z.number().int().describe('Workflow id.'),
  name: z.string().describe('Workflow name.'),
  jobs_over_count: z.number().int().describe('Jobs with at least one violation.'),
  over_utilization_count: z.number().int().describe('Violation rows.'),
  resource_violations_count: z.number().int().describe('Failed or terminated jobs diagnosed.'),
  guidance: z.string().nullable().describe('What to do about this workflow, if anything.'),
})

export const checkResourceUtilization = defineTool({
  name: 'check_resource_utilization',
  title: 'Check resource utilization',
  description:
    'Find jobs that used more memory, CPU or runtime than they requested, and diagnose failed jobs (OOM, ' +
    'timeout, lost node). Use it for "did any jobs exceed their memory?"; without workflow_id it scans the ' +
    "caller's active workflows. Returns torc 1.0.0's report, each failure's cause and evidence, and guidance.",
  input: z.object({
    workflow_id: workflowId.optional().describe('The workflow; omit to scan your active workflows (newest first).'),
    include_failed: z.boolean().default(true).describe('Include failed and terminated jobs (default true).'),
    limit: limit(100, 1000).describe(
      'Rows of violations, and failed jobs, to list at most (default 100); counts cover all.'
    ),
    workflows_offset: offset.describe('Without workflow_id: active workflows to skip, for paging (default 0).'),
  }),
  output: utilizationSchema.extend({
    workflow_id: z.number().int().nullable().describe('Workflow id (null for a scan of several).'),
    scanned: z
      .object({
        user: z.string().describe('Whose active workflows were scanned.'),
        workflows: z.array(scannedRow).describe('Each workflow scanned, with its counts.'),
        total: z.number().int().describe('Active workflows of that user.'),
        offset: z.number().int().describe('Workflows skipped.'),
        has_more: z.boolean().describe('More workflows beyond these: continue with workflows_offset.'),
      })
      .nullable()
      .describe('Without workflow_id: the scan (the report fields then sum every scanned workflow).'),
  }),
  annotations: readOnly,
  view: 'resources',
  async handler(input, ctx) {
    if (input.workflow_id !== undefined) {
      const d = await loadDiagnosis(ctx.torc, input.workflow_id, input.include_failed)
      return { ...fit(d, input.limit), guidance: guidance(d, input.workflow_id), scanned: null }
    }
    const owner = torcUserOf(ctx.caller, ctx.config)
    const page = await ctx.torc.list(
      '/workflows',
      WorkflowSchema,
      { user: owner.user, is_archived: false, sort_by: 'id', reverse_sort: true },
      { offset: input.workflows_offset, limit: SCAN_MAX }
    )
    const diagnoses = await mapConcurrent(page.items, 3, (w) => loadDiagnosis(ctx.torc, w.id, input.include_failed))
    const rows = page.items.map((w, i) => {
      const d = diagnoses[i]!
      return {
        workflow_id: w.id,
        name: w.name,
        jobs_over_count: d.jobs_over_count,
        over_utilization_count: d.over_utilization_count,
        resource_violations_count: d.resource_violations_count,
        guidance: guidance(d, w.id),
      }
    })
    const all: Diagnosis = {
      workflow_id: 0,
      total_results: sum(diagnoses, (d) => d.total_results),
      over_utilization_count: sum(diagnoses, (d) => d.over_utilization_count),
      jobs_over_count: sum(diagnoses, (d) => d.jobs_over_count),
      violations: diagnoses.flatMap((d) => d.violations),
      resource_violations_count: sum(diagnoses, (d) => d.resource_violations_count),
      resource_violations: diagnoses.flatMap((d) => d.resource_violations),
    }
    const over = rows.filter((r) => r.jobs_over_count > 0 || r.resource_violations_count > 0)
    return {
      ...fit(all, input.limit),
      workflow_id: null,
      guidance: over.length
        ? `${over.length} of ${rows.length} workflow(s) have jobs over their limits or failed: ` +
          over.map((r) => `${r.workflow_id} (${r.name})`).join(', ') +
          '. See scanned.workflows[].guidance for each.'
        : null,
      scanned: {
        user: owner.user,
        workflows: rows,
        total: page.total,
        offset: input.workflows_offset,
        has_more: input.workflows_offset + rows.length < page.total,
      },
    }
  },
  summarize: (out) =>
    `${out.jobs_over_count} jobs over their limits (${out.over_utilization_count} rows), ` +
    `${out.resource_violations_count} failed jobs diagnosed` +
    (out.scanned ? ` across ${out.scanned.workflows.length} workflows` : ''),
})

const sum = <T>(items: readonly T[], of: (item: T) => number) => items.reduce((n, item) => n + of(item), 0)

/** Each list gets a share of the answer budget: with the rest, under GPT Actions' 100,000 characters. */
function fit(d: Diagnosis, rows: number) {
  const violations = fitItems(d.violations.slice(0, rows), LIST_BUDGET)
  const failed = fitItems(d.resource_violations.slice(0, rows), LIST_BUDGET)
  return {
    ...d,
    violations,
    violations_truncated: violations.length < d.violations.length,
    resource_violations: failed,
    resource_violations_truncated: failed.length < d.resource_violations.length,
  }
}

export const utilizationTools = [checkResourceUtilization]
