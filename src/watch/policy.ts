/**
 * What a watch does, as the caller of watch_workflow sets it: torc 1.0.0's `torc watch --recover
 * --max-retries N --memory-multiplier M --runtime-multiplier R [--retry-unknown] --auto-schedule`,
 * plus where to say what happened. Stored resolved (defaults filled in) with the watch, so a later
 * change of a default never changes what a running watch does.
 */
import { z } from 'zod'
import { DestinationName } from '../config-watch.ts'
import { recoveryOptionFields } from '../recovery/options.ts'

/** What a watch can notify about; the caller picks any of them (default: all). */
export const NOTIFY_EVENTS = ['completed', 'failed', 'recovered', 'gave_up', 'unreachable'] as const
export const NotifyEventSchema = z.enum(NOTIFY_EVENTS)
export type NotifyEvent = z.output<typeof NotifyEventSchema>

export const DEFAULT_MAX_RETRIES = 3

export const policyShape = {
  recover: z
    .boolean()
    .default(true)
    .describe(
      'Recover failed jobs unattended (default true): the same diagnosis and plan as recover_workflow, applied once ' +
        'the workflow has finished. False: only notify.'
    ),
  max_retries: z
    .number()
    .int()
    .min(0)
    .max(20)
    .default(DEFAULT_MAX_RETRIES)
    .describe(
      `Recoveries this watch may apply before it gives up (default ` +
        `${DEFAULT_MAX_RETRIES}, like torc watch --max-retries).`
    ),
  ...recoveryOptionFields,
  resubmit: z
    .boolean()
    .default(true)
    .describe(
      'After a recovery, start the reset jobs through the login-node agent when the operator allows it ' +
        '(`torc slurm regenerate --submit` for Slurm, `torc run` otherwise; default true).'
    ),
  auto_schedule: z
    .boolean()
    .default(true)
    .describe(
      'Reschedule stranded jobs (default true): jobs ready or running while no ' +
        'runner and no Slurm allocation is left, for stranded_minutes, get new ' +
        'allocations (or a runner) through the agent, as torc watch --auto-schedule.'
    ),
  stranded_minutes: z
    .number()
    .int()
    .min(0)
    .max(1440)
    .default(10)
    .describe('How long jobs must be stranded before they are rescheduled (default 10).'),
  reschedule_cooldown_minutes: z
    .number()
    .int()
    .min(0)
    .max(1440)
    .default(30)
    .describe('Least time between two reschedules of this workflow (default 30, like torc watch).'),
  destinations: z
    .array(DestinationName)
    .max(5)
    .default([])
    .describe(
      'Names of the webhook destinations the operator configured ' +
        '(TORC_EDGE_WEBHOOKS) to notify; none: no notifications.'
    ),
  notify_on: z
    .array(NotifyEventSchema)
    .min(1)
    .default([...NOTIFY_EVENTS])
    .describe(
      'Which events to notify (default all): completed, failed (finished with failures it will not recover), ' +
        'recovered (each recovery), gave_up (max_retries reached), unreachable (Torc down for a while, and back).'
    ),
}

export const WatchPolicySchema = z.object(policyShape)
export type WatchPolicy = z.output<typeof WatchPolicySchema>

/** The policy as stored and shown: every field set. */
export const StoredPolicySchema = WatchPolicySchema.extend({
  memory_multiplier: z.number().nullable(),
  runtime_multiplier: z.number().nullable(),
})
export type StoredPolicy = z.output<typeof StoredPolicySchema>

export function resolvePolicy(policy: WatchPolicy): StoredPolicy {
  return {
    ...policy,
    memory_multiplier: policy.memory_multiplier ?? null,
    runtime_multiplier: policy.runtime_multiplier ?? null,
    destinations: [...new Set(policy.destinations)].sort(),
    notify_on: NOTIFY_EVENTS.filter((e) => policy.notify_on.includes(e)),
  }
}

/** recover_workflow's parameters for this policy. */
export function recoveryInput(workflowId: number, policy: StoredPolicy): Record<string, unknown> {
  return {
    workflow_id: workflowId,
    ...(policy.memory_multiplier === null ? {} : { memory_multiplier: policy.memory_multiplier }),
    ...(policy.runtime_multiplier === null ? {} : { runtime_multiplier: policy.runtime_multiplier }),
    retry_unknown: policy.retry_unknown,
  }
}
