/**
 * Logs (get_job_logs, analyze_workflow_logs): a log's tail with every line torc's analyzer would flag
 * highlighted (the same patterns, src/logs/patterns.ts), a grep box and "load more" (both call
 * get_job_logs again through the host: a longer range read from the end, or the server's grep); and
 * a workflow's analysis, whose job log files open here.
 */
import { classify } from '../../logs/patterns.ts'
import { classifyName, type Directory } from '../../site-protocol/naming.ts'
import { button, type Child, facts, h, table } from './dom.ts'
import { bytes, count } from './format.ts'
import type { ViewContext } from './host.ts'
import { section } from './sections.ts'

/** get_job_logs' own bounds (src/tools/logs.ts). */
const MAX_BYTES = 1_048_576
const MAX_TAIL = 10_000

function controls(ctx: ViewContext): HTMLElement {
  const args = ctx.shown.args
  const input = h('input', {
    attrs: {
      type: 'search',
      name: 'grep',
      'aria-label': 'Only lines containing',
      placeholder: 'grep (case-insensitive)',
    },
  })
  input.value = typeof args.grep === 'string' ? args.grep : ''
  // Not a <form>: sandboxed views may not submit one (no allow-forms), and need not.
  const search = () => {
    const grep = input.value.trim()
    const { grep: _old, ...rest } = args
    void ctx.open('get_job_logs', grep ? { ...rest, grep } : rest)
  }
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') search()
  })
  const form = h('div', { class: 'grep', attrs: { role: 'search' } }, input, button('Search', search))
  const other = args.log_type === 'stdout' ? 'stderr' : 'stdout'
  return h(
    'div',
    { class: 'actions' },
    ctx.canCall ? form : null,
    ctx.canCall ? button(`Show ${other}`, () => ctx.open('get_job_logs', { ...args, log_type: other })) : null
  )
}

export function renderLog(ctx: ViewContext): Child {
  const d = ctx.shown.data
  const args = ctx.shown.args
  const lines = String(d.content ?? '') === '' ? [] : String(d.content).split('\n')
  const found = new Map<string, number>()
  const items = lines.map((line, i) => {
    const pattern = classify(line)
    if (!pattern) return h('li', null, line || '\u200b')
    found.set(pattern.name, (found.get(pattern.name) ?? 0) + 1)
    return h(
      'li',
      {
        class: `finding sev-${pattern.severity}`,
        attrs: { 'data-finding': pattern.name, id: `line-${i}`, tabindex: -1 },
      },
      h('span', { class: 'finding-type' }, pattern.name),
      ' ',
      line
    )
  })
  const more = moreOf(d, args)
  let next = 0
  const findings = [...items].filter((li) => li.classList.contains('finding'))
  return h(
    'article',
    { class: 'logs', attrs: { 'data-view-part': 'log' } },
    h('h1', null, 'Log ', h('code', { attrs: { 'data-field': 'path' } }, String(d.path ?? ''))),
    facts([
      ['File size', bytes(Number(d.size_bytes))],
      ['Read from its end', bytes(Number(d.bytes_read))],
      ['Lines shown', h('span', { attrs: { 'data-field': 'lines_returned' } }, count(Number(d.lines_returned ?? 0)))],
      ['Only lines containing', typeof args.grep === 'string' ? h('code', null, args.grep) : null],
      ['Left out', d.note ? String(d.note) : null],
    ]),
    controls(ctx),
    found.size
      ? h(
          'p',
          { class: 'findings-summary', attrs: { 'data-field': 'findings' } },
          `Flagged by torc's log patterns: ${[...found].map(([type, n]) => `${type} (${n})`).join(', ')} `,
          button('Next finding', () => {
            const li = findings[next++ % findings.length]
            li?.scrollIntoView({ block: 'center' })
            li?.focus()
          })
        )
      : h('p', { class: 'muted' }, "No line matches torc's error patterns."),
    h('ol', { class: 'log-lines', attrs: { 'aria-label': 'Log lines' } }, items),
    more && ctx.canCall
      ? button(more.label, () => ctx.open('get_job_logs', more.args), { attrs: { 'data-action': 'more' } })
      : null,
    more === null && /left out to keep the answer/.test(String(d.note ?? ''))
      ? h('p', { class: 'muted' }, 'One answer holds about 60 KB of a log: grep for what you look for further back.')
      : null
  )
}

/**
 * The next get_job_logs call that shows more: more of the tail when tail_lines cut it, else a
 * longer range read from the end (what a grep also searches). None once the answer is at its size
 * cap: more lines would not fit one answer, but a grep further back would.
 */
function moreOf(d: Record<string, unknown>, args: Record<string, unknown>) {
  if (d.truncated !== true) return null
  const atCap = /left out to keep the answer|start cut to keep/.test(String(d.note ?? ''))
  const tail = typeof args.tail_lines === 'number' ? args.tail_lines : undefined
  const maxBytes = Number(args.max_bytes ?? 65_536)
  const grep = typeof args.grep === 'string'
  if (!atCap && tail !== undefined && Number(d.lines_returned) >= tail && tail < MAX_TAIL)
    return { label: 'Load more lines', args: { ...args, tail_lines: Math.min(tail * 4, MAX_TAIL) } }
  if ((!atCap || grep) && Number(d.bytes_read) < Number(d.size_bytes) && maxBytes < MAX_BYTES)
    return {
      label: grep ? 'Search further back' : 'Load more (read further back)',
      args: { ...args, max_bytes: Math.min(maxBytes * 4, MAX_BYTES) },
    }
  return null
}

/** get_job_logs' arguments for a job log file of the analysis, when `file` is one. */
function jobLogArgs(workflowId: number, file: string): Record<string, unknown> | null {
  const slash = file.lastIndexOf('/')
  const dir = (slash < 0 ? '' : file.slice(0, slash)) as Directory
  const parsed = classifyName(dir, file.slice(slash + 1))
  if (!parsed?.job_id || !parsed.run_id) return null
  return {
    workflow_id: workflowId,
    job_id: parsed.job_id,
    run_id: parsed.run_id,
    attempt_id: parsed.attempt_id ?? 1,
    log_type: parsed.kind === 'job_stdout' ? 'stdout' : 'stderr',
  }
}

export function renderLogAnalysis(ctx: ViewContext): Child {
  const d = ctx.shown.data
  const workflow = Number(d.workflow_id)
  const fileCell = (file: string) => {
    const args = ctx.canCall ? jobLogArgs(workflow, file) : null
    return args
      ? button(file, () => ctx.open('get_job_logs', args, true), { class: 'link', attrs: { 'data-file': file } })
      : h('code', null, file)
  }
  const types = (d.errors_by_type ?? []) as { type: string; count: number }[]
  const top = Math.max(1, ...types.map((t) => t.count))
  const samples = (d.sample_errors ?? []) as { file: string; line: number; type: string; content: string }[]
  const files = (d.files_with_errors ?? []) as { file: string; errors: number; warnings: number }[]
  const recovery = d.recovery as { recommendation: string; recovery_workflow: string[] } | null
  return h(
    'article',
    { class: 'logs', attrs: { 'data-view-part': 'analysis' } },
    h('h1', null, `Log analysis: workflow ${workflow}`),
    h('p', null, String(d.summary ?? '')),
    facts([
      ['Files scanned', h('span', { attrs: { 'data-field': 'files_parsed' } }, count(Number(d.files_parsed ?? 0)))],
      ['Bytes scanned', bytes(Number(d.bytes_scanned ?? 0))],
      ['Errors', h('span', { attrs: { 'data-field': 'error_count' } }, count(Number(d.error_count ?? 0)))],
      ['Warnings', h('span', { attrs: { 'data-field': 'warning_count' } }, count(Number(d.warning_count ?? 0)))],
      ['Unreadable files', Number(d.files_unreadable) ? count(Number(d.files_unreadable)) : null],
      ['Not scanned', d.truncated ? String(d.truncation_reason ?? 'a limit applied') : null],
    ]),
    types.length
      ? section(
          'Errors by type',
          h(
            'ul',
            { class: 'hbars' },
            types.map((t) =>
              h(
                'li',
                { attrs: { 'data-type': t.type } },
                h('span', { class: 'hbar-label' }, t.type),
                h('span', { class: 'hbar', style: { width: `${(t.count / top) * 100}%` } }),
                h('span', { class: 'count' }, count(t.count))
              )
            )
          )
        )
      : null,
    samples.length
      ? table(
          'Sample error lines',
          ['File', 'Line', 'Type', 'Content'],
          samples.map((s) => [fileCell(s.file), String(s.line), s.type, h('code', null, s.content)]),
          { attrs: { 'data-table': 'samples' } }
        )
      : null,
    files.length
      ? table(
          d.files_with_errors_truncated ? `Files with findings (first ${files.length})` : 'Files with findings',
          ['File', 'Errors', 'Warnings'],
          files.map((f) => [fileCell(f.file), count(f.errors), count(f.warnings)]),
          { attrs: { 'data-table': 'files' } }
        )
      : null,
    recovery
      ? section(
          'Recovery',
          h('p', null, recovery.recommendation),
          h(
            'ul',
            { class: 'steps' },
            recovery.recovery_workflow.map((step) => h('li', null, step))
          ),
          ctx.canCall
            ? button('Preview recovery', () =>
                ctx.open('recover_workflow', { workflow_id: workflow, dry_run: true }, true)
              )
            : null
        )
      : null
  )
}
