import { z } from 'zod'
import { causeSchema } from './resources.schemas.ts'

const change = z
  .object({
    old: z.string().describe('Value now.'),
    new: z.string().describe('Proposed value.'),
    why: z.string().describe('How it was computed.'),
  })
  .nullable()

const demandSchema = z.object({
  resource_requirements_id: z.number().int().describe('Requirement.'),
  name: z.string().describe('Its name.'),
  job_count: z.number().int().describe('Jobs to rerun that use it.'),
  job_ids: z.array(z.number().int()).describe('Those jobs (first 50).'),
  num_cpus: z.number().int().describe('CPUs per job.'),
  memory: z.string().describe('Memory per job, after the recovery changes.'),
  runtime: z.string().describe('Runtime per job, after the recovery changes.'),
})

export const slurmNeedsSchema = z.object({
  needed: z.boolean().describe('New allocations are needed (some jobs are rerun).'),
  via_agent: z.boolean().describe('The apply submits them through the login-node agent (else run `command`).'),
  command: z
    .string()
    .describe(
      'Run on a login node after applying: creates schedulers for the reset jobs and submits their allocations.'
    ),
  preview_command: z.string().describe('Shows on the cluster the schedulers and allocations the command would create.'),
  requirements: z.array(demandSchema).describe('What each allocation must hold: the reset jobs by requirement.'),
  schedulers: z
    .array(
      z.object({
        id: z.number().int().describe('Scheduler id.'),
        name: z.string().describe('Scheduler name.'),
        account: z.string().describe('Slurm account (regenerate reuses it).'),
        partition: z.string().nullable().describe('Partition, when fixed.'),
        walltime: z.string().describe('Walltime per allocation.'),
        mem: z.string().nullable().describe('Memory per node, when set.'),
        nodes: z.number().int().describe('Nodes per allocation.'),
        fits_reset_jobs: z.boolean().describe('Its walltime and memory hold every job to rerun.'),
        why: z.string().describe('What fits or does not.'),
      })
    )
    .describe("The workflow's existing Slurm schedulers."),
  allocations: z
    .object({
      pending: z.number().int().describe('Allocations queued.'),
      active: z.number().int().describe('Allocations running.'),
    })
    .describe('Allocations now (both must be 0 to apply).'),
  note: z.string().describe('What to run where, and why it is not done here.'),
})

/** recover_workflow's preview fields (the change primitive adds the envelope). */
export const recoveryPreview = {
  workflow_id: z.number().int().describe('Workflow id.'),
  memory_multiplier: z.number().describe('Memory factor used.'),
  runtime_multiplier: z.number().describe('Runtime factor used.'),
  retry_unknown: z.boolean().describe('Whether jobs with unknown causes are retried.'),
  run_id: z.number().int().describe('Run the diagnosis read.'),
  summary: z.string().describe('One-paragraph summary for the user.'),
  warnings: z
    .array(z.string())
    .describe('Given multipliers that land below what the jobs were seen to need: tell the user.'),
  counts: z
    .object({
      oom: z.number().int().describe('Out of memory.'),
      timeout: z.number().int().describe('Ran out of time.'),
      oom_and_timeout: z.number().int().describe('Both.'),
      node_failure: z.number().int().describe('Lost their compute node.'),
      unknown: z.number().int().describe('Unknown cause.'),
    })
    .describe('Failed jobs by likely cause.'),
  jobs: z
    .array(
      z.object({
        job_id: z.number().int().describe('Job id.'),
        job_name: z.string().describe('Job name.'),
        status: z.string().describe('Status now.'),
        return_code: z.number().int().nullable().describe('Return code of its result.'),
        cause: causeSchema,
        cause_detail: z.string().describe('The evidence for the cause: return code or signal, peak, share of runtime.'),
        action: z.enum(['retry', 'skip']).describe('What recovery does with it.'),
        reason: z.string().describe('Why: the change made, or why it is skipped.'),
        memory: change.describe('Memory change for this job, if any.'),
        runtime: change.describe('Runtime change for this job, if any.'),
      })
    )
    .describe('Every failed, terminated or orphaned job, by id.'),
  adjustments: z
    .array(
      z.object({
        resource_requirements_id: z.number().int().describe('Requirement changed.'),
        name: z.string().describe('Its name.'),
        job_ids: z.array(z.number().int()).describe('Retried jobs that use it.'),
        memory: change.describe('Memory change, if any.'),
        runtime: change.describe('Runtime change, if any.'),
        shared_with_job_ids: z
          .array(z.number().int())
          .describe('Other jobs that use it and get the new values (first 50).'),
        shared_with_count: z.number().int().describe('How many other jobs use it.'),
      })
    )
    .describe('One change per resource requirement.'),
  orphaned_running_jobs: z
    .array(
      z.object({
        job_id: z.number().int().describe('Job id.'),
        job_name: z.string().describe('Job name.'),
        compute_node_id: z.number().int().nullable().describe('The vanished compute node.'),
      })
    )
    .describe('Jobs marked running whose compute node is no longer active; recovery fails them with -128.'),
  jobs_to_retry: z.array(z.number().int()).describe('Jobs that are reset and rerun.'),
  rerun_command: z
    .string()
    .describe(
      'Run on the cluster after applying to run the reset jobs: `torc slurm regenerate <id> ' +
        '--submit` (Slurm), `torc remote run <id>` (remote workers) or `torc run <id>`.'
    ),
  slurm: slurmNeedsSchema
    .nullable()
    .describe('For Slurm workflows: the allocations the reset jobs need and how to submit them.'),
}

/** What applying a recovery changed. */
export const recoveryApplied = z.object({
  orphans_failed: z.array(z.number().int()).describe('Orphaned jobs failed with -128.'),
  requirements_updated: z
    .array(
      z.object({
        id: z.number().int().describe('Requirement id.'),
        memory: z.string().describe('Memory as saved.'),
        runtime: z.string().describe('Runtime as saved.'),
      })
    )
    .describe('Requirements as saved.'),
  jobs_reset: z.array(z.number().int()).describe('Jobs reset for the new run.'),
  new_run_id: z.number().int().describe('The new run.'),
  jobs_by_status_after: z.record(z.string(), z.number().int()).describe('Job counts after applying.'),
})
