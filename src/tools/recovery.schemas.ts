import { z } from 'zod'
import { causeSchema } from './resources.schemas.ts'

const change = z
  .object({
    old: z.string().describe('Value now.'),
    new: z.string().describe('Proposed value.'),
    why: z.string().describe('How it was computed.'),
  })
  .nullable()

export const recoveryOutput = z.object({
  workflow_id: z.number().int().describe('Workflow id.'),
  dry_run: z.boolean().describe('True for a preview: nothing was changed.'),
  plan_id: z.string().describe('Pass back with dry_run=false to apply exactly this plan.'),
  memory_multiplier: z.number().describe('Memory factor used.'),
  runtime_multiplier: z.number().describe('Runtime factor used.'),
  retry_unknown: z.boolean().describe('Whether jobs with unknown causes are retried.'),
  run_id: z.number().int().describe('Run the diagnosis read.'),
  can_apply: z.boolean().describe('True when the plan can be applied now.'),
  blockers: z.array(z.string()).describe('What prevents applying now, and what to do about it.'),
  summary: z.string().describe('One-paragraph summary for the user.'),
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
        shared_with_job_ids: z.array(z.number().int()).describe('Other jobs that use it and get the new values (first 50).'),
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
  applied: z
    .object({
      orphans_failed: z.array(z.number().int()).describe('Orphaned jobs failed with -128.'),
      requirements_updated: z
        .array(z.object({ id: z.number().int(), memory: z.string(), runtime: z.string() }))
        .describe('Requirements as saved.'),
      jobs_reset: z.array(z.number().int()).describe('Jobs reset for the new run.'),
      new_run_id: z.number().int().describe('The new run.'),
      jobs_by_status_after: z.record(z.string(), z.number().int()).describe('Job counts after applying.'),
    })
    .nullable()
    .describe('What was changed (null for a preview).'),
  slurm: z
    .object({
      needed: z.boolean().describe('Slurm allocations are needed to run the reset jobs.'),
      command: z.string().describe('The command to run on a login node.'),
      note: z.string().describe('Why it is not done here.'),
    })
    .nullable()
    .describe('Slurm resubmission, for Slurm workflows.'),
  next_steps: z.string().describe('What to do next.'),
})
