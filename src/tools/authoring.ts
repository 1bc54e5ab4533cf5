import { z } from 'zod'
import { stringify } from 'yaml'
import { ToolError } from '../errors.ts'
import { readOnly } from './fields.ts'
import { defineTool, type Caller, type ToolContext } from '../registry.ts'
import {
  buildRequest,
  formatIssue,
  generateSlurm,
  newIdMaps,
  parseSpec,
  planCreation,
  planExecution,
  planExecutionFromDatabase,
  recordResponse,
  rollbackRequest,
  SpecError,
  validateSpec,
  type WorkflowSpec,
} from '../spec/index.ts'
import { WorkflowSchema } from '../torc/schemas.ts'

const formats = ['auto', 'json', 'json5', 'yaml', 'kdl'] as const
const specText = z.string().min(2).max(5_000_000).describe('The workflow spec as text: JSON, JSON5, YAML or KDL.')
const formatField = z.enum(formats).default('auto').describe('Spec format (default auto-detect).')

/** Spec errors become invalid_input naming the field and, where the parser knows it, line and column. */
function specFailure(err: unknown): never {
  if (err instanceof SpecError) {
    const issues = err.issues.slice(0, 10).map(formatIssue)
    throw new ToolError('invalid_input', `invalid spec: ${issues.join('; ')}${err.issues.length > 10 ? ` (and ${err.issues.length - 10} more)` : ''}`)
  }
  throw err
}

/** The workflow owner: the caller's identity (an Access email), else TORC_USERNAME, else the argument. */
function ownerOf(caller: Caller, configured: string | undefined, given: string | undefined): string {
  if (caller.id.includes('@')) return caller.id.split('@')[0]!
  return configured ?? given ?? caller.id
}

interface Created {
  workflow_id: number
  counts: Record<string, number>
}

/** Sends the creation plan in order; any failure after the workflow exists deletes it again. */
async function create(ctx: ToolContext, spec: WorkflowSpec, user: string, monitoring: boolean): Promise<Created> {
  const plan = (() => {
    try {
      return planCreation(spec, { user, enableResourceMonitoring: monitoring, initialize: true })
    } catch (err) {
      return specFailure(err)
    }
  })()
  const ids = newIdMaps()
  let done = 0
  try {
    for (const step of plan.steps) {
      const request = buildRequest(step, ids)
      const response = await ctx.torc.send(request.method, request.path, z.unknown(), { body: request.body })
      recordResponse(step, response, ids)
      done++
      await ctx.progress(done, plan.steps.length, `${step.kind}`)
    }
  } catch (err) {
    const rollback = rollbackRequest(ids)
    let undone = 'nothing had been created'
    if (rollback) {
      undone = await ctx.torc
        .send('DELETE', rollback.path, z.unknown())
        .then(() => `workflow ${ids.workflowId} was deleted again`)
        .catch(() => `workflow ${ids.workflowId} could NOT be deleted: delete it by hand`)
    }
    const message = err instanceof Error ? err.message : String(err)
    const code = err instanceof ToolError ? err.code : 'upstream_error'
    throw new ToolError(code, `creating the workflow failed at step ${done + 1} of ${plan.steps.length}: ${message}; ${undone}`, { cause: err })
  }
  return { workflow_id: ids.workflowId!, counts: plan.counts }
}

export const createWorkflow = defineTool({
  name: 'create_workflow',
  title: 'Create workflow',
  description:
    'Validate a Torc workflow spec, return the final spec (with Slurm schedulers generated for slurm), or ' +
    'create it in Torc. Use action "validate" first and fix every error; "create_workflow" needs write access. ' +
    'Returns the validation report, the spec text, or the new workflow id and counts.',
  input: z.object({
    spec: specText,
    format: formatField,
    action: z
      .enum(['validate', 'save_spec_file', 'create_workflow'])
      .default('validate')
      .describe('validate (report only), save_spec_file (return the final spec to save), create_workflow (create it in Torc).'),
    workflow_type: z.enum(['local', 'slurm']).default('local').describe('local (default) or slurm (generates schedulers).'),
    account: z.string().min(1).max(100).optional().describe('Slurm account (slurm only; else slurm_defaults.account).'),
    hpc_profile: z.string().min(1).max(100).optional().describe('HPC profile for slurm, e.g. "kestrel" or "dane" (required for slurm).'),
    user: z.string().min(1).max(100).optional().describe('Workflow owner when the credential carries no identity.'),
  }),
  output: z.object({
    action: z.string().describe('What was done.'),
    valid: z.boolean().describe('Whether the spec validates.'),
    errors: z.array(z.string()).describe('Validation errors.'),
    warnings: z.array(z.string()).describe('Validation warnings.'),
    summary: z.record(z.string(), z.unknown()).describe('Counts and facts of the expanded workflow.'),
    spec_text: z.string().nullable().describe('For save_spec_file: the final spec as YAML, to save as a file.'),
    slurm: z
      .object({ profile: z.string(), schedulers: z.number().int(), actions: z.number().int(), warnings: z.array(z.string()) })
      .nullable()
      .describe('Generated Slurm schedulers (slurm only).'),
    workflow_id: z.number().int().nullable().describe('The new workflow (create_workflow only).'),
    created: z.record(z.string(), z.number().int()).nullable().describe('Records created (create_workflow only).'),
    next_steps: z.string().describe('What to do next.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  writes: (input) => input.action === 'create_workflow',
  async handler(input, ctx) {
    let spec: WorkflowSpec
    try {
      spec = parseSpec(input.spec, input.format)
    } catch (err) {
      return specFailure(err)
    }
    let slurm: { profile: string; schedulers: number; actions: number; warnings: string[] } | null = null
    if (input.workflow_type === 'slurm') {
      try {
        const generated = generateSlurm(spec, { hpcProfile: input.hpc_profile, account: input.account, overwrite: true })
        spec = generated.spec
        slurm = { profile: generated.profile_name, schedulers: generated.scheduler_count, actions: generated.action_count, warnings: generated.warnings }
      } catch (err) {
        return specFailure(err)
      }
    }
    const report = validateSpec(spec)
    const base = {
      action: input.action,
      valid: report.valid,
      errors: report.errors,
      warnings: report.warnings,
      summary: report.summary as unknown as Record<string, unknown>,
      spec_text: null,
      slurm,
      workflow_id: null,
      created: null,
    }
    if (input.action === 'validate' || !report.valid) {
      return {
        ...base,
        next_steps: report.valid
          ? 'Valid. Show the plan with get_execution_plan, then create it with action "create_workflow" after the user agrees.'
          : 'Fix the errors and validate again; nothing was created.',
      }
    }
    if (input.action === 'save_spec_file') {
      return { ...base, spec_text: stringify(spec), next_steps: 'Save spec_text as a .yaml file; `torc submit <file>` runs it on the cluster.' }
    }
    const owner = ownerOf(ctx.caller, ctx.config.TORC_USERNAME, input.user)
    const made = await create(ctx, spec, owner, input.workflow_type === 'slurm')
    return {
      ...base,
      workflow_id: made.workflow_id,
      created: made.counts,
      next_steps:
        `Created and initialized workflow ${made.workflow_id} for ${owner}. To run it, on the cluster: ` +
        (input.workflow_type === 'slurm' ? `\`torc slurm schedule-nodes ${made.workflow_id}\` or \`torc submit ${made.workflow_id}\`.` : `\`torc run ${made.workflow_id}\`.`),
    }
  },
  summarize: (out) => (out.workflow_id ? `created workflow ${out.workflow_id}` : `${out.action}: ${out.valid ? 'valid' : `${out.errors.length} errors`}`),
})

const PlanJobSchema = z.object({ id: z.number().int(), name: z.string(), depends_on_job_ids: z.array(z.number().int()).nullish() }).loose()
const ActionSchema = z.object({ trigger_type: z.string(), action_type: z.string(), action_config: z.unknown(), job_ids: z.array(z.number().int()).nullish() }).loose()
const SchedulerSchema = z.object({ id: z.number().int(), name: z.string().nullish() }).loose()

export const getExecutionPlan = defineTool({
  name: 'get_execution_plan',
  title: 'Get execution plan',
  description:
    'Show how a workflow will run: the events (start, jobs completing) that make jobs ready and the Slurm ' +
    'allocations each triggers. Give a spec (before creating it) or an existing workflow id. Returns the events ' +
    'in order with their jobs and dependencies.',
  input: z.object({
    spec_or_id: z.union([z.number().int().positive(), specText]).describe('A workflow id, or a spec as text.'),
    format: formatField,
  }),
  output: z.object({
    source: z.enum(['spec', 'database']).describe('Where the plan came from.'),
    workflow_id: z.number().int().nullable().describe('The workflow, for a database plan.'),
    workflow_name: z.string().describe('Workflow name.'),
    total_events: z.number().int().describe('Events in the plan.'),
    total_jobs: z.number().int().describe('Jobs in the workflow.'),
    root_events: z.array(z.string()).describe('Events with no prerequisites.'),
    leaf_events: z.array(z.string()).describe('Events nothing waits for.'),
    events: z.array(z.record(z.string(), z.unknown())).describe('Events: id, trigger, jobs_becoming_ready, scheduler_allocations, depends_on_events, unlocks_events.'),
  }),
  annotations: readOnly,
  async handler({ spec_or_id, format }, { torc }) {
    const asId = typeof spec_or_id === 'number' ? spec_or_id : /^\s*\d+\s*$/.test(spec_or_id) ? Number(spec_or_id) : undefined
    try {
      if (asId === undefined) {
        const plan = planExecution(spec_or_id as string, { format })
        return { ...plan, workflow_id: null, events: plan.events as unknown as Record<string, unknown>[] }
      }
      const [workflow, jobs, actions, schedulers] = await Promise.all([
        torc.get(`/workflows/${asId}`, WorkflowSchema),
        torc.list('/jobs', PlanJobSchema, { workflow_id: asId, include_relationships: true }),
        torc.get(`/workflows/${asId}/actions`, z.array(ActionSchema)),
        torc.list('/slurm_schedulers', SchedulerSchema, { workflow_id: asId }).catch(() => ({ items: [] })),
      ])
      const plan = planExecutionFromDatabase({
        workflow: { id: workflow.id, name: workflow.name },
        jobs: jobs.items as never,
        actions: actions as never,
        slurmSchedulers: schedulers.items as never,
      })
      return { ...plan, events: plan.events as unknown as Record<string, unknown>[] }
    } catch (err) {
      return specFailure(err)
    }
  },
  summarize: (out) => `${out.total_events} events for ${out.total_jobs} jobs in "${out.workflow_name}"`,
})

export const authoringTools = [createWorkflow, getExecutionPlan]
