/**
 * Offline-drain journals (torc 1.0.0 client/offline_journal.rs): a runner that loses the server
 * records completions in SQLite files offline_results_wf<W>_r<R>_<label>.db; they reach Torc only
 * when `torc workflows reconcile` replays them. check_offline_journals (Rust name and parameters)
 * reads them through the site server (GET /v1/workflows/:id/journals, counted there);
 * reconcile_offline_journals replays them through the login-node agent once the user confirms.
 */
import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { ToolError } from '../errors.ts'
import { defineTool, type ToolContext } from '../registry.ts'
import type { AgentInfo, Journal } from '../site-protocol/actions.ts'
import { WorkflowSchema, WorkflowStatusSchema } from '../torc/schemas.ts'
import { actionFailed, agentInfo, clusterText, onCluster, shellWord, unavailable } from './cluster.ts'
import { readOnly, torcId, workflowId } from './fields.ts'
import { requireOutput } from './output-access.ts'

const journalSchema = z.object({
  path: z.string().describe('Relative to the output directory.'),
  run_id: z.number().int().describe('Run it was written in.'),
  label: z.string().describe('The runner that wrote it (host, Slurm job).'),
  completions: z.number().int().nullable().describe('Completions waiting to be replayed; null when unreadable.'),
  error: z.string().nullable().describe('Why it could not be read.'),
})

const baseDirOf = (info: AgentInfo | undefined) => info?.root ?? '<output directory>'
export const reconcileCommand = (wf: number, run: number, info: AgentInfo | undefined) =>
  `torc workflows reconcile ${wf} ${run} --base-dir ${info ? shellWord(info.root) : '<output directory>'}`

async function journalsOf(ctx: ToolContext, wf: number, requested: number | undefined) {
  const output = requireOutput(ctx)
  const [workflow, listing, info] = await Promise.all([
    ctx.torc.get(`/workflows/${wf}`, WorkflowSchema),
    output.journals(wf),
    agentInfo(ctx),
  ])
  const run = requested ?? workflow.run_id ?? null
  const view = (j: Journal) => ({
    path: j.path,
    run_id: j.run_id,
    label: j.label,
    completions: j.completions,
    error: j.error,
  })
  const current = listing.journals.filter((j) => j.run_id === run).map(view)
  const superseded = listing.journals.filter((j) => j.run_id !== run).map(view)
  const pending = current.reduce((n, j) => n + (j.completions ?? 0), 0)
  const unreadable = current.filter((j) => j.completions === null).length
  return { run, info, current, superseded, pending, unreadable, truncated: listing.truncated }
}

export const checkOfflineJournals = defineTool({
  name: 'check_offline_journals',
  title: 'Check offline journals',
  description:
    "Find a workflow's offline-drain journals (completions a runner recorded while it could not reach the " +
    'server) and say whether `torc workflows reconcile` is needed. Call it when jobs ran but show as ' +
    'not completed, or after a server outage. base_dir is not used remotely: the output directory the ' +
    'site serves is searched.',
  input: z.object({
    workflow_id: workflowId,
    run_id: torcId("Run to match journals against (default: the workflow's current run).").optional(),
    base_dir: z
      .string()
      .max(1000)
      .optional()
      .describe('Not used remotely: journals are read from the output directory the site server serves.'),
  }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    run_id: z.number().int().nullable().describe('Run matched (null: the workflow has not run).'),
    base_dir: z.string().describe('The output directory searched, as the login node names it.'),
    journals_found: z.number().int().describe('Journals of that run.'),
    total_pending_completions: z.number().int().describe('Completions in them waiting to be replayed.'),
    unreadable_journals: z.number().int().describe('Journals that could not be read (contents unknown).'),
    journals: z.array(journalSchema).describe("The run's journals."),
    superseded_journals: z
      .array(journalSchema)
      .describe('Journals of other runs: reconcile rejects completions of a superseded run.'),
    reconcile_needed: z.boolean().describe('Completions wait (or a journal is unreadable).'),
    reconcile_command: z.string().nullable().describe('What replays them on a login node.'),
    summary: z.string().describe('One paragraph for the user.'),
    recommendation: z.array(z.string()).describe('What to do, in order.'),
  }),
  annotations: readOnly,
  async handler({ workflow_id: wf, run_id }, ctx) {
    const found = await journalsOf(ctx, wf, run_id)
    const base = {
      workflow_id: wf,
      run_id: found.run,
      base_dir: baseDirOf(found.info),
      journals_found: found.current.length,
      total_pending_completions: found.pending,
      unreadable_journals: found.unreadable,
      journals: found.current,
      superseded_journals: found.superseded,
    }
    const cut = found.truncated ? ' (the search stopped at its cap: some journals may be missing)' : ''
    if (found.run === null)
      return {
        ...base,
        reconcile_needed: false,
        reconcile_command: null,
        summary: `Workflow ${wf} has not run yet (no run_id): there are no offline-drain journals to reconcile.`,
        recommendation: [],
      }
    const needed = found.pending > 0 || found.unreadable > 0
    const superseded = found.superseded.length
      ? ` ${found.superseded.length} journal(s) of other runs are superseded: reconcile would reject them.`
      : ''
    if (!needed)
      return {
        ...base,
        reconcile_needed: false,
        reconcile_command: null,
        summary:
          (found.current.length
            ? `Found ${found.current.length} offline-drain journal(s) for run ` +
              `${found.run}, all empty (already flushed). No reconcile needed.`
            : `No offline-drain journals for workflow ${wf} run ` +
              `${found.run} under the output directory. No reconcile needed.`) +
          superseded +
          cut,
        recommendation: [],
      }
    const command = reconcileCommand(wf, found.run, found.info)
    const canRun = !unavailable(ctx, found.info, 'reconcile')
    return {
      ...base,
      reconcile_needed: true,
      reconcile_command: command,
      summary:
        `Found ${found.current.length} offline-drain journal(s) with ${found.pending} ` +
        `pending completion(s) for workflow ${wf} run ${found.run}: jobs finished ` +
        `while their runner could not reach the server, and Torc does not know yet.` +
        superseded +
        cut,
      recommendation: [
        'Tell the user how many journals and pending completions were found.',
        canRun
          ? 'Ask the user to confirm, then replay them with reconcile_offline_journals (it previews first).'
          : `Ask the user to confirm, then have them run on a login node: ${command}`,
        'Reconcile is idempotent: the server rejects completions of a superseded run.',
        "Do not reconcile without the user's confirmation.",
      ],
    }
  },
  summarize: (out) =>
    out.reconcile_needed
      ? `${out.total_pending_completions} pending completion(s) in ${out.journals_found} journal(s): reconcile needed`
      : `no reconcile needed for workflow ${out.workflow_id}`,
})

export const reconcileOfflineJournals = defineChange({
  name: 'reconcile_offline_journals',
  title: 'Reconcile offline journals',
  description:
    "Replay a workflow run's offline-drain journals into Torc on the login node (`torc workflows reconcile`, " +
    'through the agent), after check_offline_journals found pending completions and the user agreed. Previews ' +
    'first; returns what torc reported and the job counts after.',
  kind: 'rj',
  input: z.object({
    workflow_id: workflowId,
    run_id: torcId('Run whose journals to replay (default: the current run).').optional(),
  }),
  preview: {
    workflow_id: z.number().int().describe('Workflow id.'),
    run_id: z.number().int().describe('Run replayed.'),
    journals: z.array(journalSchema).describe("The run's journals."),
    total_pending_completions: z.number().int().describe('Completions to replay.'),
    command: z.string().describe('What runs on the login node.'),
  },
  applied: z.object({
    output: z.string().describe("torc's report (its last lines)."),
    jobs_by_status_after: z.record(z.string(), z.number().int()).describe('Job counts after.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  scope: ({ workflow_id }) => `workflow:${workflow_id}`,
  async plan({ workflow_id: wf, run_id }, ctx) {
    const found = await journalsOf(ctx, wf, run_id)
    const run = found.run ?? 0
    const blockers: string[] = []
    if (found.run === null) blockers.push(`workflow ${wf} has not run yet: there is nothing to reconcile.`)
    else if (!found.pending && !found.unreadable) blockers.push(`no pending completions in run ${run}'s journals.`)
    const why = unavailable(ctx, found.info, 'reconcile')
    const command = reconcileCommand(wf, run, found.info)
    if (why) blockers.push(`cannot reconcile from here: ${why}. On a login node: \`${command}\`.`)
    return {
      snapshot: { workflow_id: wf, run_id: run },
      basis: { journals: found.current.map((j) => [j.path, j.completions]) },
      fields: {
        workflow_id: wf,
        run_id: run,
        journals: found.current,
        total_pending_completions: found.pending,
        command,
      },
      blockers,
    }
  },
  async apply(plan, ctx, steps) {
    const outcome = await steps.step('replay the journals on the login node', async () => {
      const done = await onCluster(ctx, 'reconcile', { workflow_id: plan.workflow_id, run_id: plan.run_id })
      if (!done.ran) throw new ToolError('upstream_unavailable', done.why)
      const run = done.result.runs[0]!
      if (run.exit_code !== 0) throw actionFailed('reconcile', run)
      return run
    })
    const status = await ctx.torc.get(`/workflows/${plan.workflow_id}/status`, WorkflowStatusSchema)
    const lines = `${outcome.stdout}\n${outcome.stderr}`.trim().split('\n').slice(-5).join(' ')
    return { output: clusterText(lines), jobs_by_status_after: { ...status.jobs_by_status } }
  },
  done: (applied, plan) =>
    `Replayed the journals of workflow ${plan.workflow_id} run ` +
    `${plan.run_id} on the login node: ${applied.output || 'done'}. ` +
    'check_offline_journals shows what is left.',
  summarize: (out) =>
    `${out.status}: reconcile ${out.total_pending_completions} completion(s) of workflow ${out.workflow_id}`,
})

export const journalTools = [checkOfflineJournals, reconcileOfflineJournals]
