/** get_execution_plan: what makes each job ready, from a spec or from a workflow in Torc. */
import { z } from 'zod'
import { defineTool } from '../registry.ts'
import { WorkflowSchema } from '../torc/schemas.ts'
import { compiled } from '../validation/compiled.ts'
import { planExecution, planExecutionFromDatabase } from '../workflow-spec/index.ts'
import { eventSchema, shortEvents } from './authoring.schemas.ts'
import { formatField, parseBounded, specFailure, specText } from './authoring.ts'
import { readOnly } from './fields.ts'

const PlanJobSchema = compiled(
  'torc:PlanJob',
  z.object({ id: z.number().int(), name: z.string(), depends_on_job_ids: z.array(z.number().int()).nullish() }).loose()
)
const ActionSchema = z
  .object({
    trigger_type: z.string(),
    action_type: z.string(),
    action_config: z.unknown(),
    job_ids: z.array(z.number().int()).nullish(),
  })
  .loose()
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
    workflow_id: z
      .number()
      .int()
      .optional()
      .describe('The workflow, for a database plan (absent for a spec, as in torc).'),
    workflow_name: z.string().describe('Workflow name.'),
    total_events: z.number().int().describe('Events in the plan.'),
    total_jobs: z.number().int().describe('Jobs in the workflow.'),
    root_events: z.array(z.string()).describe('Events with no prerequisites.'),
    leaf_events: z.array(z.string()).describe('Events nothing waits for.'),
    events: z.array(eventSchema).describe('The events in order (as many as fit one answer; see events_truncated).'),
    events_truncated: z
      .boolean()
      .describe('(torc-edge) Later events were left out to keep the answer small; total_events counts them all.'),
  }),
  annotations: readOnly,
  view: 'graph',
  async handler({ spec_or_id, format }, { torc }) {
    const asId =
      typeof spec_or_id === 'number' ? spec_or_id : /^\s*\d+\s*$/.test(spec_or_id) ? Number(spec_or_id) : undefined
    try {
      if (asId === undefined) {
        const plan = planExecution(parseBounded(spec_or_id as string, format).spec)
        return { ...plan, ...shortEvents(plan.events) }
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
      return { ...plan, workflow_id: asId, ...shortEvents(plan.events) }
    } catch (err) {
      return specFailure(err)
    }
  },
  summarize: (out) => `${out.total_events} events for ${out.total_jobs} jobs in "${out.workflow_name}"`,
})

export const executionPlanTools = [getExecutionPlan]
