/**
 * The MCP Apps views (extension io.modelcontextprotocol/ui): one `ui://` resource each, linked from
 * the tools whose answers they show by `_meta.ui.resourceUri` in tools/list. Shared by the Worker
 * (which serves them) and the views themselves (which read their name from the page).
 */
export const VIEW_NAMES = ['dashboard', 'graph', 'resources', 'logs', 'review'] as const
export type ViewName = (typeof VIEW_NAMES)[number]

export interface ViewInfo {
  name: ViewName
  uri: string
  title: string
  description: string
}

const info = (name: ViewName, title: string, description: string): ViewInfo => ({
  name,
  uri: `ui://torc-edge/${name}.html`,
  title,
  description,
})

export const VIEWS: Record<ViewName, ViewInfo> = {
  dashboard: info(
    'dashboard',
    'Workflow dashboard',
    'Jobs by status, run, completion, the slowest and failing ' +
      'jobs and allocations of a workflow; or a list of workflows.'
  ),
  graph: info(
    'graph',
    'Job graph',
    'The dependency graph by stage, each job coloured by its status; failed jobs open their logs.'
  ),
  resources: info(
    'resources',
    'Resource use',
    'Requested against peak memory, CPU and runtime, per job or per requirement group, over-limit jobs marked.'
  ),
  logs: info(
    'logs',
    'Job logs',
    "A log's tail with the analyzer's findings highlighted, a grep box and load more; or a workflow's log analysis."
  ),
  review: info(
    'review',
    'Change review',
    'A previewed change as a table (job, cause, old -> new) with an Apply button that sends the confirm call.'
  ),
}
