import { describe, expect, it } from 'vitest'
import type { ToolName } from '../../src/tools/index.ts'
import { applyVia, callBoth, mcpClient, rest } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner, torcApi } from '../helpers/worker-torc.ts'
import { counts, previewThenApply } from './control-helpers.ts'

/**
 * The control tools' confirm calls sent through MCP, and a confirm call refused on both faces when
 * the workflow changed between its preview and its apply.
 */

/** An apply after the workflow changed: refused with 409 on both faces. */
async function expectStale(name: ToolName, input: Record<string, unknown> & { plan_id: string }, workflow: number) {
  const stale = `workflow ${workflow} changed since plan ${input.plan_id} was previewed`
  const viaRest = await rest(name, { ...input, dry_run: false })
  expect(viaRest.status, JSON.stringify(viaRest.body)).toBe(409)
  expect(viaRest.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining(stale) })
  const client = await mcpClient()
  const viaMcp = await client.callTool({ name, arguments: { ...input, dry_run: false } })
  await client.close()
  expect(viaMcp.isError).toBe(true)
  expect(JSON.stringify(viaMcp.content)).toContain(stale)
}

describe('applying through MCP', () => {
  it('cancel_workflow', async () => {
    const wf = await createWorkflow({ name: 'cancel-mcp', jobs: [{ name: 'a' }, { name: 'b' }] })
    await drive(wf, () => undefined)
    const { applied } = await previewThenApply('cancel_workflow', { workflow_id: wf.id }, 'mcp')
    expect(applied).toMatchObject({ dry_run: false, applied: { jobs_by_status_after: { canceled: 2, running: 0 } } })
    expect((await callBoth('get_workflow_status', { workflow_id: wf.id })).is_canceled).toBe(true)
  })

  it('cancel_jobs', async () => {
    const wf = await createWorkflow({ name: 'cancel-jobs-mcp', jobs: [{ name: 'x' }, { name: 'y' }] })
    const { applied } = await previewThenApply('cancel_jobs', { job_ids: [wf.jobIds.get('x')] }, 'mcp')
    expect(applied.applied.jobs_canceled).toEqual([wf.jobIds.get('x')])
    expect(await counts(wf.id)).toMatchObject({ canceled: 1, ready: 1 })
  })

  it('classify_and_resolve_failures', async () => {
    const wf = await createWorkflow({ name: 'classify-mcp', jobs: [{ name: 'flaky' }] })
    await drive(wf, () => ({ status: 'pending_failed', return_code: 75, exec_time_minutes: 0.1 }))
    const input = {
      workflow_id: wf.id,
      classifications: [{ job_id: wf.jobIds.get('flaky'), action: 'retry', reason: 'network blip' }],
    }
    const { applied } = await previewThenApply('classify_and_resolve_failures', input, 'mcp')
    expect(applied.applied).toEqual({ retried: [{ job_id: wf.jobIds.get('flaky'), attempt_id: 2 }], failed: [] })
    expect(applied.next_steps).toContain(`\`torc run ${wf.id}\``)
    expect(await callBoth('get_job_details', { job_id: wf.jobIds.get('flaky') })).toMatchObject({
      status: 'ready',
      attempt_id: 2,
    })
  })
})

describe('a change between preview and apply is refused and changes nothing', () => {
  it('restart_failed_jobs', async () => {
    const wf = await createWorkflow({ name: 'restart-race', jobs: [{ name: 'f1' }, { name: 'f2' }] })
    await drive(wf, () => ({ status: 'failed', return_code: 1, exec_time_minutes: 0.1 }))
    await stopRunner(wf)
    const all = await callBoth('restart_failed_jobs', { workflow_id: wf.id })
    // Someone restarts f1 alone in between.
    const one = await callBoth('restart_failed_jobs', { workflow_id: wf.id, job_ids: [wf.jobIds.get('f1')] })
    await applyVia('rest', 'restart_failed_jobs', {
      workflow_id: wf.id,
      job_ids: [wf.jobIds.get('f1')],
      plan_id: one.plan_id,
    })
    await expectStale('restart_failed_jobs', { workflow_id: wf.id, plan_id: all.plan_id }, wf.id)
    expect(await counts(wf.id)).toMatchObject({ ready: 1, failed: 1 })
    expect((await callBoth('get_workflow_status', { workflow_id: wf.id })).run_id).toBe(2)
  })

  it('cancel_jobs', async () => {
    const wf = await createWorkflow({ name: 'cancel-race', jobs: [{ name: 'x' }] })
    const preview = await callBoth('cancel_jobs', { job_ids: [wf.jobIds.get('x')] })
    // A job runner claims it in between.
    await torcApi('POST', `/workflows/${wf.id}/claim_next_jobs?limit=10`)
    await expectStale('cancel_jobs', { job_ids: [wf.jobIds.get('x')], plan_id: preview.plan_id }, wf.id)
    expect(await counts(wf.id)).toMatchObject({ pending: 1, canceled: 0 })
  })

  it('classify_and_resolve_failures', async () => {
    const wf = await createWorkflow({ name: 'classify-race', jobs: [{ name: 'p' }] })
    await drive(wf, () => ({ status: 'pending_failed', return_code: 3, exec_time_minutes: 0.1 }))
    const input = { workflow_id: wf.id, classifications: [{ job_id: wf.jobIds.get('p'), action: 'fail' }] }
    const preview = await callBoth('classify_and_resolve_failures', input)
    // Someone else moves it on in between.
    await torcApi('PUT', `/jobs/${wf.jobIds.get('p')}/manage_status_change/ready/${wf.runId}`)
    await expectStale('classify_and_resolve_failures', { ...input, plan_id: preview.plan_id }, wf.id)
    expect(await callBoth('get_job_details', { job_id: wf.jobIds.get('p') })).toMatchObject({
      status: 'ready',
      attempt_id: 1,
    })
  })
})
