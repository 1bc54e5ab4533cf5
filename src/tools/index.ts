import type { AnyTool } from '../registry.ts'
import { classifyTools } from './classify.ts'
import { controlTools } from './control.ts'
import { creationTools } from './create-workflow.ts'
import { docsTools } from './docs.ts'
import { executionPlanTools } from './execution-plan.ts'
import { jobTools } from './jobs.ts'
import { journalTools } from './journals.ts'
import { logTools } from './logs.ts'
import { recoveryTools } from './recovery.ts'
import { regroupTools } from './regroup.ts'
import { resourceTools } from './resources.ts'
import { resultTools } from './results.ts'
import { slurmTools } from './slurm.ts'
import { submitTools } from './submit.ts'
import { usageTools } from './usage.ts'
import { utilizationTools } from './utilization.ts'
import { watchTools } from './watch.ts'
import { workflowTools } from './workflows.ts'

const registry = [
  ...workflowTools,
  ...jobTools,
  ...resultTools,
  ...logTools,
  ...utilizationTools,
  ...slurmTools,
  ...journalTools,
  ...resourceTools,
  ...regroupTools,
  ...usageTools,
  ...recoveryTools,
  ...classifyTools,
  ...controlTools,
  ...submitTools,
  ...watchTools,
  ...creationTools,
  ...executionPlanTools,
  ...docsTools,
]

/** The one registry every face loops over, in a stable order: inspect, then diagnose, then fix. */
export const tools = registry as readonly (AnyTool & { name: ToolName })[]

/**
 * Every tool's name, as a type: test helpers and other callers take a ToolName, so a misspelt or
 * removed tool fails the typecheck instead of a call at run time.
 */
export type ToolName = (typeof registry)[number]['name']

const seen = new Set<string>()
for (const tool of tools) {
  if (seen.has(tool.name)) throw new Error(`duplicate tool name: ${tool.name}`)
  seen.add(tool.name)
}
