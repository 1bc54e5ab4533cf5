import { describe, expect, it } from 'vitest'
import { tutorialTimeoutWorkflow } from '../../scripts/torc-seed.ts'
import { callBoth, mcpClient, rest } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner, torcApi } from '../helpers/worker-torc.ts'

/**
 * recover_workflow on the failures other than OOM: a job Torc terminated at its runtime, a job left
 * running by a runner that vanished, a job with no requirements of its own, a workflow with nothing
 * to recover, and unknown failures while jobs still run.
 */
const timeoutWorkflow = (name: string) => tutorialTimeoutWorkflow(torcApi, name)

describe('recover_workflow: timeout, orphans, nothing to do', () => {
  it('raises runtime 1.4x for the job Torc terminated, leaving the completed job alone', async () => {
    const wf = await timeoutWorkflow('timeout')
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    const slow = preview.jobs.find((j: { job_name: string }) => j.job_name === 'job_slow')
    expect(slow).toMatchObject({
      cause: 'timeout',
      action: 'retry',
      runtime: { old: 'PT5M', new: 'PT7M' },
      memory: null,
    })
    expect(preview.adjustments[0]).toMatchObject({
      runtime: { new: 'PT7M' },
      shared_with_job_ids: [wf.jobIds.get('job_fast')],
    })
    // Applied through MCP this time (the OOM test, recovery-oom.test.ts, applies through REST).
    const client = await mcpClient()
    const result = await client.callTool({
      name: 'recover_workflow',
      arguments: { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id },
    })
    await client.close()
    expect(result.isError ?? false).toBe(false)
    const applied = result.structuredContent as { applied: { jobs_reset: number[] }; next_steps: string }
    expect(applied.applied.jobs_reset).toEqual([wf.jobIds.get('job_slow')])
    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status.job_counts_by_status).toMatchObject({ ready: 1, completed: 1, terminated: 0 })
    expect(applied.next_steps).toContain(`torc run ${wf.id}`)
  })

  it('detects a job still marked running after its runner vanished, fails it with -128 and retries it', async () => {
    const wf = await createWorkflow({ name: 'orphan', jobs: [{ name: 'done' }, { name: 'stuck' }] })
    await drive(wf, (job) =>
      job === 'done' ? { status: 'completed', return_code: 0, exec_time_minutes: 1 } : undefined
    )
    await stopRunner(wf)
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.orphaned_running_jobs).toEqual([
      { job_id: wf.jobIds.get('stuck'), job_name: 'stuck', compute_node_id: wf.computeNodeId },
    ])
    expect(preview.jobs[0]).toMatchObject({ cause: 'node_failure', action: 'retry' })
    expect(preview.can_apply).toBe(true)
    const applied = (await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id }))
      .body
    expect(applied.applied.orphans_failed).toEqual([wf.jobIds.get('stuck')])
    const results = await callBoth('list_results', { workflow_id: wf.id, status: 'failed' })
    expect(results.total).toBe(0)
    const status = await callBoth('get_workflow_status', { workflow_id: wf.id })
    expect(status.job_counts_by_status).toMatchObject({ ready: 1, completed: 1, running: 0 })
  })

  it('a job without requirements runs on the workflow\'s "default" requirement; raising it is shown as shared', async () => {
    const wf = await createWorkflow({ name: 'no-requirements', jobs: [{ name: 'greedy' }, { name: 'modest' }] })
    await drive(wf, (job) =>
      job === 'greedy'
        ? { status: 'failed', return_code: 137, exec_time_minutes: 0.2, peak_memory_bytes: 500 * 1024 ** 2 }
        : { status: 'completed', return_code: 0, exec_time_minutes: 0.1 }
    )
    await stopRunner(wf)
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.adjustments).toHaveLength(1)
    expect(preview.adjustments[0]).toMatchObject({
      name: 'default',
      memory: { old: '1m', new: '550m' },
      shared_with_job_ids: [wf.jobIds.get('modest')],
    })
  })

  it('says plainly when there is nothing to recover, and refuses to apply', async () => {
    const wf = await createWorkflow({ name: 'all-good', jobs: [{ name: 'a' }] })
    await drive(wf, () => ({ status: 'completed', return_code: 0, exec_time_minutes: 1 }))
    await stopRunner(wf)
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview).toMatchObject({
      can_apply: false,
      jobs_to_retry: [],
      summary: 'No failed, terminated or orphaned jobs: nothing to recover.',
    })
    const apply = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id })
    expect(apply.status).toBe(409)
    expect(apply.body.error.message).toContain('nothing to recover')
  })

  it('does not retry unknown failures unless asked, and is blocked while jobs still run', async () => {
    const wf = await createWorkflow({ name: 'unknown', jobs: [{ name: 'bad' }, { name: 'slow' }] })
    await drive(wf, (job) => (job === 'bad' ? { status: 'failed', return_code: 1, exec_time_minutes: 0.1 } : undefined))
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.jobs.find((j: { job_name: string }) => j.job_name === 'bad')).toMatchObject({
      cause: 'unknown',
      action: 'skip',
    })
    expect(preview.blockers.join(' ')).toContain('still ready, pending or running')
    const withUnknown = await callBoth('recover_workflow', { workflow_id: wf.id, retry_unknown: true })
    expect(withUnknown.jobs_to_retry).toEqual([wf.jobIds.get('bad')])
    const apply = await rest('recover_workflow', {
      workflow_id: wf.id,
      dry_run: false,
      plan_id: withUnknown.plan_id,
      retry_unknown: true,
    })
    expect(apply.status).toBe(409)
    expect(apply.body.error.message).toMatch(/^cannot apply this plan now: .*still ready, pending or running/)
    expect(await rest('get_workflow_status', { workflow_id: wf.id })).toMatchObject({
      body: { run_id: 1, job_counts_by_status: { failed: 1, running: 1 } },
    })
  })
})
