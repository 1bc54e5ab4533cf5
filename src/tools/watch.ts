/**
 * Watching from the edge (issue 15): `torc watch --recover` without a process on the login node.
 * watch_workflow and unwatch_workflow are changes like every write (preview, then apply once);
 * list_watches and get_watch read D1. The checks themselves run on the cron tick (src/watch/tick.ts).
 */
import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { canonical } from '../changes/plan-id.ts'
import { ToolError } from '../errors.ts'
import { defineTool, type ToolContext } from '../registry.ts'
import { WorkflowStatusSchema } from '../torc/schemas.ts'
import { policyShape, resolvePolicy, type StoredPolicy } from '../watch/policy.ts'
import { historyEvent, historyOf, policyOutput, summarizeWatch, watchSummary } from '../watch/schemas.ts'
import { WATCH_STATES, type Watch, type WatchStore } from '../watch/store.ts'
import { limit, offset, pageInfo, readOnly, torcId, workflowId } from './fields.ts'

const CADENCE = "on every run of the deployment's cron trigger (every minute by default)"

function storeOf(ctx: ToolContext): WatchStore {
  if (!ctx.watches)
    throw new ToolError(
      'internal',
      'watches are not set up on this deployment: its WATCHES D1 binding is missing (wrangler.toml)'
    )
  return ctx.watches
}

const watchId = torcId('Watch id (from watch_workflow or list_watches).')

/** The watch a call names: by watch_id, else the workflow's active (or latest) watch. */
async function findWatch(ctx: ToolContext, input: { watch_id?: number | undefined; workflow_id?: number | undefined }) {
  const store = storeOf(ctx)
  if (input.watch_id === undefined && input.workflow_id === undefined)
    throw new ToolError('invalid_input', 'invalid input: give watch_id or workflow_id')
  const watch =
    input.watch_id !== undefined ? await store.get(input.watch_id) : await store.latestFor(input.workflow_id!)
  if (!watch)
    throw new ToolError(
      'not_found',
      input.watch_id !== undefined ? `watch ${input.watch_id} not found` : `workflow ${input.workflow_id} has no watch`
    )
  return watch
}

/** Key order aside: the stored policy comes back from D1 in its schema's order. */
const samePolicy = (a: StoredPolicy, b: StoredPolicy) => canonical(a) === canonical(b)

export const watchWorkflow = defineChange({
  name: 'watch_workflow',
  title: 'Watch workflow',
  description:
    'Watch a workflow unattended, like `torc watch --recover`: when it finishes with OOM or timeout failures, ' +
    "recover them (recover_workflow's diagnosis and plan, up to max_retries), resubmit through the login-node agent, " +
    'reschedule stranded jobs, and notify the named webhook destinations on completion, failure, each recovery and ' +
    'giving up. Previews first; returns the watch id.',
  kind: 'wa',
  input: z.object({ workflow_id: workflowId, ...policyShape }),
  preview: {
    workflow_id: z.number().int().describe('Workflow id.'),
    workflow_name: z.string().describe('Workflow name.'),
    total_jobs: z.number().int().describe('Jobs in the workflow.'),
    policy: policyOutput,
    checked: z.string().describe('When the watch checks the workflow.'),
    notes: z.array(z.string()).describe('What to know before starting it (no agent, no destinations).'),
  },
  applied: z.object({
    watch_id: z.number().int().describe('The watch (get_watch shows its history).'),
    state: z.enum(WATCH_STATES).describe('Its state.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  scope: ({ workflow_id }) => `workflow:${workflow_id}`,
  record: ({ workflow_id, ...policy }) => {
    // Valid input again (a resumed plan's confirm sends these): an unset multiplier is left out, not null.
    const { memory_multiplier, runtime_multiplier, ...rest } = resolvePolicy(policy)
    return {
      workflow_id,
      ...rest,
      ...(memory_multiplier === null ? {} : { memory_multiplier }),
      ...(runtime_multiplier === null ? {} : { runtime_multiplier }),
    }
  },
  async plan(input, ctx) {
    const { workflow_id: id, ...chosen } = input
    const policy = resolvePolicy(chosen)
    const configured = ctx.config.TORC_EDGE_WEBHOOKS.map((h) => h.name)
    const unknown = policy.destinations.filter((d) => !configured.includes(d))
    if (unknown.length)
      throw new ToolError(
        'invalid_input',
        `invalid input: destinations: ${unknown.join(', ')} not configured; ` +
          (configured.length
            ? `the operator configured: ${configured.join(', ')}`
            : 'the operator configured none (TORC_EDGE_WEBHOOKS)')
      )
    const status = await ctx.torc.get(`/workflows/${id}/status`, WorkflowStatusSchema)
    const blockers: string[] = []
    const [existing, latest] = ctx.watches
      ? await Promise.all([ctx.watches.activeFor(id), ctx.watches.latestFor(id)])
      : [null, null]
    if (!ctx.watches) blockers.push('watches are not set up on this deployment (its WATCHES D1 binding is missing).')
    if (existing)
      blockers.push(
        `workflow ${id} is already watched (watch ${existing.id}): unwatch_workflow it first to change the policy.`
      )
    if (policy.destinations.length && !ctx.config.TORC_EDGE_WEBHOOK_SECRET)
      blockers.push('notifications are signed, and TORC_EDGE_WEBHOOK_SECRET is not set: ask the operator to set it.')
    const notes: string[] = []
    if (!policy.destinations.length) notes.push('No destinations: nothing is notified; get_watch shows what happened.')
    if ((policy.resubmit || policy.auto_schedule) && !ctx.agent)
      notes.push(
        'No login-node agent is configured: after a recovery the history says which command to run on the cluster.'
      )
    return {
      snapshot: { workflow_id: id, policy, owner: ctx.caller.id, workflow_name: status.workflow_name },
      // The latest watch too: watching again after an unwatch is a new plan, not one "already applied".
      basis: { existing: existing?.id ?? null, latest: latest?.id ?? null },
      fields: {
        workflow_id: id,
        workflow_name: status.workflow_name,
        // Not the job counts: they move while jobs run, and the plan_id covers what the preview shows.
        total_jobs: status.total_jobs,
        policy,
        checked: CADENCE,
        notes,
      },
      blockers,
    }
  },
  async apply(plan, ctx, steps) {
    const store = storeOf(ctx)
    const existing = await store.activeFor(plan.workflow_id)
    // Converges: the watch this plan started (same policy and owner) is the answer of applying it again.
    if (existing && samePolicy(existing.policy, plan.policy) && existing.owner === plan.owner)
      return { watch_id: existing.id, state: existing.state }
    const created = await steps.step('started the watch', () => store.create({ ...plan, now: Date.now() }))
    if (!created) throw new ToolError('conflict', `workflow ${plan.workflow_id} is already watched: preview again`)
    return { watch_id: created.id, state: created.state }
  },
  done: (applied, plan) =>
    `Watching workflow ${plan.workflow_id} as watch ${applied.watch_id}, ${CADENCE}. get_watch shows every check, ` +
    'diagnosis, change and notification; unwatch_workflow stops it.',
  summarize: (out) => `${out.status}: watch workflow ${out.workflow_id}`,
})

export const unwatchWorkflow = defineChange({
  name: 'unwatch_workflow',
  title: 'Stop watching workflow',
  description:
    'Stop a watch (by watch_id, or the workflow_id it watches): no more checks, recoveries or notifications. ' +
    'The workflow itself is not touched and its history stays (get_watch). Previews first.',
  kind: 'uw',
  input: z.object({
    watch_id: watchId.optional(),
    workflow_id: workflowId.optional(),
  }),
  preview: { watch: watchSummary.describe('The watch to stop.') },
  applied: z.object({ stopped: z.boolean().describe('It was active and is now stopped.') }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async scope(input, ctx) {
    return `workflow:${(await findWatch(ctx, input)).workflow_id}`
  },
  async plan(input, ctx) {
    const watch: Watch = await findWatch(ctx, input)
    const blockers = watch.state === 'active' ? [] : [`watch ${watch.id} already ended (${watch.state}).`]
    return {
      snapshot: { watch_id: watch.id },
      basis: { state: watch.state },
      fields: { watch: summarizeWatch(watch) },
      blockers,
    }
  },
  async apply({ watch_id }, ctx, steps) {
    const stopped = await steps.step('stopped the watch', () =>
      storeOf(ctx).stop(watch_id, 'unwatched', ctx.caller.id, Date.now())
    )
    return { stopped }
  },
  done: (_applied, { watch_id }) => `Watch ${watch_id} is stopped; its history stays (get_watch).`,
})

export const listWatches = defineTool({
  name: 'list_watches',
  title: 'List watches',
  description:
    "List this deployment's watches, newest first: workflow, state, recoveries used of max_retries, the last check's " +
    'job counts. Filter by state or workflow_id.',
  input: z.object({
    state: z.enum(WATCH_STATES).optional().describe('Only watches in this state.'),
    workflow_id: workflowId.optional(),
    limit: limit(20, 100),
    offset,
  }),
  output: z.object({ ...pageInfo, watches: z.array(watchSummary).describe('The watches on this page.') }),
  annotations: readOnly,
  async handler(input, ctx) {
    const { items, total } = await storeOf(ctx).list(input)
    return {
      total,
      offset: input.offset,
      count: items.length,
      has_more: input.offset + items.length < total,
      size_limited: false,
      watches: items.map(summarizeWatch),
    }
  },
})

export const getWatch = defineTool({
  name: 'get_watch',
  title: 'Get watch',
  description:
    'Show a watch (by watch_id, or the workflow_id it watches) and its history, oldest first: every check, ' +
    'diagnosis, change applied and notification sent, with delivery attempts. Page with after.',
  input: z.object({
    watch_id: watchId.optional(),
    workflow_id: workflowId.optional(),
    after: z.number().int().min(0).default(0).describe('Only events after this event id (default 0: from the start).'),
    limit: limit(50, 200),
  }),
  output: z.object({
    watch: watchSummary.describe('The watch: workflow, state, recoveries used, last check.'),
    policy: policyOutput,
    history: z.array(historyEvent).describe('Events, oldest first.'),
    history_total: z.number().int().describe('Events recorded in all.'),
    has_more: z.boolean().describe('More events follow: call again with after = the last id.'),
  }),
  annotations: readOnly,
  async handler(input, ctx) {
    const watch = await findWatch(ctx, input)
    const { items, total } = await storeOf(ctx).events(watch.id, { after: input.after, limit: input.limit + 1 })
    return {
      watch: summarizeWatch(watch),
      policy: watch.policy,
      history: items.slice(0, input.limit).map(historyOf),
      history_total: total,
      has_more: items.length > input.limit,
    }
  },
})

export const watchTools = [watchWorkflow, listWatches, getWatch, unwatchWorkflow]
