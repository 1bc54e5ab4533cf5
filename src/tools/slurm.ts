/**
 * Slurm accounting for a workflow's allocations (the Rust get_slurm_sacct runs `torc -f json slurm
 * sacct <id>` on the login node). Here: the allocations Torc recorded, then squeue and sacct through
 * the login-node agent, turned into torc's summary rows (src/output/slurm.ts) with the exit codes
 * Slurm 22.05's JSON gets wrong read from sacct's parsable text. Without the agent: the per-job
 * Slurm statistics Torc stored (`/slurm_stats`), where its runners recorded them, else a plain
 * answer naming what is missing and the command to run.
 */
import { z } from 'zod'
import { ToolError } from '../errors.ts'
import { summaryRows } from '../output/slurm.ts'
import { defineTool } from '../registry.ts'
import { compiled } from '../validation/compiled.ts'
import { allocationSchema, loadAllocations, slurmNodes } from './allocations.ts'
import { readOnly, workflowId } from './fields.ts'
import { planAllocations } from './plan-allocations.ts'

const SlurmStatsSchema = compiled(
  'torc:SlurmStats',
  z
    .object({
      job_id: z.number().int(),
      run_id: z.number().int(),
      attempt_id: z.number().int(),
      slurm_job_id: z.string().nullish(),
      max_rss_bytes: z.number().nullish(),
      max_vm_size_bytes: z.number().nullish(),
      ave_cpu_seconds: z.number().nullish(),
      node_list: z.string().nullish(),
    })
    .loose()
)

const row = z.object({
  slurm_job_id: z.string().describe('Slurm job id of the allocation.'),
  job_step: z.string().describe('Step name: batch, extern, or the srun step of a Torc job (wf<W>_j<J>_r<R>_a<A>).'),
  state: z.string().describe('Slurm state, e.g. COMPLETED, FAILED, OUT_OF_MEMORY, TIMEOUT, CANCELLED.'),
  exit_code: z.string().describe('"code:signal", from sacct\'s parsable text (the JSON reports 0 in Slurm 22.05).'),
  elapsed: z.string().describe('Elapsed time, as torc prints it ("45s", "2m 5s", "1h 3m").'),
  max_rss: z.string().describe('Peak memory (MaxRSS), e.g. "304.0MB"; "-" when Slurm has none.'),
  cpu_time: z.string().describe('CPU time used.'),
  nodes: z.string().describe('Nodes it ran on.'),
})

const MAX_ROWS = 2000
const sacctCommand = (id: number) => `torc -f json slurm sacct ${id}`

export const getSlurmSacct = defineTool({
  name: 'get_slurm_sacct',
  title: 'Get Slurm accounting',
  description:
    "Slurm accounting (sacct) for all of a workflow's Slurm allocations: state, exit code, elapsed time, max " +
    'RSS, CPU time and nodes per job step, and each allocation queued, running or finished. Live through the ' +
    "login-node agent; without it, Torc's stored Slurm statistics. Use it to diagnose Slurm-level failures.",
  input: z.object({ workflow_id: workflowId }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    total_slurm_jobs: z.number().int().describe('Slurm allocations Torc recorded for the workflow.'),
    summary: z.array(row).describe("One row per job step (torc slurm sacct's summary), live from sacct."),
    summary_truncated: z.boolean().describe('More rows than fit one answer were left out.'),
    errors: z.array(z.string()).describe('What failed while asking Slurm.'),
    source: z
      .enum(['sacct', 'torc_slurm_stats', 'none'])
      .describe("Where the numbers come from: live sacct, Torc's stored statistics, or nothing."),
    allocations: z.array(allocationSchema).describe('Each allocation and its state (newest first, at most 200).'),
    total_walltime_seconds: z
      .number()
      .int()
      .nullable()
      .describe('Elapsed time of all allocations together (sacct), when known.'),
    slurm_stats: z
      .array(
        z.object({
          job_id: z.number().int().describe('Torc job.'),
          run_id: z.number().int().describe('Run.'),
          attempt_id: z.number().int().describe('Attempt.'),
          slurm_job_id: z.string().nullable().describe('Allocation it ran in.'),
          max_rss_bytes: z.number().nullable().describe('Peak memory in bytes.'),
          ave_cpu_seconds: z.number().nullable().describe('Average CPU seconds.'),
          node_list: z.string().nullable().describe('Nodes.'),
        })
      )
      .describe("Torc's stored per-job Slurm statistics (when there is no live sacct)."),
    note: z.string().describe('How to read this answer, and what to run on a login node when something is missing.'),
    command: z.string().describe('The equivalent command on a login node.'),
  }),
  annotations: { ...readOnly, openWorldHint: true },
  async handler({ workflow_id: id }, ctx) {
    const nodes = await slurmNodes(ctx.torc, id)
    const base = {
      workflow_id: id,
      total_slurm_jobs: nodes.length,
      summary: [] as z.input<typeof row>[],
      summary_truncated: false,
      errors: [] as string[],
      allocations: [] as z.input<typeof allocationSchema>[],
      total_walltime_seconds: null,
      slurm_stats: [],
      command: sacctCommand(id),
    }
    if (!nodes.length)
      return {
        ...base,
        source: 'none' as const,
        note: `No Slurm scheduled compute nodes found for workflow ${id}: it has no Slurm allocations (yet).`,
      }
    const loaded = await loadAllocations(ctx, id, nodes)
    const allocations = loaded.allocations.slice(0, 200)
    if (loaded.live && loaded.view) {
      const { view } = loaded
      const rows = nodes.flatMap((n) => summaryRows(view.json, String(n.scheduler_id), view.accounting))
      const walltime = nodes
        .map((n) => view.accounting.get(String(n.scheduler_id))?.elapsed_seconds)
        .filter((s): s is number => typeof s === 'number')
      const unknown = nodes.filter(
        (n) => !view.accounting.has(String(n.scheduler_id)) && !view.queued.has(String(n.scheduler_id))
      )
      return {
        ...base,
        summary: rows.slice(0, MAX_ROWS),
        summary_truncated: rows.length > MAX_ROWS,
        errors: view.errors,
        source: 'sacct' as const,
        allocations,
        total_walltime_seconds: walltime.length ? walltime.reduce((a, b) => a + b, 0) : null,
        note:
          'Live from squeue and sacct on the cluster. Exit codes are sacct\'s parsable text ("code:signal"), which ' +
          "Slurm 22.05's JSON (and so torc's own summary) reports as 0:0." +
          (unknown.length ? ` Slurm knows nothing of ${unknown.length} allocation(s) (purged from accounting?).` : ''),
      }
    }
    // Without them the answer still has the allocations; it says why the statistics are missing.
    let unread: string | null = null
    const stats = await ctx.torc.list('/slurm_stats', SlurmStatsSchema, { workflow_id: id }).catch((err: unknown) => {
      if (!(err instanceof ToolError)) throw err
      unread = err.message
      return { items: [] }
    })
    const slurm_stats = stats.items.slice(0, MAX_ROWS).map((s) => ({
      job_id: s.job_id,
      run_id: s.run_id,
      attempt_id: s.attempt_id,
      slurm_job_id: s.slurm_job_id ?? null,
      max_rss_bytes: s.max_rss_bytes ?? null,
      ave_cpu_seconds: s.ave_cpu_seconds ?? null,
      node_list: s.node_list ?? null,
    }))
    const missing = `Live sacct needs the login-node agent: ${loaded.note ?? 'it is not available'}.`
    const stored = unread
      ? `Torc's stored Slurm statistics could not be read (${unread}).`
      : `Torc stored no Slurm statistics for workflow ${id} either.`
    return {
      ...base,
      source: slurm_stats.length ? ('torc_slurm_stats' as const) : ('none' as const),
      allocations,
      slurm_stats,
      note: slurm_stats.length
        ? `${missing} Shown instead: the Slurm statistics Torc's runners stored per job (no states or exit codes). ` +
          `For the full accounting run on a login node: \`${sacctCommand(id)}\`.`
        : `${missing} ${stored} Run on a login node: ` +
          `\`${sacctCommand(id)}\` (or \`sacct -j ${nodes
            .slice(0, 20)
            .map((n) => n.scheduler_id)
            .join(',')} -P -o JobID,JobName,State,ExitCode,Elapsed,MaxRSS\`).`,
    }
  },
  summarize: (out) =>
    `${out.total_slurm_jobs} Slurm allocation(s) of workflow ` +
    `${out.workflow_id}: ${out.summary.length} step row(s) (${out.source})`,
})

export const slurmTools = [getSlurmSacct, planAllocations]
