/**
 * A workflow's Slurm allocations: the ones Torc recorded (scheduled compute nodes, whose
 * scheduler_id is the Slurm job id) and, through the agent's `sacct` action, what Slurm says of
 * each: queued or running (squeue), finished and how (sacct's parsable text, exit codes included).
 * Torc's own record can lag or be wrong (an allocation that failed before its runner started stays
 * `pending` in Torc), so the live view wins wherever there is one.
 */
import { z } from 'zod'
import type { AgentOutcome } from '../output/agent.ts'
import {
  type AccountingRow,
  FAILED_STATES,
  FINISHED_STATES,
  parseSacctText,
  parseSqueue,
  QUEUED_STATES,
  type QueuedAllocation,
  squeueHasNone,
} from '../output/slurm.ts'
import type { ToolContext } from '../registry.ts'
import { MAX_SACCT_JOBS } from '../site-protocol/actions.ts'
import type { TorcClient } from '../torc/client.ts'
import { compiled } from '../validation/compiled.ts'
import { failureOf, onCluster } from './cluster.ts'

export const ScheduledNodeSchema = compiled(
  'torc:ScheduledComputeNode',
  z
    .object({
      id: z.number().int().nullish(),
      workflow_id: z.number().int(),
      scheduler_id: z.number().int(),
      scheduler_config_id: z.number().int(),
      scheduler_type: z.string(),
      status: z.string(),
    })
    .loose()
)
export type ScheduledNode = z.output<typeof ScheduledNodeSchema>

export type Phase = 'queued' | 'running' | 'finished' | 'failed' | 'canceled' | 'unknown'

export const allocationSchema = z.object({
  slurm_job_id: z.string().describe('Slurm job id of the allocation.'),
  scheduler_config_id: z.number().int().describe('The Torc Slurm scheduler it was submitted for.'),
  torc_status: z.string().describe("Torc's record: pending, active, complete or canceled."),
  state: z.string().nullable().describe('Slurm state (squeue or sacct), e.g. PENDING, RUNNING, COMPLETED, FAILED.'),
  phase: z
    .enum(['queued', 'running', 'finished', 'failed', 'canceled', 'unknown'])
    .describe(
      'What that means (canceled: by a user or by torc, which cancels ' +
        'the allocations a finished workflow no longer needs).'
    ),
  exit_code: z.string().nullable().describe('Slurm ExitCode "code:signal" once finished (from sacct text).'),
  reason: z.string().nullable().describe('Why it waits (squeue reason), when queued.'),
  elapsed_seconds: z.number().int().nullable().describe('Run time so far or in all (sacct).'),
  source: z.enum(['squeue', 'sacct', 'torc']).describe("Where the state came from ('torc': no live view)."),
})
export type AllocationView = z.output<typeof allocationSchema>

/** The workflow's Slurm allocations as Torc recorded them, newest first. */
export async function slurmNodes(torc: TorcClient, workflowId: number): Promise<ScheduledNode[]> {
  const { items } = await torc.list('/scheduled_compute_nodes', ScheduledNodeSchema, { workflow_id: workflowId })
  return items.filter((n) => n.scheduler_type.toLowerCase() === 'slurm').sort((a, b) => b.scheduler_id - a.scheduler_id)
}

export interface ClusterView {
  queued: Map<string, QueuedAllocation>
  accounting: Map<string, AccountingRow>
  /** `sacct --json`'s output (for torc's summary rows), when it parsed. */
  json: unknown
  errors: string[]
}

/** squeue and sacct for these Slurm job ids through the agent, or why not. */
export async function clusterView(
  ctx: ToolContext,
  ids: readonly string[]
): Promise<{ ran: true; view: ClusterView } | Extract<AgentOutcome, { ran: false }>> {
  const slurm_job_ids = ids.slice(0, MAX_SACCT_JOBS).map(Number)
  const outcome = await onCluster(ctx, 'sacct', { slurm_job_ids })
  if (!outcome.ran) return outcome
  const [squeue, text, json] = outcome.result.runs
  const errors: string[] = []
  const queued = new Map<string, QueuedAllocation>()
  if (squeue && squeue.exit_code === 0) for (const q of parseSqueue(squeue.stdout)) queued.set(q.slurm_job_id, q)
  else if (squeue && !squeueHasNone(squeue.exit_code, squeue.stderr)) errors.push(`squeue: ${failureOf(squeue)}`)
  const accounting = new Map<string, AccountingRow>()
  if (text && text.exit_code === 0) for (const row of parseSacctText(text.stdout)) accounting.set(row.job_id, row)
  else if (text) errors.push(`sacct: ${failureOf(text)}`)
  let parsed: unknown
  if (json && json.exit_code === 0) {
    try {
      parsed = JSON.parse(json.stdout)
    } catch {
      errors.push('sacct --json printed something that is not JSON')
    }
  } else if (json) errors.push(`sacct --json: ${failureOf(json)}`)
  return { ran: true, view: { queued, accounting, json: parsed, errors } }
}

function phaseOf(state: string | null): Phase {
  if (!state) return 'unknown'
  if (QUEUED_STATES.test(state)) return 'queued'
  if (state.startsWith('CANCELLED')) return 'canceled'
  if (FAILED_STATES.test(state)) return 'failed'
  if (FINISHED_STATES.test(state)) return 'finished'
  return 'running'
}

const TORC_PHASE: Record<string, Phase> = {
  pending: 'queued',
  active: 'running',
  complete: 'finished',
  canceled: 'finished',
}

/** One allocation: live when Slurm knows it, else from Torc's record. */
export function viewOf(node: ScheduledNode, view: ClusterView | undefined): AllocationView {
  const id = String(node.scheduler_id)
  const base = { slurm_job_id: id, scheduler_config_id: node.scheduler_config_id, torc_status: node.status }
  const queued = view?.queued.get(id)
  if (queued)
    return {
      ...base,
      state: queued.state,
      phase: phaseOf(queued.state),
      exit_code: null,
      reason: queued.reason && queued.reason !== 'None' ? queued.reason : null,
      elapsed_seconds: null,
      source: 'squeue',
    }
  const row = view?.accounting.get(id)
  if (row)
    return {
      ...base,
      state: row.state,
      phase: phaseOf(row.state),
      exit_code: row.exit_code || null,
      reason: null,
      elapsed_seconds: row.elapsed_seconds,
      source: 'sacct',
    }
  return {
    ...base,
    state: null,
    phase: TORC_PHASE[node.status] ?? 'unknown',
    exit_code: null,
    reason: null,
    elapsed_seconds: null,
    source: 'torc',
  }
}

export interface Allocations {
  allocations: AllocationView[]
  /** The states came from Slurm (through the agent). */
  live: boolean
  /** Why there is no live view (no agent, sacct not allowed, …), or problems reading it. */
  note: string | null
  view: ClusterView | undefined
}

/** The workflow's allocations with Slurm's view of each where the agent can give it. */
export async function loadAllocations(
  ctx: ToolContext,
  workflowId: number,
  nodes?: ScheduledNode[]
): Promise<Allocations> {
  const listed = nodes ?? (await slurmNodes(ctx.torc, workflowId))
  if (!listed.length) return { allocations: [], live: false, note: null, view: undefined }
  const live = await clusterView(
    ctx,
    listed.map((n) => String(n.scheduler_id))
  )
  const view = live.ran ? live.view : undefined
  const note = live.ran
    ? live.view.errors.length
      ? live.view.errors.join('; ')
      : null
    : `no live Slurm view (${live.why}); states are Torc's record, which can ` +
      `lag (an allocation that failed before its runner started stays pending)`
  return { allocations: listed.map((n) => viewOf(n, view)), live: live.ran, note, view }
}

export function countPhases(allocations: readonly AllocationView[]): Record<Phase, number> {
  const counts: Record<Phase, number> = { queued: 0, running: 0, finished: 0, failed: 0, canceled: 0, unknown: 0 }
  for (const a of allocations) counts[a.phase]++
  return counts
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Exit code 127 of an allocation: the batch script could not run a command (torc-slurm-job-runner?). */
const hint = (a: AllocationView) =>
  a.exit_code?.startsWith('127:')
    ? ' (exit 127: a command was not found: torc-slurm-job-runner ' +
      "must be on the agent's PATH, which sbatch exports to the job)"
    : a.exit_code?.startsWith('0:125') || a.state === 'OUT_OF_MEMORY'
      ? ' (out of memory)'
      : ''

/**
 * What became of allocations just submitted: Slurm's view after a short wait (an allocation whose
 * runner cannot start fails within a second or two), checked again while any is still starting.
 * `torc submit` exits 0 whatever happens to them, so this is the answer's truth.
 */
export async function settle(
  ctx: ToolContext,
  nodes: readonly ScheduledNode[],
  options: { firstWaitMs?: number; rounds?: number; gapMs?: number } = {}
): Promise<{
  allocations: AllocationView[]
  live: boolean
  note: string | null
  failed: AllocationView[]
  words: string
}> {
  if (!nodes.length)
    return { allocations: [], live: false, note: null, failed: [], words: 'no allocation was submitted' }
  await sleep(options.firstWaitMs ?? 2_000)
  let loaded = await loadAllocations(ctx, nodes[0]!.workflow_id, [...nodes])
  for (let round = 1; round < (options.rounds ?? 3) && loaded.live; round++) {
    const starting = loaded.allocations.some((a) => a.state === 'CONFIGURING' || a.phase === 'unknown')
    if (!starting) break
    await sleep(options.gapMs ?? 1_500)
    loaded = await loadAllocations(ctx, nodes[0]!.workflow_id, [...nodes])
  }
  const failed = loaded.allocations.filter((a) => a.phase === 'failed')
  const counts = countPhases(loaded.allocations)
  const phases = (['queued', 'running', 'finished', 'failed', 'canceled', 'unknown'] as const)
    .filter((p) => counts[p])
    .map((p) => `${counts[p]} ${p}`)
    .join(', ')
  const ids = loaded.allocations.map((a) => a.slurm_job_id).join(', ')
  const words = !loaded.live
    ? `Slurm job id(s) ${ids} (their state is not visible from here: ${loaded.note})`
    : failed.length
      ? `Slurm job id(s) ${ids}: ${phases}. FAILED in Slurm: ${failed
          .map((a) => `${a.slurm_job_id} ${a.state ?? '?'} exit ${a.exit_code ?? '?'}${hint(a)}`)
          .join('; ')}`
      : `Slurm job id(s) ${ids}: ${phases}`
  return { allocations: loaded.allocations, live: loaded.live, note: loaded.note, failed, words }
}
