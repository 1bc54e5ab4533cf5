/**
 * What create_workflow and get_execution_plan answer, shaped to fit a client's answer size: torc
 * 1.0.0's plan and validation summary, with every list of job names cut to MAX_NAMES (its full
 * length alongside) and the events cut to fit, so a 10,000-job workflow stays a readable answer.
 */
import { z } from 'zod'
import type { ExecutionEvent } from '../workflow-spec/events.ts'
import type { ValidationSummary } from '../workflow-spec/index.ts'
import { fitItems } from './fields.ts'

/** Job names listed per list; `<list>_count` says how many there are. */
export const MAX_NAMES = 50
/** Characters of JSON the events may take (GPT Actions take 100,000 in all). */
const EVENTS_BUDGET = 60_000
const ERRORS_LISTED = 50

const names = (what: string) => z.array(z.string()).describe(`${what} (at most ${MAX_NAMES}; see the count).`)
const count = (what: string) => z.number().int().describe(`(torc-edge) How many ${what} there are in all.`)

export const eventSchema = z.object({
  id: z.string().describe('Event id, e.g. "start" or "after_preprocess".'),
  trigger: z
    .object({
      type: z.enum(['WorkflowStart', 'JobsComplete']).describe('What fires the event.'),
      data: z
        .object({ jobs: names('Jobs whose completion fires it'), job_count: count('jobs fire it') })
        .optional()
        .describe('For JobsComplete: the jobs that must complete.'),
    })
    .describe('The trigger, as torc prints it.'),
  trigger_description: z.string().describe('The trigger in words.'),
  scheduler_allocations: z
    .array(
      z.object({
        scheduler: z.string().describe('Slurm scheduler name.'),
        scheduler_type: z.string().describe('Scheduler type, e.g. "slurm".'),
        num_allocations: z.number().int().describe('Allocations requested.'),
        jobs: names('Jobs they serve'),
        job_count: count('jobs they serve'),
      })
    )
    .describe('Slurm allocations the event requests.'),
  jobs_becoming_ready: names('Jobs the event makes ready'),
  jobs_becoming_ready_count: count('jobs become ready'),
  depends_on_events: z.array(z.string()).describe('Events that must happen first.'),
  unlocks_events: z.array(z.string()).describe('Events waiting for this one.'),
})

const cut = (list: readonly string[]) => list.slice(0, MAX_NAMES)

function shortEvent(e: ExecutionEvent): z.input<typeof eventSchema> {
  return {
    id: e.id,
    trigger:
      e.trigger.type === 'JobsComplete'
        ? { type: 'JobsComplete', data: { jobs: cut(e.trigger.data.jobs), job_count: e.trigger.data.jobs.length } }
        : { type: 'WorkflowStart' },
    trigger_description: e.trigger_description,
    scheduler_allocations: e.scheduler_allocations.map((a) => ({ ...a, jobs: cut(a.jobs), job_count: a.jobs.length })),
    jobs_becoming_ready: cut(e.jobs_becoming_ready),
    jobs_becoming_ready_count: e.jobs_becoming_ready.length,
    depends_on_events: e.depends_on_events,
    unlocks_events: e.unlocks_events,
  }
}

/** The plan's events in order, shortened, as many as fit. */
export function shortEvents(events: readonly ExecutionEvent[]): {
  events: z.input<typeof eventSchema>[]
  events_truncated: boolean
} {
  const kept = fitItems(events.map(shortEvent), EVENTS_BUDGET)
  return { events: kept, events_truncated: kept.length < events.length }
}

export const summarySchema = z.object({
  workflow_name: z.string().describe('Workflow name.'),
  workflow_description: z.string().nullable().describe('Its description.'),
  job_count: z.number().int().describe('Jobs after parameter expansion.'),
  job_count_before_expansion: z.number().int().describe('Job entries in the spec.'),
  file_count: z.number().int().describe('Files after expansion.'),
  file_count_before_expansion: z.number().int().describe('File entries in the spec.'),
  user_data_count: z.number().int().describe('User data entries.'),
  resource_requirements_count: z.number().int().describe('Resource requirements.'),
  slurm_scheduler_count: z.number().int().describe('Slurm schedulers.'),
  action_count: z.number().int().describe('Workflow actions.'),
  has_schedule_nodes_action: z.boolean().describe('Some action requests Slurm allocations.'),
  job_names: names('Job names, in spec order'),
  job_names_count: count('jobs'),
  scheduler_names: z.array(z.string()).describe('Slurm scheduler names.'),
})

export function shortSummary(s: ValidationSummary): z.input<typeof summarySchema> {
  return { ...s, job_names: cut(s.job_names), job_names_count: s.job_names.length }
}

/** The first ERRORS_LISTED messages, and a last line saying how many more there are. */
export function shortMessages(messages: readonly string[]): string[] {
  if (messages.length <= ERRORS_LISTED) return [...messages]
  return [...messages.slice(0, ERRORS_LISTED), `… and ${messages.length - ERRORS_LISTED} more`]
}
