/**
 * The job graph (get_execution_plan): the plan's events as stages in order (each the jobs it makes
 * ready, what triggers it, what it waits for and unlocks, the Slurm allocations it requests), each
 * job coloured by its status. Stages group the jobs, so 10,000 jobs are a few cards with at most
 * 50 named jobs each (the tool names 50 and counts the rest), never 10,000 nodes.
 */
import { logArgs } from './dashboard.ts'
import { button, type Child, h, replace } from './dom.ts'
import { count } from './format.ts'
import type { ViewContext } from './host.ts'
import { type WorkflowStates, workflowStates } from './job-status.ts'
import { FAILED, statusBar } from './status.ts'

interface PlanEvent {
  id: string
  trigger: { type: string; data?: { jobs: string[]; job_count: number } }
  trigger_description: string
  scheduler_allocations: { scheduler: string; num_allocations: number; job_count: number }[]
  jobs_becoming_ready: string[]
  jobs_becoming_ready_count: number
  depends_on_events: string[]
  unlocks_events: string[]
}

/** Stages drawn at first; the rest behind one button, so a plan of thousands of events stays light. */
const FIRST_STAGES = 40

const stageDomId = (id: string) => `stage-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`

function jump(id: string): HTMLButtonElement {
  return button(
    id,
    () => {
      const target = document.getElementById(stageDomId(id))
      target?.scrollIntoView({ block: 'nearest' })
      target?.focus()
    },
    { class: 'link', attrs: { 'aria-label': `Go to stage ${id}` } }
  )
}

function stageCard(e: PlanEvent, index: number): HTMLElement {
  const more = e.jobs_becoming_ready_count - e.jobs_becoming_ready.length
  const slurm = e.scheduler_allocations.map(
    (a) => `${count(a.num_allocations)} × ${a.scheduler} (for ${count(a.job_count)} jobs)`
  )
  return h(
    'li',
    {
      class: 'stage',
      attrs: { id: stageDomId(e.id), tabindex: -1, 'data-stage': e.id, 'data-job-count': e.jobs_becoming_ready_count },
    },
    h(
      'h2',
      null,
      h('span', { class: 'muted' }, `Stage ${index + 1} `),
      h('code', null, e.id),
      ' · ',
      h('span', { attrs: { 'data-field': 'stage_jobs' } }, count(e.jobs_becoming_ready_count)),
      e.jobs_becoming_ready_count === 1 ? ' job' : ' jobs'
    ),
    h('p', { class: 'muted' }, e.trigger_description),
    e.depends_on_events.length ? h('p', null, 'After: ', e.depends_on_events.map(jump)) : null,
    e.unlocks_events.length ? h('p', null, 'Unlocks: ', e.unlocks_events.map(jump)) : null,
    slurm.length ? h('p', null, `Slurm: ${slurm.join('; ')}`) : null,
    h('div', { class: 'stage-status' }),
    h(
      'ul',
      { class: 'chips', attrs: { 'aria-label': `Jobs of stage ${e.id}` } },
      e.jobs_becoming_ready.map((name) => h('li', { class: 'chip', attrs: { 'data-job-name': name } }, name))
    ),
    more > 0 ? h('p', { class: 'muted' }, `and ${count(more)} more jobs`) : null
  )
}

export function renderGraph(ctx: ViewContext): Child {
  const d = ctx.shown.data
  const events = (d.events ?? []) as PlanEvent[]
  const workflowId = typeof d.workflow_id === 'number' ? d.workflow_id : null
  const stages = h('ol', { class: 'stages' }, events.slice(0, FIRST_STAGES).map(stageCard))
  const facts: PlanFacts = { complete: d.events_truncated !== true, events: events.length, jobs: Number(d.total_jobs) }
  const rest =
    events.length > FIRST_STAGES
      ? button(`Show all ${count(events.length)} stages`, () => {
          stages.append(...events.slice(FIRST_STAGES).map((e, i) => stageCard(e, FIRST_STAGES + i)))
          rest?.remove()
          if (states) colour(stages, states, ctx, workflowId!, facts)
        })
      : null
  const overall = h('div', { attrs: { 'data-section': 'workflow-status' } })
  let states: WorkflowStates | undefined
  if (workflowId !== null && ctx.canCall) {
    replace(overall, h('p', { class: 'muted', attrs: { 'aria-busy': 'true' } }, 'Loading job statuses…'))
    workflowStates(ctx, workflowId).then(
      (found) => {
        states = found
        replace(overall, statusBar(found.counts, 'All jobs by status'))
        colour(stages, found, ctx, workflowId, facts)
        stages.dataset.coloured = 'true'
      },
      (err: Error) => replace(overall, h('p', { class: 'muted' }, `Job statuses not available: ${err.message}`))
    )
  } else if (workflowId === null) {
    replace(overall, h('p', { class: 'muted' }, 'A plan of a spec not created yet: its jobs have no status.'))
  }
  return h(
    'article',
    { class: 'graph', attrs: { 'data-view-part': 'graph' } },
    h(
      'h1',
      null,
      'Job graph: ',
      h('span', { attrs: { 'data-field': 'name' } }, String(d.workflow_name ?? '')),
      workflowId === null ? null : h('span', { class: 'muted' }, ` (workflow ${workflowId})`)
    ),
    h(
      'p',
      null,
      h('span', { attrs: { 'data-field': 'total_jobs' } }, count(Number(d.total_jobs ?? 0))),
      ' jobs in ',
      h('span', { attrs: { 'data-field': 'total_events' } }, count(Number(d.total_events ?? events.length))),
      ' stages'
    ),
    overall,
    d.events_truncated
      ? h('p', { class: 'muted' }, `Only the first ${count(events.length)} stages fit one answer.`)
      : null,
    stages,
    rest
  )
}

/**
 * Colours every chip by its job's status, and gives each stage its status bar: exact when every job
 * of the stage is named, or when it is the one stage that is not (every job becomes ready in one
 * stage, so it holds the workflow's counts less the other stages'); else the named jobs', said so.
 */
function colour(stages: HTMLElement, states: WorkflowStates, ctx: ViewContext, workflowId: number, plan: PlanFacts) {
  const cards = [...stages.querySelectorAll<HTMLElement>('li.stage')]
  const tallies = cards.map((card) => {
    const counts: Record<string, number> = {}
    let known = 0
    for (const chip of card.querySelectorAll<HTMLElement>('li.chip')) {
      const state = states.of(chip.dataset.jobName!)
      if (!state) continue
      known++
      counts[state.status] = (counts[state.status] ?? 0) + 1
      paint(chip, state, ctx, workflowId)
    }
    return { counts, known, jobs: Number(card.dataset.jobCount) }
  })
  const inexact = tallies.filter((t) => t.known < t.jobs)
  const partition =
    plan.complete && cards.length === plan.events && tallies.reduce((n, t) => n + t.jobs, 0) === plan.jobs
  tallies.forEach((t, i) => {
    const holder = cards[i]!.querySelector('.stage-status')!
    if (t.known === t.jobs) replace(holder, statusBar(t.counts, 'Jobs of this stage by status'))
    else if (partition && inexact.length === 1)
      replace(holder, statusBar(remainder(states.counts, tallies, t), 'Jobs of this stage by status'))
    else if (t.known)
      replace(
        holder,
        statusBar(t.counts, `Status of the ${count(t.known)} jobs named here`),
        h('p', { class: 'muted' }, `Status of the ${count(t.known)} jobs named here, of ${count(t.jobs)}.`)
      )
  })
}

interface PlanFacts {
  /** Every event of the plan is in the answer. */
  complete: boolean
  events: number
  jobs: number
}

/** The workflow's counts less those of every other stage. */
function remainder(all: Record<string, number>, tallies: { counts: Record<string, number> }[], own: object) {
  const left = { ...all }
  for (const t of tallies) {
    if (t === own) continue
    for (const [status, n] of Object.entries(t.counts)) left[status] = (left[status] ?? 0) - n
  }
  return left
}

function paint(chip: HTMLElement, state: { id: number | null; status: string }, ctx: ViewContext, workflowId: number) {
  chip.dataset.status = state.status
  chip.classList.add(`st-${state.status}`)
  const jobId = state.id
  if (!FAILED.includes(state.status) || jobId === null || !ctx.canCall || chip.querySelector('button')) return
  const name = chip.dataset.jobName!
  chip.replaceChildren(
    button(name, () => openLogs(ctx, workflowId, jobId, name), {
      attrs: { 'aria-label': `${name} ${state.status}: open its logs`, title: 'Open its logs' },
    })
  )
}

/** A failed job's logs: its latest result says which run and attempt wrote them. */
async function openLogs(ctx: ViewContext, workflowId: number, jobId: number, name: string): Promise<void> {
  const job = await ctx.call('get_job_details', { job_id: jobId })
  const result = job.latest_result as { run_id: number; attempt_id: number | null } | null
  if (!result) throw new Error(`${name} has no result yet, so no logs`)
  await ctx.open('get_job_logs', logArgs(workflowId, { job_id: jobId, ...result }), true)
}
