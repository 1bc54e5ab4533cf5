/**
 * The workflow dashboard (get_workflow_status, get_workflow_summary, list_workflows): jobs by
 * status, run, completion, allocations, and the failing and slowest jobs, which it asks the host
 * for (list_failed_jobs, list_results, get_workflow_summary) as a person scrolling down would.
 */
import { button, type Child, facts, h, table } from './dom.ts'
import { count, bytes as formatBytes, minutes, percent } from './format.ts'
import type { ViewContext } from './host.ts'
import { later, section } from './sections.ts'
import { statusBadge, statusBar } from './status.ts'

type Counts = Record<string, number>

interface Workflow {
  id: number
  name: string
  user: string
  description: string | null
  run_id: number | null
  total: number
  counts: Counts
  complete: boolean
  canceled: boolean
  archived: boolean
}

/** get_workflow_status and get_workflow_summary name the same facts differently. */
function workflowOf(d: Record<string, unknown>): Workflow {
  return {
    id: Number(d.workflow_id),
    name: String(d.name ?? d.workflow_name ?? ''),
    user: String(d.user ?? d.workflow_user ?? ''),
    description: (d.description as string | null | undefined) ?? null,
    run_id: (d.run_id as number | null | undefined) ?? null,
    total: Number(d.total_jobs ?? 0),
    counts: (d.job_counts_by_status ?? d.jobs_by_status ?? {}) as Counts,
    complete: d.is_complete === true,
    canceled: d.is_canceled === true,
    archived: d.is_archived === true,
  }
}

const field = (name: string, value: Child) => h('span', { attrs: { 'data-field': name } }, value)

function flags(w: Pick<Workflow, 'complete' | 'canceled' | 'archived'>): Child[] {
  return [
    w.complete ? h('span', { class: 'badge st-completed' }, 'complete') : null,
    w.canceled ? h('span', { class: 'badge st-canceled' }, 'canceled') : null,
    w.archived ? h('span', { class: 'badge st-disabled' }, 'archived') : null,
  ]
}

function allocations(d: Record<string, unknown>): HTMLElement {
  return facts([
    ['Execution time (sum)', field('exec_time', String(d.total_exec_time_formatted ?? '—'))],
    ['Walltime', field('walltime', String(d.walltime_formatted ?? '—'))],
    ['Active job runners', field('active_compute_nodes', count(Number(d.active_compute_nodes ?? 0)))],
    ['Slurm allocations pending', field('pending_scheduled_nodes', count(Number(d.pending_scheduled_nodes ?? 0)))],
    ['Slurm allocations running', field('active_scheduled_nodes', count(Number(d.active_scheduled_nodes ?? 0)))],
  ])
}

export function renderWorkflow(ctx: ViewContext): Child {
  const d = ctx.shown.data
  const w = workflowOf(d)
  const done = w.counts.completed ?? 0
  const id = { workflow_id: w.id }
  const nav = ctx.canCall
    ? h(
        'div',
        { class: 'actions' },
        button('Job graph', () => ctx.open('get_execution_plan', { spec_or_id: w.id }, true)),
        button('Resource use', () => ctx.open('check_resource_utilization', id, true)),
        button('Log analysis', () => ctx.open('analyze_workflow_logs', id, true))
      )
    : null
  return h(
    'article',
    { class: 'dashboard', attrs: { 'data-view-part': 'workflow', 'data-workflow-id': w.id } },
    h('h1', null, `Workflow ${w.id}: `, field('name', w.name), ...flags(w)),
    h(
      'p',
      { class: 'muted' },
      `Owner ${w.user}`,
      w.run_id === null ? null : [' · run ', field('run_id', String(w.run_id))],
      w.description ? ` · ${w.description}` : null
    ),
    h(
      'p',
      { class: 'completion' },
      field('completed', count(done)),
      ' of ',
      field('total', count(w.total)),
      ' jobs completed (',
      field('completion', percent(done, w.total)),
      ')'
    ),
    statusBar(w.counts, 'Jobs by status'),
    nav,
    'active_compute_nodes' in d
      ? section('Time and allocations', allocations(d))
      : later(ctx, 'Time and allocations', () => ctx.call('get_workflow_summary', id).then(allocations)),
    later(ctx, 'Failing jobs', async () => failing(ctx, await ctx.call('list_failed_jobs', { ...id, limit: 10 }))),
    later(ctx, 'Slowest jobs', async () =>
      slowest(await ctx.call('list_results', { ...id, sort_by: 'exec_time_minutes', reverse_sort: true, limit: 5 }))
    )
  )
}

interface FailedRow {
  job_id: number
  name: string
  status: string
  return_code: number | null
  exec_time_minutes: number | null
  peak_memory_bytes: number | null
  run_id: number | null
  attempt_id: number | null
}

function failing(ctx: ViewContext, d: Record<string, unknown>): Child {
  const rows = (d.failed_jobs ?? []) as FailedRow[]
  const total = Number(d.failed_job_count ?? rows.length)
  if (!rows.length) return h('p', { class: 'muted', attrs: { 'data-field': 'failed_count' } }, 'No failed jobs.')
  const workflow = Number(d.workflow_id)
  return [
    h(
      'p',
      null,
      field('failed_count', count(total)),
      ' job(s) did not succeed',
      total > rows.length ? ' (first 10):' : ':'
    ),
    table(
      'Failing jobs',
      ['Job', 'Status', 'Return code', 'Exec time', 'Peak memory', ''],
      rows.map((r) => [
        `${r.job_id} ${r.name}`,
        statusBadge(r.status),
        r.return_code === null ? '—' : String(r.return_code),
        minutes(r.exec_time_minutes),
        formatBytes(r.peak_memory_bytes),
        r.run_id !== null && ctx.canCall
          ? button('Logs', () => ctx.open('get_job_logs', logArgs(workflow, r), true), {
              attrs: { 'aria-label': `Logs of job ${r.job_id}` },
            })
          : '',
      ]),
      { attrs: { 'data-table': 'failing' } },
      true
    ),
  ]
}

/** stderr first: it is where a failed job says why. */
export const logArgs = (workflow: number, r: { job_id: number; run_id: number | null; attempt_id: number | null }) => ({
  workflow_id: workflow,
  job_id: r.job_id,
  run_id: r.run_id ?? 1,
  attempt_id: r.attempt_id ?? 1,
  log_type: 'stderr',
  tail_lines: 200,
})

function slowest(d: Record<string, unknown>): Child {
  const rows = (d.results ?? []) as {
    job_id: number
    job_name: string | null
    status: string
    exec_time_minutes: number
    peak_memory_bytes: number | null
  }[]
  if (!rows.length) return h('p', { class: 'muted' }, 'No results yet.')
  return table(
    'Slowest jobs',
    ['Job', 'Status', 'Exec time', 'Peak memory'],
    rows.map((r) => [
      `${r.job_id} ${r.job_name ?? ''}`,
      statusBadge(r.status),
      minutes(r.exec_time_minutes),
      formatBytes(r.peak_memory_bytes),
    ]),
    { attrs: { 'data-table': 'slowest' } },
    true
  )
}

interface ListedWorkflow {
  id: number
  name: string
  user: string
  is_complete: boolean
  is_canceled: boolean
  is_archived: boolean
  job_count: number
  job_counts_by_status: Counts
}

export function renderWorkflowList(ctx: ViewContext): Child {
  const d = ctx.shown.data
  const rows = (d.workflows ?? []) as ListedWorkflow[]
  const offset = Number(d.offset ?? 0)
  const shown = Number(d.count ?? rows.length)
  const page = (to: number) => () => ctx.open('list_workflows', { ...ctx.shown.args, offset: Math.max(0, to) })
  return h(
    'article',
    { class: 'dashboard', attrs: { 'data-view-part': 'workflows' } },
    h(
      'h1',
      null,
      'Workflows ',
      h('span', { class: 'muted' }, `${count(offset + (rows.length ? 1 : 0))}–${count(offset + shown)} of `),
      field('total', count(Number(d.total ?? rows.length)))
    ),
    table(
      'Workflows, newest first',
      ['Workflow', 'Owner', 'Jobs', 'Completed', 'Status'],
      rows.map((w) => [
        ctx.canCall
          ? button(`${w.id} ${w.name}`, () => ctx.open('get_workflow_status', { workflow_id: w.id }, true), {
              class: 'link',
              attrs: { 'data-workflow-id': w.id },
            })
          : `${w.id} ${w.name}`,
        w.user,
        count(w.job_count),
        percent(w.job_counts_by_status.completed ?? 0, w.job_count),
        h(
          'div',
          { class: 'cell-bar' },
          statusBar(w.job_counts_by_status, `Workflow ${w.id} jobs`),
          ...flags(completeOf(w))
        ),
      ]),
      { attrs: { 'data-table': 'workflows' } }
    ),
    ctx.canCall
      ? h(
          'div',
          { class: 'actions' },
          offset > 0 ? button('Previous page', page(offset - Number(ctx.shown.args.limit ?? 20))) : null,
          d.has_more ? button('Next page', page(offset + shown)) : null
        )
      : null
  )
}

const completeOf = (w: ListedWorkflow) => ({
  complete: w.is_complete,
  canceled: w.is_canceled,
  archived: w.is_archived,
})
