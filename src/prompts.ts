import { z } from 'zod'

/**
 * MCP prompts for the tutorial's flows: short guided sequences of the tools, preview-first. A
 * prompt is offered only when every tool it names is available to the caller.
 */
export interface Prompt {
  name: string
  title: string
  description: string
  args: z.ZodObject
  /** Tools the steps call; the prompt is hidden when any is missing (e.g. a read-only key). */
  requires: string[]
  render(args: Record<string, string>): string
}

const workflowArg = z.string().regex(/^\d+$/, 'a workflow id').describe('Torc workflow id, e.g. "5".')

const steps = (lines: string[]) => lines.map((line, i) => `${i + 1}. ${line}`).join('\n')

export const prompts: Prompt[] = [
  {
    name: 'debug_failed_workflow',
    title: 'Debug a failed workflow',
    description: 'Find out why jobs of a workflow failed, from status to logs to resource use.',
    args: z.object({ workflow_id: workflowArg }),
    requires: ['get_workflow_status', 'list_failed_jobs', 'get_job_details', 'check_resource_utilization'],
    render: ({ workflow_id }) =>
      `Find out why jobs in Torc workflow ${workflow_id} failed and explain it to me.\n\n` +
      steps([
        `get_workflow_status(workflow_id=${workflow_id}) for the overall picture.`,
        `list_failed_jobs(workflow_id=${workflow_id}) to see which jobs failed and their return codes ` +
          `(137 or -9: killed, usually out of memory; 152 or terminated: out of time; -128: node lost).`,
        'get_job_details for up to three representative failed jobs; if log tools are available, read the ' +
          'last 50 lines of their stderr (get_job_logs) and scan the workflow with analyze_workflow_logs.',
        `check_resource_utilization(workflow_id=${workflow_id}) to see which jobs exceeded ` +
          `memory, CPU or runtime, including jobs that completed but will fail next time.`,
        'Summarise the causes per job group with evidence (return codes, peaks, log ' +
          'lines). If memory or time limits are the cause, offer recover_workflow ' +
          'with dry_run=true; do not change anything without asking me.',
      ]),
  },
  {
    name: 'recover_from_oom_or_timeouts',
    title: 'Recover from OOM or timeouts',
    description:
      'Raise memory/runtime for the jobs that ran out, preview the plan, and apply it only after confirmation.',
    args: z.object({
      workflow_id: workflowArg,
      memory_multiplier: z
        .string()
        .regex(/^\d+(\.\d+)?$/)
        .optional()
        .describe('Memory factor, e.g. "1.5" (default).'),
    }),
    requires: ['check_resource_utilization', 'recover_workflow', 'get_workflow_status'],
    render: ({ workflow_id, memory_multiplier }) => {
      const factor = memory_multiplier ? `, memory_multiplier=${memory_multiplier}` : ''
      return (
        `Recover Torc workflow ${workflow_id} from out-of-memory and timeout failures.\n\n` +
        steps([
          `check_resource_utilization(workflow_id=${workflow_id}) and tell me which jobs exceeded their limits.`,
          `recover_workflow(workflow_id=${workflow_id}, dry_run=true${factor}). Show me a table: job, ` +
            `cause, old → new memory/runtime, and why; list skipped jobs with their reason and any blockers.`,
          'Ask me: "Would you like me to apply these recovery actions?" and wait for my answer.',
          `Only if I agree: recover_workflow(workflow_id=${workflow_id}, dry_run=false, plan_id=<the ` +
            `preview's plan_id>${factor}). If it reports the workflow changed, preview again and ask again.`,
          `get_workflow_status(workflow_id=${workflow_id}) to confirm the jobs are ` +
            `ready, then tell me the command to run on the cluster from the result.`,
        ])
      )
    },
  },
  {
    name: 'create_workflow_from_description',
    title: 'Create a workflow from a description',
    description:
      'Turn a plain-language description into a Torc workflow spec, validate and plan it, then create it on request.',
    args: z.object({
      description: z
        .string()
        .min(10)
        .describe('What the workflow should do, e.g. "3 stages: preprocess, 10 parallel work jobs, postprocess".'),
      workflow_type: z.enum(['local', 'slurm']).optional().describe('local (default) or slurm.'),
    }),
    requires: ['create_workflow', 'get_execution_plan'],
    render: ({ description, workflow_type }) => {
      const slurmArgs =
        workflow_type === 'slurm' ? ', workflow_type="slurm", account=<ask me>, hpc_profile=<ask me>' : ''
      return (
        `Create a Torc workflow for this: ${description}\n\n` +
        steps([
          'Write a Torc workflow spec in YAML: jobs with commands, parameterized jobs for ' +
            'fan-out (e.g. parameters: {i: "1:10"} and names like work_{i}), depends_on or ' +
            'input/output files for ordering, and resource_requirements sized for the work.',
          `create_workflow(spec=<the YAML>, format="yaml", ` +
            `action="validate"${workflow_type ? `, workflow_type="${workflow_type}"` : ''}) ` +
            `and fix every error it reports.`,
          'get_execution_plan(spec_or_id=<the YAML>) and show me the stages and job counts.',
          'Ask me whether to create it, and wait for my answer.',
          `Only if I agree: create_workflow(..., action="create_workflow"${slurmArgs}) ` +
            `and tell me the new workflow id.`,
        ])
      )
    },
  },
]
