/**
 * The login-node agent's contract (site/actions/*): the allow-listed cluster actions the Worker may
 * ask for, what each takes, and what it answers. Every field that reaches a command line is
 * validated here, on both sides: ids are positive integers, names come from a small character set
 * and never start with `-`, so nothing a caller sends can become an option or a second command.
 *
 *   POST /v1/actions/<name>   JSON body (the action's input)   Authorization: Bearer <action token>
 *   GET  /v1/info                                              Authorization: Bearer <read token>
 */
import { z } from 'zod'

/** Every action the agent knows, in the order docs/agent.md lists them. Each is enabled by `--allow`. */
export const ACTION_NAMES = [
  'submit',
  'sacct',
  'probe',
  'cancel',
  'regenerate',
  'reconcile',
  'run',
  'partitions',
] as const
export const ActionNameSchema = z.enum(ACTION_NAMES)
export type ActionName = z.output<typeof ActionNameSchema>

/** What each action runs, in words (the agent's /v1/info and docs/agent.md say the same). */
export const ACTION_COMMANDS: Record<ActionName, string> = {
  submit: 'torc submit <workflow> (or torc slurm schedule-nodes <workflow> for one scheduler)',
  sacct: 'squeue and sacct (JSON and parsable text) for Slurm job ids',
  probe: 'torc slurm plan-allocations (sbatch --test-only probes) for a spec',
  cancel: 'torc cancel <workflow> (cancels it and scancels its allocations)',
  regenerate: 'torc slurm regenerate <workflow> --submit',
  reconcile: 'torc workflows reconcile <workflow> <run> --base-dir <output root>',
  run: 'torc run <workflow> -o <output root>, in the background',
  partitions: 'torc hpc show <profile> (the dynamic `slurm` profile by default)',
}

/** An id as the agent accepts it: a positive integer, so its decimal text never starts with `-`. */
export const ActionId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER)

export const MAX_NAME_LENGTH = 64
/**
 * A Slurm account, partition or HPC profile name: ASCII letters, digits, `_`, `.`, `-`, starting
 * with a letter, digit or `_` (never `-`: it would read as an option), at most 64 characters.
 */
export const ClusterName = z
  .string()
  .min(1)
  .max(MAX_NAME_LENGTH, `at most ${MAX_NAME_LENGTH} characters`)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'only letters, digits, "_", "." and "-", not starting with "-"')

/** Slurm job ids one sacct action covers (a workflow's allocations). */
export const MAX_SACCT_JOBS = 1000
/** Characters of a spec the probe action writes to its temporary file. */
export const MAX_PROBE_SPEC = 1_000_000

export const ActionInputSchemas = {
  submit: z
    .object({
      workflow_id: ActionId,
      /** With it: `torc slurm schedule-nodes` for this scheduler; without: `torc submit`. */
      scheduler_id: ActionId.optional(),
      num_allocations: z.number().int().min(1).max(100).optional(),
    })
    .strict(),
  sacct: z.object({ slurm_job_ids: z.array(ActionId).min(1).max(MAX_SACCT_JOBS) }).strict(),
  probe: z
    .object({
      spec: z
        .record(z.string(), z.unknown())
        .refine((s) => JSON.stringify(s).length <= MAX_PROBE_SPEC, `at most ${MAX_PROBE_SPEC} characters as JSON`),
      account: ClusterName,
      partition: ClusterName.optional(),
      profile: ClusterName.optional(),
      skip_test_only: z.boolean().default(false),
    })
    .strict(),
  cancel: z.object({ workflow_id: ActionId }).strict(),
  regenerate: z
    .object({
      workflow_id: ActionId,
      account: ClusterName.optional(),
      partition: ClusterName.optional(),
      profile: ClusterName.optional(),
    })
    .strict(),
  reconcile: z.object({ workflow_id: ActionId, run_id: ActionId }).strict(),
  run: z.object({ workflow_id: ActionId }).strict(),
  partitions: z.object({ profile: ClusterName.default('slurm') }).strict(),
} as const satisfies Record<ActionName, z.ZodType>

export type ActionInput<N extends ActionName> = z.input<(typeof ActionInputSchemas)[N]>
export type ParsedActionInput<N extends ActionName> = z.output<(typeof ActionInputSchemas)[N]>

/** One command the agent ran. `argv` shows the torc-server URL as `<torc-url>`. */
export const CommandRunSchema = z.object({
  argv: z.array(z.string()),
  /** Null when it did not exit normally (killed, or could not start: see error). */
  exit_code: z.number().int().nullable(),
  signal: z.string().nullable(),
  /** Killed (with its process group) at the action's timeout. */
  timed_out: z.boolean(),
  /** Its output passed the action's cap: stdout keeps the first bytes, stderr the last, and it was killed. */
  output_capped: z.boolean(),
  duration_ms: z.number().int().min(0),
  stdout: z.string(),
  stderr: z.string(),
  /** Why it could not start (e.g. `torc` not on PATH), else null. */
  error: z.string().nullable(),
})
export type CommandRun = z.output<typeof CommandRunSchema>

/** A command started in the background (the `run` action): still running when the agent answered. */
export const BackgroundSchema = z.object({
  pid: z.number().int(),
  /** The agent had already started one for this workflow, and it is still running. */
  already_running: z.boolean(),
  started_at: z.string(),
})

export const ActionResultSchema = z.object({
  action: ActionNameSchema,
  /** Every command exited 0 (or the background command is running). */
  ok: z.boolean(),
  runs: z.array(CommandRunSchema),
  background: BackgroundSchema.nullable(),
  timeout_ms: z.number().int(),
})
export type ActionResult = z.output<typeof ActionResultSchema>

/** GET /v1/info: where the agent writes and what it may do, so the Worker can print exact commands. */
export const AgentInfoSchema = z.object({
  /** The output directory the site serves, as the login node sees it (`torc run <id> -o <root>`). */
  root: z.string(),
  /** Where actions run (jobs' relative paths resolve here). */
  workdir: z.string(),
  /** Actions enabled with --allow (empty: none). */
  actions: z.array(ActionNameSchema),
  /** Every action the agent knows, with what it runs. */
  known_actions: z.record(z.string(), z.string()),
  /** The runners' poll interval passed to torc (`-p`), when the operator set one. */
  poll_interval: z.number().nullable(),
  /** Problems the operator should fix (e.g. torc-slurm-job-runner not on PATH). */
  warnings: z.array(z.string()),
})
export type AgentInfo = z.output<typeof AgentInfoSchema>

/** GET /v1/workflows/:id/journals: torc's offline-drain journals of a workflow under the root. */
export const JournalSchema = z.object({
  /** Relative to the root, e.g. `offline_journal/offline_results_wf3_r1_node1.db`. */
  path: z.string(),
  run_id: z.number().int(),
  label: z.string(),
  size: z.number().int().min(0),
  /** Completions waiting to be replayed (rows of journaled_completions); null when unreadable. */
  completions: z.number().int().min(0).nullable(),
  error: z.string().nullable(),
})
export type Journal = z.output<typeof JournalSchema>

export const JournalListingSchema = z.object({
  workflow_id: z.number().int(),
  journals: z.array(JournalSchema),
  /** The walk stopped at its cap of directories or entries: some journals may be missing. */
  truncated: z.boolean(),
})
export type JournalListing = z.output<typeof JournalListingSchema>

/** The journal file name torc writes (client/offline_journal.rs): offline_results_wf<W>_r<R>_<label>.db. */
export const JOURNAL_NAME = /^offline_results_wf([1-9]\d{0,15})_r([1-9]\d{0,15})_(.+)\.db$/
