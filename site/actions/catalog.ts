/**
 * The fixed command lines of each action. Every argv is built here from the operator's settings
 * (torc binary, torc-server URL, output root, poll interval) and the action's validated input
 * (src/site-protocol/actions.ts): ids become their decimal text, names come from ClusterName's
 * character set, and a value is only ever placed after the option it belongs to, so no caller text
 * becomes an option, a path, or a command of its own.
 */
import type { ActionName, ParsedActionInput } from '../../src/site-protocol/actions.ts'

export interface AgentSettings {
  /** The torc CLI (a name looked up on PATH, or a path). */
  torcBin: string
  /** torc-server's URL for `torc --url`; commands that need the server are refused without it. */
  torcUrl: string | undefined
  /** The output directory the site serves (torc `-o`, reconcile's `--base-dir`). */
  root: string
  /** Runners' poll interval in seconds (torc `-p`), when the operator set one. */
  pollInterval: number | undefined
}

/** A command of an action: its argv, and for probe the file it reads (written by the agent, not the caller). */
export interface PlannedCommand {
  argv: string[]
  /** Text the agent writes to a private temporary file whose path replaces FILE in argv. */
  file?: string
}

export const FILE = '\u0000file'

/** The actions that talk to torc-server and so need `--torc-url`. */
export const NEEDS_SERVER: ReadonlySet<ActionName> = new Set(['submit', 'cancel', 'regenerate', 'reconcile', 'run'])

const id = (n: number) => String(n)

/** `torc --url <url> -f json`: the prefix of every torc command that reaches the server. */
function torc(s: AgentSettings, json = true): string[] {
  return [s.torcBin, ...(s.torcUrl ? ['--url', s.torcUrl] : []), ...(json ? ['-f', 'json'] : [])]
}

const poll = (s: AgentSettings) => (s.pollInterval === undefined ? [] : ['-p', String(s.pollInterval)])

/** squeue's fields for the allocations (parsed by src/output/slurm-text.ts). */
export const SQUEUE_FORMAT = '%i|%T|%r|%M|%l|%D|%P|%j'
/** sacct's parsable fields: exit codes are right here, unlike `sacct --json` in Slurm 22.05. */
export const SACCT_FIELDS = 'JobID,JobName,State,ExitCode,ElapsedRaw,MaxRSS,Partition,NodeList,Start,End'

type Builders = { [N in ActionName]: (input: ParsedActionInput<N>, s: AgentSettings) => PlannedCommand[] }

export const COMMANDS: Builders = {
  submit: (input, s) => [
    {
      argv:
        input.scheduler_id === undefined
          ? [...torc(s), 'submit', '--no-prompts', '-o', s.root, ...poll(s), id(input.workflow_id)]
          : [
              ...torc(s),
              'slurm',
              'schedule-nodes',
              '--scheduler-config-id',
              id(input.scheduler_id),
              '--num-hpc-jobs',
              id(input.num_allocations ?? 1),
              '-o',
              s.root,
              ...poll(s),
              '--no-prompts',
              id(input.workflow_id),
            ],
    },
  ],
  sacct: (input) => {
    const jobs = input.slurm_job_ids.map(id).join(',')
    return [
      { argv: ['squeue', '-h', '-j', jobs, '-o', SQUEUE_FORMAT] },
      { argv: ['sacct', '-n', '-P', '-j', jobs, '-o', SACCT_FIELDS] },
      { argv: ['sacct', '-j', jobs, '--json'] },
    ]
  },
  probe: (input, s) => [
    {
      argv: [
        s.torcBin,
        '-f',
        'json',
        'slurm',
        'plan-allocations',
        // As torc-mcp-server's plan_allocations groups them.
        '--group-by',
        'resource-requirements',
        '--account',
        input.account,
        ...(input.partition ? ['--partition', input.partition] : []),
        ...(input.profile ? ['--profile', input.profile] : []),
        ...(input.skip_test_only ? ['--skip-test-only'] : []),
        FILE,
      ],
      file: JSON.stringify(input.spec),
    },
  ],
  cancel: (input, s) => [{ argv: [...torc(s), 'cancel', '--no-prompts', id(input.workflow_id)] }],
  regenerate: (input, s) => [
    {
      argv: [
        ...torc(s),
        'slurm',
        'regenerate',
        '--submit',
        '-o',
        s.root,
        ...poll(s),
        ...(input.account ? ['--account', input.account] : []),
        ...(input.partition ? ['--partition', input.partition] : []),
        ...(input.profile ? ['--profile', input.profile] : []),
        id(input.workflow_id),
      ],
    },
  ],
  reconcile: (input, s) => [
    {
      argv: [...torc(s), 'workflows', 'reconcile', '--base-dir', s.root, id(input.workflow_id), id(input.run_id)],
    },
  ],
  run: (input, s) => [{ argv: [...torc(s, false), 'run', '-o', s.root, ...poll(s), id(input.workflow_id)] }],
  partitions: (input, s) => [{ argv: [s.torcBin, '-f', 'json', 'hpc', 'show', input.profile] }],
}

/** Default time each action may take (ms); the operator's --action-timeout replaces them all. */
export const DEFAULT_TIMEOUT_MS: Record<ActionName, number> = {
  submit: 60_000,
  sacct: 30_000,
  probe: 60_000,
  cancel: 60_000,
  regenerate: 120_000,
  reconcile: 120_000,
  // How long `run` watches the runner it started for an early failure before answering.
  run: 3_000,
  partitions: 30_000,
}

/** Default output bytes kept per stream; sacct's JSON for a thousand allocations needs room. */
export const DEFAULT_OUTPUT_BYTES: Record<ActionName, number> = {
  submit: 1024 ** 2,
  sacct: 32 * 1024 ** 2,
  probe: 4 * 1024 ** 2,
  cancel: 4 * 1024 ** 2,
  regenerate: 4 * 1024 ** 2,
  reconcile: 4 * 1024 ** 2,
  run: 256 * 1024,
  partitions: 1024 ** 2,
}
