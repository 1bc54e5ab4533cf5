/**
 * What the control-tool integration tests share (control-apply.test.ts, control-confirm.test.ts): a
 * workflow's job counts read over REST, and a write tool's preview followed by its confirm call.
 */
import { expect } from 'vitest'
import type { ToolName } from '../../src/tools/index.ts'
import { callBoth, rest, sendConfirm } from '../helpers/worker-faces.ts'

/** REST only: Torc's background task may change counts between the MCP and REST calls of callBoth. */
export const counts = async (id: number) =>
  (await rest('get_workflow_status', { workflow_id: id })).body.job_counts_by_status

export async function previewThenApply(name: ToolName, input: Record<string, unknown>, face: 'rest' | 'mcp' = 'rest') {
  const preview = await callBoth(name, input)
  expect(preview).toMatchObject({ status: 'preview', dry_run: true, applied: null })
  // The preview's confirm call is exactly this call with dry_run=false and the plan_id.
  expect(preview.confirm).toMatchObject({
    tool: name,
    arguments: { ...input, dry_run: false, plan_id: preview.plan_id },
  })
  const applied = await sendConfirm(face, preview.confirm)
  expect(applied).toMatchObject({ status: 'applied', dry_run: false, plan_id: preview.plan_id, confirm: null })
  return { preview, applied }
}
