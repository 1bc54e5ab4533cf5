/**
 * The change review: any write tool's preview (the change envelope of src/changes/define.ts, and
 * create_workflow's creation preview) as tables, recover_workflow's as job, cause, old -> new; an
 * Apply button that sends exactly the `confirm` call through the host, disabled with the reason
 * when there is none (a read-scoped credential, a blocker, a host that lets views call no tools);
 * after applying, what changed.
 */
import { type Child, facts, h, table } from './dom.ts'
import { count, humanize, isRecord } from './format.ts'
import type { ToolName, ViewContext } from './host.ts'
import { section } from './sections.ts'
import { isStatus, statusBar } from './status.ts'

/** The envelope's own fields: shown as status, blockers and the Apply button, not as preview fields. */
const ENVELOPE = new Set([
  'status',
  'dry_run',
  'plan_id',
  'can_apply',
  'blockers',
  'resuming',
  'applied',
  'confirm',
  'next_steps',
])
/** Preview fields drawn by their own tables or lines (recover_workflow's). */
const DRAWN = new Set([
  'summary',
  'warnings',
  'jobs',
  'adjustments',
  'orphaned_running_jobs',
  'counts',
  'rerun_command',
  'slurm',
  'jobs_to_retry',
])

type Change = { old: string; new: string; why: string } | null

const isChange = (v: unknown): v is Exclude<Change, null> => isRecord(v) && 'old' in v && 'new' in v
const change = (c: Change) =>
  c ? h('span', { class: 'change', attrs: { title: c.why } }, h('del', null, c.old), ' → ', h('ins', null, c.new)) : '—'

/** Any value as a cell: old -> new pairs, statuses as badges, lists shortened. */
function value(v: unknown): Child {
  if (v === null || v === undefined) return '—'
  if (isChange(v)) return change(v as Change)
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object'))
      return v.length > 20 ? `${v.slice(0, 20).join(', ')} … (${count(v.length)})` : v.join(', ')
    return `${count(v.length)} item(s)`
  }
  if (isRecord(v))
    return Object.entries(v)
      .map(([k, x]) => `${k}: ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`)
      .join('; ')
  if (typeof v === 'boolean') return v ? 'yes' : 'no'
  return String(v)
}

const isCounts = (v: unknown): v is Record<string, number> =>
  isRecord(v) && Object.keys(v).length > 0 && Object.entries(v).every(([k, n]) => isStatus(k) && typeof n === 'number')

/** Arrays of records as tables, status counts as a bar, the rest as label/value pairs. */
function generic(fields: Record<string, unknown>, skip: Set<string>): Child[] {
  const out: Child[] = []
  const pairs: [string, Child][] = []
  for (const [key, v] of Object.entries(fields)) {
    // Nothing to say: left out rather than shown as a dash.
    if (skip.has(key) || v === null || v === undefined || (Array.isArray(v) && !v.length)) continue
    if (Array.isArray(v) && v.length && v.every(isRecord)) {
      const columns = [...new Set(v.flatMap((row) => Object.keys(row)))].filter((c) =>
        v.some((row) => !Array.isArray(row[c]))
      )
      out.push(
        table(
          humanize(key),
          columns.map(humanize),
          v.map((row) => columns.map((c) => value(row[c]))),
          { attrs: { 'data-table': key } }
        )
      )
    } else if (isCounts(v)) out.push(statusBar(v, humanize(key)))
    else if (isRecord(v) && !isChange(v) && Object.values(v).every((x) => !isRecord(x)))
      out.push(section(humanize(key), facts(Object.entries(v).map(([k, x]) => [humanize(k), value(x)]))))
    else pairs.push([humanize(key), h('span', { attrs: { 'data-field': key } }, value(v))])
  }
  return [pairs.length ? facts(pairs) : null, ...out]
}

interface PlannedJob {
  job_id: number
  job_name: string
  cause: string
  cause_detail: string
  action: string
  reason: string
  memory: Change
  runtime: Change
}

interface Adjustment {
  resource_requirements_id: number
  name: string
  job_ids: number[]
  memory: Change
  runtime: Change
  shared_with_count: number
}

function recoveryTables(d: Record<string, unknown>): Child[] {
  const jobs = (d.jobs ?? []) as PlannedJob[]
  const adjustments = (d.adjustments ?? []) as Adjustment[]
  const orphans = (d.orphaned_running_jobs ?? []) as { job_id: number; job_name: string }[]
  return [
    jobs.length
      ? table(
          'The plan, job by job',
          ['Job', 'Cause', 'Memory', 'Runtime', 'Action'],
          jobs.map((j) => [
            `${j.job_id} ${j.job_name}`,
            h(
              'span',
              { class: `badge cause-${j.cause}`, attrs: { 'data-cause': j.cause, title: j.cause_detail } },
              j.cause.replace(/_/g, ' ')
            ),
            change(j.memory),
            change(j.runtime),
            h('span', { attrs: { title: j.reason } }, j.action),
          ]),
          { attrs: { 'data-table': 'jobs' } }
        )
      : null,
    adjustments.length
      ? table(
          'Resource requirements changed',
          ['Requirement', 'Jobs retried', 'Memory', 'Runtime', 'Also used by'],
          adjustments.map((a) => [
            `${a.resource_requirements_id} ${a.name}`,
            count(a.job_ids.length),
            change(a.memory),
            change(a.runtime),
            a.shared_with_count ? `${count(a.shared_with_count)} other job(s)` : 'no other job',
          ]),
          { attrs: { 'data-table': 'adjustments' } }
        )
      : null,
    orphans.length
      ? table(
          'Orphaned running jobs (failed with -128)',
          ['Job'],
          orphans.map((o) => [`${o.job_id} ${o.job_name}`]),
          {
            attrs: { 'data-table': 'orphans' },
          }
        )
      : null,
  ]
}

/** Why Apply cannot be pressed, or null when it can. */
function refusal(ctx: ViewContext, d: Record<string, unknown>): string | null {
  const blockers = (d.blockers ?? []) as string[]
  if (d.can_apply === false && blockers.length) return blockers.join(' ')
  if (!isRecord(d.confirm)) return String(d.next_steps ?? 'This preview cannot be applied.')
  if (!ctx.canCall) return 'This host does not let views call tools: ask the assistant to send the confirm call.'
  return null
}

function applyArea(ctx: ViewContext, d: Record<string, unknown>): HTMLElement {
  const reason = refusal(ctx, d)
  const note = h('p', {
    class: reason ? 'refusal' : 'muted',
    attrs: { id: 'apply-reason', 'data-field': 'apply_reason' },
  })
  const confirm = d.confirm as { tool: string } | null
  note.textContent =
    reason ?? `Apply sends ${confirm?.tool} with plan ${String(d.plan_id)} through the host: it takes effect once.`
  const apply = h(
    'button',
    { class: 'primary', attrs: { type: 'button', 'aria-describedby': 'apply-reason', 'data-action': 'apply' } },
    'Apply'
  )
  apply.disabled = reason !== null
  apply.addEventListener('click', async () => {
    const confirm = d.confirm as { tool: ToolName; arguments: Record<string, unknown> }
    apply.disabled = true
    note.className = 'muted'
    note.textContent = `Applying (${confirm.tool})…`
    try {
      const data = await ctx.call(confirm.tool, confirm.arguments)
      ctx.show({ tool: confirm.tool, args: confirm.arguments, data })
    } catch (err) {
      note.className = 'alert'
      note.setAttribute('role', 'alert')
      note.textContent = `Not applied: ${(err as Error).message}`
      apply.disabled = false
    }
  })
  return h('div', { class: 'apply' }, apply, note)
}

function appliedPart(d: Record<string, unknown>): HTMLElement {
  const applied = isRecord(d.applied) ? d.applied : {}
  return section(
    'What changed',
    h('p', { attrs: { 'data-field': 'done' } }, String(d.next_steps ?? '')),
    generic(applied, new Set())
  )
}

export function renderReview(ctx: ViewContext): Child {
  const d = ctx.shown.data
  // create_workflow is no change tool: its creation preview has no status, its other actions are checks.
  const status = String(d.status ?? (d.plan_id || d.action === 'create_workflow' ? 'preview' : (d.action ?? 'answer')))
  const warnings = (Array.isArray(d.warnings) ? d.warnings : []) as string[]
  const errors = (Array.isArray(d.errors) ? d.errors : []) as string[]
  const recovery = 'jobs_to_retry' in d
  const fields = Object.fromEntries(Object.entries(d).filter(([k]) => !ENVELOPE.has(k)))
  const blockers = (d.blockers ?? []) as string[]
  return h(
    'article',
    { class: 'review', attrs: { 'data-view-part': 'review', 'data-status': status } },
    h(
      'h1',
      null,
      humanize(ctx.shown.tool || 'change'),
      ' ',
      h('span', { class: `badge status-${status}`, attrs: { 'data-field': 'status' } }, status.replace('_', ' '))
    ),
    typeof d.summary === 'string' ? h('p', { class: 'summary' }, d.summary) : null,
    warnings.length
      ? h(
          'ul',
          { class: 'warnings', attrs: { 'aria-label': 'Warnings' } },
          warnings.map((w) => h('li', null, w))
        )
      : null,
    errors.length
      ? h(
          'ul',
          { class: 'errors', attrs: { 'aria-label': 'Errors' } },
          errors.map((e) => h('li', null, e))
        )
      : null,
    recovery ? recoveryTables(d) : null,
    generic(
      fields,
      recovery
        ? DRAWN
        : new Set(typeof d.summary === 'string' ? ['summary', 'warnings', 'errors'] : ['warnings', 'errors'])
    ),
    typeof d.rerun_command === 'string'
      ? h('p', null, 'Then, on the cluster: ', h('code', null, d.rerun_command))
      : null,
    blockers.length
      ? section(
          'Blockers',
          h(
            'ul',
            null,
            blockers.map((b) => h('li', null, b))
          )
        )
      : null,
    status === 'applied' ? appliedPart(d) : applyArea(ctx, d)
  )
}
