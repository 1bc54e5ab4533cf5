/**
 * Which renderer draws an answer: by the tool that gave it (the host's toolInfo, or the tool a
 * view called itself), else by the answer's shape (hosts that do not say which tool it was).
 */
import type { ViewName } from '../catalog.ts'
import { renderWorkflow, renderWorkflowList } from './dashboard.ts'
import { type Child, h } from './dom.ts'
import { renderGraph } from './graph.ts'
import type { Shown, ViewContext } from './host.ts'
import { renderLog, renderLogAnalysis } from './logs.ts'
import { renderUsage, renderUtilization } from './resources.ts'
import { renderReview } from './review.ts'

type Render = (ctx: ViewContext) => Child

const BY_TOOL: Record<string, Render> = {
  list_workflows: renderWorkflowList,
  get_workflow_status: renderWorkflow,
  get_workflow_summary: renderWorkflow,
  get_execution_plan: renderGraph,
  check_resource_utilization: renderUtilization,
  analyze_resource_usage: renderUsage,
  get_job_logs: renderLog,
  analyze_workflow_logs: renderLogAnalysis,
  create_workflow: renderReview,
}

/** Every write tool answers in the change envelope (src/changes/define.ts). */
const isEnvelope = (data: Record<string, unknown>) => 'plan_id' in data && 'confirm' in data && 'next_steps' in data

/** The tool an answer came from, by its shape, for hosts that do not say (toolInfo is optional). */
export function inferTool(data: Record<string, unknown>): string {
  const confirm = data.confirm as { tool?: unknown } | null | undefined
  if (isEnvelope(data) && typeof confirm?.tool === 'string') return confirm.tool
  if ('jobs_to_retry' in data && 'adjustments' in data) return 'recover_workflow'
  if ('workflows' in data) return 'list_workflows'
  if ('events' in data && 'root_events' in data) return 'get_execution_plan'
  if ('resource_groups' in data) return 'analyze_resource_usage'
  if ('violations' in data) return 'check_resource_utilization'
  if ('content' in data && 'bytes_read' in data) return 'get_job_logs'
  if ('errors_by_type' in data) return 'analyze_workflow_logs'
  if ('job_counts_by_status' in data) return 'get_workflow_status'
  if ('jobs_by_status' in data) return 'get_workflow_summary'
  if ('action' in data && 'valid' in data) return 'create_workflow'
  return ''
}

export function renderer(view: ViewName, shown: Shown): Render {
  const render = BY_TOOL[shown.tool] ?? BY_TOOL[inferTool(shown.data)]
  if (render) return render
  if (isEnvelope(shown.data) || view === 'review') return renderReview
  return renderUnknown
}

const renderUnknown: Render = (ctx) =>
  h('p', { class: 'muted' }, `No view for ${ctx.shown.tool || 'this answer'}: the assistant has the full answer.`)
