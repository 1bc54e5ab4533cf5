/**
 * How reset jobs run again, which only the cluster can start. torc 1.0.0 recover decides it the
 * same way (recover.rs detect_recovery_execution_mode): a workflow with Slurm schedulers gets new
 * allocations from `torc slurm regenerate <id> --submit`, one with remote workers is rerun with
 * `torc remote run <id>`, any other with `torc run <id>`. sbatch and ssh cannot run at the edge, so
 * the tools return the command and, for Slurm, what the allocations must hold.
 */
import { z } from 'zod'
import type { TorcClient } from '../torc/client.ts'
import type { Job, ResourceRequirements } from '../torc/schemas.ts'
import { MiB, parseMemoryMb, parseWalltimeSecs, reportMemoryBytes, runtimeSeconds } from '../torc/units.ts'

export const SlurmSchedulerSchema = z
  .object({
    id: z.number().int(),
    name: z.string().nullish(),
    account: z.string(),
    partition: z.string().nullish(),
    walltime: z.string(),
    mem: z.string().nullish(),
    nodes: z.number().int(),
  })
  .loose()
export type SlurmScheduler = z.output<typeof SlurmSchedulerSchema>

/**
 * torc 1.0.0's initialize_jobs sets every job that is not disabled, blocked, completed, failed or
 * canceled to ready: terminated jobs run again whether or not they were reset. Plans say so.
 */
export const TERMINATED_RERUN =
  "Torc's initialize_jobs readies every terminated job when a new run starts, so it runs again unchanged"

export type RerunMode = 'slurm' | 'remote' | 'local'

export async function loadExecution(
  torc: TorcClient,
  workflowId: number
): Promise<{ schedulers: SlurmScheduler[]; remoteWorkers: number }> {
  const [schedulers, remote] = await Promise.all([
    torc.list('/slurm_schedulers', SlurmSchedulerSchema, { workflow_id: workflowId }),
    torc.get(`/workflows/${workflowId}/remote_workers`, z.array(z.unknown())),
  ])
  return { schedulers: schedulers.items, remoteWorkers: remote.length }
}

export function rerunMode(execution: { schedulers: readonly unknown[]; remoteWorkers: number }): RerunMode {
  return execution.schedulers.length ? 'slurm' : execution.remoteWorkers ? 'remote' : 'local'
}

export function rerunCommand(mode: RerunMode, workflowId: number): string {
  return {
    slurm: `torc slurm regenerate ${workflowId} --submit`,
    remote: `torc remote run ${workflowId}`,
    local: `torc run ${workflowId}`,
  }[mode]
}

/** What a requirement asks of each job that recovery resets (after its changes). */
export interface Demand {
  resource_requirements_id: number
  name: string
  job_count: number
  job_ids: number[]
  num_cpus: number
  memory: string
  runtime: string
}

export interface SlurmNeeds {
  needed: boolean
  /** The apply submits them through the login-node agent (else the user runs `command`). */
  via_agent: boolean
  command: string
  preview_command: string
  requirements: Demand[]
  schedulers: {
    id: number
    name: string
    account: string
    partition: string | null
    walltime: string
    mem: string | null
    nodes: number
    fits_reset_jobs: boolean
    why: string
  }[]
  allocations: { pending: number; active: number }
  note: string
}

const LISTED = 50

/** Groups the jobs to reset by requirement, with the values they will run with. */
export function demandsOf(
  jobIds: readonly number[],
  jobs: ReadonlyMap<number, Job>,
  requirements: ReadonlyMap<number, ResourceRequirements>,
  changed: ReadonlyMap<number, { memory?: string | undefined; runtime?: string | undefined }> = new Map()
): Demand[] {
  const out = new Map<number, Demand>()
  for (const id of jobIds) {
    const rrId = jobs.get(id)?.resource_requirements_id
    const rr = rrId == null ? undefined : requirements.get(rrId)
    if (!rr) continue
    const entry = out.get(rr.id) ?? {
      resource_requirements_id: rr.id,
      name: rr.name,
      job_count: 0,
      job_ids: [],
      num_cpus: rr.num_cpus,
      memory: changed.get(rr.id)?.memory ?? rr.memory,
      runtime: changed.get(rr.id)?.runtime ?? rr.runtime,
    }
    entry.job_count++
    if (entry.job_ids.length < LISTED) entry.job_ids.push(id)
    out.set(rr.id, entry)
  }
  return [...out.values()].sort((a, b) => a.resource_requirements_id - b.resource_requirements_id)
}

function fit(s: SlurmScheduler, demands: readonly Demand[]): { fits: boolean; why: string } {
  if (!demands.length) return { fits: true, why: 'no job to rerun' }
  const longest = [...demands].sort((a, b) => (runtimeSeconds(b.runtime) ?? 0) - (runtimeSeconds(a.runtime) ?? 0))[0]!
  const largest = [...demands].sort((a, b) => reportMemoryBytes(b.memory) - reportMemoryBytes(a.memory))[0]!
  const problems: string[] = []
  try {
    if (parseWalltimeSecs(s.walltime) < (runtimeSeconds(longest.runtime) ?? 0)) {
      problems.push(`walltime ${s.walltime} is shorter than the ${longest.runtime} "${longest.name}" jobs request`)
    }
  } catch {
    problems.push(`walltime "${s.walltime}" cannot be read`)
  }
  if (s.mem) {
    try {
      if (parseMemoryMb(s.mem) * MiB < reportMemoryBytes(largest.memory)) {
        problems.push(`mem ${s.mem} is less than the ${largest.memory} "${largest.name}" jobs request`)
      }
    } catch {
      problems.push(`mem "${s.mem}" cannot be read`)
    }
  }
  return problems.length
    ? { fits: false, why: problems.join('; ') }
    : { fits: true, why: `walltime ${s.walltime}${s.mem ? ` and mem ${s.mem}` : ''} hold every job to rerun` }
}

export function slurmNeeds(
  workflowId: number,
  schedulers: readonly SlurmScheduler[],
  demands: Demand[],
  allocations: { pending: number; active: number },
  /** Why the login-node agent cannot submit them (undefined: it can and will, after the reset). */
  agentWhy: string | undefined
): SlurmNeeds {
  const accounts = [...new Set(schedulers.map((s) => s.account))]
  const jobs = demands.reduce((n, d) => n + d.job_count, 0)
  const viaAgent = agentWhy === undefined && jobs > 0
  const plans =
    `it plans new schedulers for the ${jobs} job(s) to rerun from their requirements above` +
    (accounts.length ? ` (account ${accounts.join(', ')}, from the existing schedulers)` : '') +
    ' and submits their allocations.'
  return {
    needed: jobs > 0,
    via_agent: viaAgent,
    command: rerunCommand('slurm', workflowId),
    preview_command: `torc -f json slurm regenerate ${workflowId} --dry-run`,
    requirements: demands,
    schedulers: schedulers.map((s) => {
      const { fits, why } = fit(s, demands)
      return {
        id: s.id,
        name: s.name ?? `scheduler ${s.id}`,
        account: s.account,
        partition: s.partition ?? null,
        walltime: s.walltime,
        mem: s.mem ?? null,
        nodes: s.nodes,
        fits_reset_jobs: fits,
        why,
      }
    }),
    allocations,
    note: viaAgent
      ? `After the reset, the apply runs \`${rerunCommand('slurm', workflowId)}\` on the login node ` +
        `through the agent: ${plans} The answer lists the new allocations and what Slurm says of them.`
      : `sbatch cannot run at the edge${agentWhy && jobs > 0 ? ` (${agentWhy})` : ''}. ` +
        `After applying, on a login node run \`${rerunCommand('slurm', workflowId)}\`: ` +
        `${plans} \`torc -f json slurm regenerate ${workflowId} --dry-run\` shows the ` +
        'plan first. Where torc does not detect the HPC system, add `--profile <name>`.',
  }
}
