import { z } from 'zod'
import { mapConcurrent } from '../concurrency.ts'
import { defineTool } from '../registry.ts'
import type { TorcClient } from '../torc/client.ts'
import { reportDuration } from '../torc/format.ts'
import { JOB_STATUSES, WorkflowSchema, type WorkflowStatus, WorkflowStatusSchema } from '../torc/schemas.ts'
import { allocationSummary, summarizeAllocations } from './allocation-summary.ts'
import { fitPage, limit, offset, pageInfo, readOnly, workflowId } from './fields.ts'

const statusCounts = z
  .object(Object.fromEntries(JOB_STATUSES.map((s) => [s, z.number().int().describe(`Jobs in status ${s}.`)])))
  .describe('Number of jobs in each of the 11 statuses (zero included).')

/** The server aggregates counts in SQL (GET /workflows/{id}/status, new in Torc 1.0): one call at any size. */
const fetchStatus = (torc: TorcClient, id: number) => torc.get(`/workflows/${id}/status`, WorkflowStatusSchema)

const countsOf = (status: WorkflowStatus) => ({ ...status.jobs_by_status })

export const listWorkflows = defineTool({
  name: 'list_workflows',
  title: 'List workflows',
  description:
    'List the workflows in Torc, newest first, with their owner, description, job count and completion. ' +
    'Use this to answer "what workflows exist?" or to find a workflow id before calling other tools. ' +
    'Filters: user, name (substring), archived. Returns a page of workflows with total and has_more.',
  input: z.object({
    user: z.string().min(1).optional().describe('Only workflows owned by this user.'),
    name: z.string().min(1).optional().describe('Only workflows whose name contains this text.'),
    archived: z.boolean().default(false).describe('List archived workflows instead of active ones (default false).'),
    // Each workflow listed costs one status call: 40 keeps a page within the Workers free plan's 50 subrequests.
    limit: limit(20, 40),
    offset,
  }),
  output: z.object({
    ...pageInfo,
    workflows: z
      .array(
        z.object({
          id: z.number().int().describe('Workflow id.'),
          name: z.string().describe('Workflow name.'),
          user: z.string().describe('Owner.'),
          description: z.string().nullable().describe('Description, if any.'),
          project: z.string().nullable().describe('Project, if any.'),
          timestamp: z.string().nullable().describe('Creation time as Torc recorded it.'),
          is_archived: z.boolean().describe('Archived.'),
          is_canceled: z.boolean().describe('Canceled by a user or scheduler.'),
          is_complete: z.boolean().describe('No job left to run.'),
          job_count: z.number().int().describe('Jobs in the workflow.'),
          job_counts_by_status: statusCounts,
        })
      )
      .describe('The workflows on this page, newest first.'),
  }),
  annotations: readOnly,
  view: 'dashboard',
  async handler(input, { torc }) {
    const query = {
      user: input.user,
      is_archived: input.archived,
      sort_by: 'id',
      reverse_sort: true,
    }
    // Torc's `name` filter is an exact match; a substring filter is what people mean, so it is
    // applied here over the (bounded) listing instead.
    const { items, total } = input.name
      ? await torc.list('/workflows', WorkflowSchema, query)
      : await torc.list('/workflows', WorkflowSchema, query, { offset: input.offset, limit: input.limit })
    const needle = input.name?.toLowerCase()
    const matching = needle ? items.filter((w) => w.name.toLowerCase().includes(needle)) : items
    const pageItems = needle ? matching.slice(input.offset, input.offset + input.limit) : matching
    const statuses = await mapConcurrent(pageItems, 6, (w) => fetchStatus(torc, w.id))
    const workflows = pageItems.map((w, i) => {
      const status = statuses[i]!
      return {
        id: w.id,
        name: w.name,
        user: w.user,
        description: w.description ?? null,
        project: w.project ?? null,
        timestamp: w.timestamp ?? null,
        is_archived: w.is_archived ?? false,
        is_canceled: status.is_canceled,
        is_complete: status.is_complete,
        job_count: status.total_jobs,
        job_counts_by_status: countsOf(status),
      }
    })
    const fitted = fitPage(workflows, needle ? matching.length : total, input.offset)
    return { ...fitted.page, workflows: fitted.items }
  },
  summarize: (out) => `${out.count} of ${out.total} workflows`,
})

export const getWorkflowStatus = defineTool({
  name: 'get_workflow_status',
  title: 'Get workflow status',
  description:
    "Get a workflow's status: name, owner, description, run number, how many jobs are in each status " +
    '(completed, failed, running, …) and its Slurm allocations queued, running or finished (live through the ' +
    'login-node agent). Use this first when asked how a workflow is doing or whether anything is running.',
  input: z.object({ workflow_id: workflowId }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    name: z.string().describe('Workflow name.'),
    user: z.string().describe('Owner.'),
    description: z.string().nullable().describe('Description, if any.'),
    run_id: z.number().int().nullable().describe('Current run number; it grows on each restart or recovery.'),
    total_jobs: z.number().int().describe('Jobs in the workflow.'),
    job_counts_by_status: statusCounts,
    is_complete: z.boolean().describe('True when no job is left to run.'),
    is_canceled: z.boolean().describe('True when the workflow was canceled.'),
    is_archived: z.boolean().describe('True when the workflow is archived.'),
    allocations: allocationSummary,
  }),
  annotations: readOnly,
  view: 'dashboard',
  async handler({ workflow_id }, ctx) {
    const { torc } = ctx
    const [workflow, status, allocations] = await Promise.all([
      torc.get(`/workflows/${workflow_id}`, WorkflowSchema),
      fetchStatus(torc, workflow_id),
      summarizeAllocations(ctx, workflow_id),
    ])
    return {
      workflow_id,
      name: workflow.name,
      user: workflow.user,
      description: workflow.description ?? null,
      run_id: workflow.run_id ?? null,
      total_jobs: status.total_jobs,
      job_counts_by_status: countsOf(status),
      is_complete: status.is_complete,
      is_canceled: status.is_canceled,
      is_archived: workflow.is_archived ?? false,
      allocations,
    }
  },
  summarize: (out) => {
    const nonZero = Object.entries(out.job_counts_by_status).filter(([, n]) => n > 0)
    return (
      `workflow ${out.workflow_id} "${out.name}": ${out.total_jobs} ` +
      `jobs (${nonZero.map(([s, n]) => `${n} ${s}`).join(', ') || 'none'})`
    )
  },
})

export const getWorkflowSummary = defineTool({
  name: 'get_workflow_summary',
  title: 'Get workflow summary',
  description:
    "Get a workflow's completion summary: job counts by status, total execution time, walltime, and the " +
    'compute nodes and Slurm allocations still active or pending. Use this for a quick overview of results ' +
    'or to see whether anything is still running.',
  input: z.object({ workflow_id: workflowId }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    workflow_name: z.string().describe('Workflow name.'),
    workflow_user: z.string().describe('Owner.'),
    total_jobs: z.number().int().describe('Jobs in the workflow.'),
    jobs_by_status: statusCounts,
    total_exec_time_minutes: z.number().describe("Sum of the current results' execution times, in minutes."),
    total_exec_time_formatted: z.string().describe('The same, as "1h 2m 3s".'),
    walltime_seconds: z
      .number()
      .nullable()
      .describe('From the first job start to the last completion, if any job finished.'),
    walltime_formatted: z.string().nullable().describe('The same, as "1h 2m 3s".'),
    active_compute_nodes: z.number().int().describe('Job runners currently active.'),
    pending_scheduled_nodes: z.number().int().describe('Slurm allocations submitted but not started.'),
    active_scheduled_nodes: z.number().int().describe('Slurm allocations running.'),
    is_complete: z.boolean().describe('True when no job is left to run.'),
    is_canceled: z.boolean().describe('True when the workflow was canceled.'),
  }),
  annotations: readOnly,
  view: 'dashboard',
  async handler({ workflow_id }, { torc }) {
    const s = await fetchStatus(torc, workflow_id)
    const walltime = s.walltime_seconds ?? null
    return {
      workflow_id: s.workflow_id,
      workflow_name: s.workflow_name,
      workflow_user: s.workflow_user,
      total_jobs: s.total_jobs,
      jobs_by_status: countsOf(s),
      total_exec_time_minutes: s.total_exec_time_minutes,
      total_exec_time_formatted: reportDuration(s.total_exec_time_minutes * 60),
      walltime_seconds: walltime,
      walltime_formatted: walltime === null ? null : reportDuration(walltime),
      active_compute_nodes: s.active_compute_nodes,
      pending_scheduled_nodes: s.pending_scheduled_nodes,
      active_scheduled_nodes: s.active_scheduled_nodes,
      is_complete: s.is_complete,
      is_canceled: s.is_canceled,
    }
  },
  summarize: (out) =>
    `workflow ${out.workflow_id}: ${out.jobs_by_status.completed}/${out.total_jobs} completed, ` +
    `${out.jobs_by_status.failed} failed, exec time ${out.total_exec_time_formatted}`,
})

export const workflowTools = [listWorkflows, getWorkflowStatus, getWorkflowSummary]
