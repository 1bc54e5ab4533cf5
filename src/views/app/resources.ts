/**
 * Resource use: requested against peak memory, CPU and runtime, per job (check_resource_utilization:
 * torc's over-use report and each failure's cause) or per requirement group (analyze_resource_usage),
 * over-limit jobs marked. torc's resource monitor time series is not shown: no tool returns it yet.
 */
import { button, type Child, facts, h, table } from './dom.ts'
import { bytes, count, durationMinutes, memoryBytes, minutes, numberIn } from './format.ts'
import type { ViewContext } from './host.ts'
import { section } from './sections.ts'
import { statusBadge } from './status.ts'

/** "1h 2m 3s", "30m 0s" (torc's report): minutes. */
const humanMinutes = (text: string) => {
  let total = 0
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)\s*([hms])/g))
    total += Number(n) / { h: 1 / 60, m: 1, s: 60 }[unit as 'h' | 'm' | 's']
  return total
}

/** A bar of what was used against what was requested: the requested amount is the marked line. */
function usageBar(requested: number | null, peak: number | null, label: string): HTMLElement | string {
  if (requested === null || peak === null || !(requested > 0) || !Number.isFinite(peak)) return ''
  const scale = Math.max(requested, peak)
  const over = peak > requested
  return h(
    'span',
    {
      class: `usage${over ? ' over' : ''}`,
      attrs: { role: 'img', 'aria-label': `${label}: ${Math.round((peak / requested) * 100)}% of the request` },
    },
    h('span', { class: 'used', style: { width: `${(peak / scale) * 100}%` } }),
    h('span', { class: 'limit', style: { left: `calc(${(requested / scale) * 100}% - 1px)` } })
  )
}

const overBadge = () => h('span', { class: 'badge st-failed' }, 'over')

interface Violation {
  job_id: number
  job_name: string
  resource_type: 'Memory' | 'CPU' | 'Runtime'
  specified: string
  peak_used: string
  over_utilization: string
}

function violationRow(v: Violation): Child[] {
  const parse = v.resource_type === 'Runtime' ? humanMinutes : numberIn
  return [
    `${v.job_id} ${v.job_name}`,
    v.resource_type,
    v.specified,
    v.peak_used,
    h('span', null, overBadge(), ` ${v.over_utilization}`),
    usageBar(parse(v.specified), parse(v.peak_used), `${v.resource_type} of job ${v.job_id}`),
  ]
}

interface FailedJob {
  job_id: number
  job_name: string
  status: string
  return_code: number
  cause: string
  cause_detail: string
  configured_memory: string | null
  peak_memory_bytes: number | null
  configured_runtime: string | null
  exec_time_minutes: number
  runtime_utilization: string | null
}

function failedRow(f: FailedJob): Child[] {
  return [
    `${f.job_id} ${f.job_name}`,
    statusBadge(f.status),
    h('span', { class: `badge cause-${f.cause}`, attrs: { 'data-cause': f.cause } }, f.cause.replace(/_/g, ' ')),
    String(f.return_code),
    h(
      'span',
      null,
      `${f.configured_memory ?? '—'} → ${bytes(f.peak_memory_bytes)} `,
      usageBar(memoryBytes(f.configured_memory), f.peak_memory_bytes, `Memory of job ${f.job_id}`)
    ),
    h(
      'span',
      null,
      `${f.configured_runtime ?? '—'} → ${minutes(f.exec_time_minutes)} `,
      usageBar(durationMinutes(f.configured_runtime), f.exec_time_minutes, `Runtime of job ${f.job_id}`)
    ),
    f.cause_detail,
  ]
}

export function renderUtilization(ctx: ViewContext): Child {
  const d = ctx.shown.data
  const violations = (d.violations ?? []) as Violation[]
  const failed = (d.resource_violations ?? []) as FailedJob[]
  const scanned = d.scanned as { user: string; workflows: Record<string, unknown>[] } | null
  const f = (name: string, n: unknown) => h('strong', { attrs: { 'data-field': name } }, count(Number(n ?? 0)))
  return h(
    'article',
    { class: 'resources', attrs: { 'data-view-part': 'utilization' } },
    h(
      'h1',
      null,
      d.workflow_id === null
        ? `Resource use: ${scanned?.user ?? 'your'} active workflows`
        : `Resource use: workflow ${d.workflow_id}`
    ),
    h(
      'p',
      null,
      f('jobs_over_count', d.jobs_over_count),
      ' job(s) over their requests (',
      f('over_utilization_count', d.over_utilization_count),
      ' rows); ',
      f('resource_violations_count', d.resource_violations_count),
      ' failed job(s) diagnosed, of ',
      f('total_results', d.total_results),
      ' results.'
    ),
    d.guidance ? h('p', { class: 'guidance' }, String(d.guidance)) : null,
    violations.length
      ? table(
          d.violations_truncated ? `Over their requests (first ${count(violations.length)})` : 'Over their requests',
          ['Job', 'Resource', 'Requested', 'Peak', 'Over by', 'Peak against request'],
          violations.map(violationRow),
          { attrs: { 'data-table': 'violations' } }
        )
      : h('p', { class: 'muted' }, 'No job used more than it requested.'),
    failed.length
      ? table(
          d.resource_violations_truncated
            ? `Failed jobs (first ${count(failed.length)})`
            : 'Failed jobs and their likely cause',
          ['Job', 'Status', 'Cause', 'Return code', 'Memory: requested → peak', 'Runtime: limit → ran', 'Evidence'],
          failed.map(failedRow),
          { attrs: { 'data-table': 'failed' } }
        )
      : null,
    scanned
      ? table(
          'Workflows scanned',
          ['Workflow', 'Jobs over', 'Failed diagnosed', 'Guidance'],
          scanned.workflows.map((w) => [
            ctx.canCall
              ? button(
                  `${w.workflow_id} ${w.name}`,
                  () => ctx.open('check_resource_utilization', { workflow_id: w.workflow_id }, true),
                  { class: 'link' }
                )
              : `${w.workflow_id} ${w.name}`,
            count(Number(w.jobs_over_count)),
            count(Number(w.resource_violations_count)),
            String(w.guidance ?? ''),
          ]),
          { attrs: { 'data-table': 'scanned' } }
        )
      : null
  )
}

interface Stats {
  min: number
  max: number
  mean: number
  median: number
  max_formatted?: string
}

interface Group {
  resource_requirements_id: number | null
  name: string | null
  config: { memory: string; num_cpus: number; runtime: string } | null
  job_count: number
  jobs_with_results: number
  summary: { peak_memory_bytes: Stats | null; peak_cpu_percent: Stats | null; exec_time_minutes: Stats | null }
  jobs: {
    job_id: number
    name: string
    peak_memory_bytes: number | null
    peak_cpu_percent: number | null
    exec_time_minutes: number
    return_code: number
  }[]
  jobs_omitted: number
}

/** Job rows drawn per group at first. */
const FIRST_ROWS = 25

function groupCard(g: Group): HTMLElement {
  const mem = memoryBytes(g.config?.memory)
  const cpu = g.config ? g.config.num_cpus * 100 : null
  const runtime = durationMinutes(g.config?.runtime)
  const s = g.summary
  const stat = (label: string, st: Stats | null, fmt: (n: number) => string, limit: number | null) =>
    st
      ? ([
          label,
          h(
            'span',
            null,
            `min ${fmt(st.min)} · median ${fmt(st.median)} · max `,
            h('span', { attrs: { 'data-field': `max_${label.toLowerCase().replace(/\W+/g, '_')}` } }, fmt(st.max)),
            limit !== null && st.max > limit ? [' ', overBadge()] : null,
            ' ',
            usageBar(limit, st.max, `${label} peak of the group`)
          ),
        ] as [string, Child])
      : ([label, '—'] as [string, Child])
  const over = (n: number | null, limit: number | null) => limit !== null && n !== null && n > limit
  const rows = g.jobs.map((j) => {
    const cells: Child[] = [
      `${j.job_id} ${j.name}`,
      cell(bytes(j.peak_memory_bytes), over(j.peak_memory_bytes, mem)),
      cell(j.peak_cpu_percent === null ? '—' : `${j.peak_cpu_percent}%`, over(j.peak_cpu_percent, cpu)),
      cell(minutes(j.exec_time_minutes), over(j.exec_time_minutes, runtime)),
      String(j.return_code),
    ]
    return cells
  })
  const body = h('div')
  const drawRows = (n: number): void =>
    body.replaceChildren(
      table(
        `Jobs of ${g.name ?? 'no requirement'}`,
        ['Job', 'Peak memory', 'Peak CPU', 'Exec time', 'Return code'],
        rows.slice(0, n),
        {
          attrs: { 'data-table': 'jobs' },
        }
      ),
      ...(rows.length > n ? [button(`Show all ${count(rows.length)} jobs`, () => drawRows(rows.length))] : [])
    )
  drawRows(FIRST_ROWS)
  return h(
    'section',
    {
      class: 'group',
      attrs: { 'data-group': String(g.resource_requirements_id ?? 'none'), 'aria-label': g.name ?? 'No requirement' },
    },
    h(
      'h2',
      null,
      g.name ?? 'Jobs without a requirement',
      g.resource_requirements_id === null ? null : h('span', { class: 'muted' }, ` #${g.resource_requirements_id}`)
    ),
    facts([
      ['Requests', g.config ? `${g.config.memory}, ${g.config.num_cpus} CPU, ${g.config.runtime}` : 'none'],
      ['Jobs', h('span', { attrs: { 'data-field': 'job_count' } }, count(g.job_count))],
      ['With results', h('span', { attrs: { 'data-field': 'jobs_with_results' } }, count(g.jobs_with_results))],
      stat('Peak memory', s.peak_memory_bytes, bytes, mem),
      stat('Peak CPU', s.peak_cpu_percent, (n) => `${n}%`, cpu),
      stat('Exec time', s.exec_time_minutes, minutes, runtime),
    ]),
    g.jobs.length ? body : null,
    g.jobs_omitted ? h('p', { class: 'muted' }, `${count(g.jobs_omitted)} more jobs left out of the answer.`) : null
  )
}

const cell = (text: string, over: boolean) => (over ? h('span', { class: 'over-cell' }, text, ' ', overBadge()) : text)

export function renderUsage(ctx: ViewContext): Child {
  const d = ctx.shown.data
  const groups = (d.resource_groups ?? []) as Group[]
  return h(
    'article',
    { class: 'resources', attrs: { 'data-view-part': 'usage' } },
    h('h1', null, `Resource use by requirement: workflow ${d.workflow_id}`),
    h(
      'p',
      null,
      h(
        'strong',
        { attrs: { 'data-field': 'total_jobs_with_results' } },
        count(Number(d.total_jobs_with_results ?? 0))
      ),
      ' of ',
      h('strong', { attrs: { 'data-field': 'total_jobs' } }, count(Number(d.total_jobs ?? 0))),
      ` jobs have ${d.completed_only ? 'successful ' : ''}results, in `,
      h(
        'strong',
        { attrs: { 'data-field': 'resource_groups_total' } },
        count(Number(d.resource_groups_total ?? groups.length))
      ),
      ' requirement group(s).'
    ),
    groups.map(groupCard),
    Number(d.jobs_without_results_count)
      ? section(
          'Without results',
          h('p', null, `${count(Number(d.jobs_without_results_count))} job(s) have no result yet.`)
        )
      : null
  )
}
