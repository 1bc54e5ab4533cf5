import type { Client } from '@modelcontextprotocol/client'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { tutorialOomWorkflow } from '../../scripts/torc-seed.ts'
import { mcpClient } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner, torcApi } from '../helpers/worker-torc.ts'

/**
 * The conversations of Torc's tutorial (AI-assisted workflow management), as the tutorial makes
 * them: the same tools, arguments and order, over MCP like Claude Code, against the real
 * torc-server. Each answer must carry what the tutorial's assistant then tells the user.
 */
type Json = Record<string, any>
let client: Client

beforeEach(async () => {
  client = await mcpClient()
})
afterEach(async () => {
  await client.close()
})

async function call(name: string, args: Json): Promise<Json> {
  const result = await client.callTool({ name, arguments: args })
  expect(result.isError ?? false, JSON.stringify(result.content).slice(0, 800)).toBe(false)
  return result.structuredContent as Json
}

describe('"Check the resource utilization for workflow 20", then "yes" to 7 CPUs', () => {
  it('finds the CPU over-use, points at update_job_resources, and one confirmation changes only that job', async () => {
    const wf = await createWorkflow({
      name: 'cpu-tutorial',
      resources: { shared: { num_cpus: 3, memory: '1g', runtime: 'PT15M' } },
      jobs: [
        { name: 'cpu_heavy_job', resources: 'shared' },
        { name: 'light_a', resources: 'shared' },
        { name: 'light_b', resources: 'shared' },
      ],
    })
    await drive(wf, (job) => ({
      status: 'completed',
      return_code: 0,
      exec_time_minutes: 2,
      peak_cpu_percent: job === 'cpu_heavy_job' ? 602.5 : 90,
      peak_memory_bytes: 200 * 1024 ** 2,
    }))
    await stopRunner(wf)
    const heavy = wf.jobIds.get('cpu_heavy_job')!

    const report = await call('check_resource_utilization', { workflow_id: wf.id })
    expect(report.over_utilization_count).toBe(1)
    expect(report.violations).toEqual([
      expect.objectContaining({ job_id: heavy, job_name: 'cpu_heavy_job', resource_type: 'CPU', peak_used: '602.5%' }),
    ])
    // Nothing failed: recover_workflow would have nothing to recover. The next call is update_job_resources.
    expect(report.guidance).not.toContain('recover_workflow(')
    expect(report.guidance).toContain(`update_job_resources(job_id=${heavy}, num_cpus=7)`)

    // "> yes" -> update_job_resources(job_id: 264, num_cpus: 7): the requirement is shared, so by default
    // only this job changes; the answer is the preview and exactly what to send.
    const preview = await call('update_job_resources', { job_id: heavy, num_cpus: 7 })
    expect(preview).toMatchObject({
      status: 'preview',
      action: 'copy_for_job',
      previous: { num_cpus: 3, memory: '1g', runtime: 'PT15M' },
      proposed: { num_cpus: 7, memory: '1g', runtime: 'PT15M' },
      shared_with_count: 2,
      can_apply: true,
    })
    expect(preview.confirm).toEqual({
      tool: 'update_job_resources',
      arguments: { job_id: heavy, num_cpus: 7, scope: 'job', dry_run: false, plan_id: preview.plan_id },
    })
    const done = await call(preview.confirm.tool, preview.confirm.arguments)
    expect(done.status).toBe('applied')
    // "CPUs 7 (was 3), Memory 1g, Runtime 15 minutes"
    expect(done.applied.current).toEqual({ num_cpus: 7, memory: '1g', runtime: 'PT15M' })
    const job = await torcApi<Json>('GET', `/jobs/${heavy}`)
    const rr = await torcApi<Json>('GET', `/resource_requirements/${job.resource_requirements_id}`)
    expect(rr).toMatchObject({ num_cpus: 7, memory: '1g', runtime: 'PT15M' })
    const other = await torcApi<Json>('GET', `/jobs/${wf.jobIds.get('light_a')}`)
    expect((await torcApi<Json>('GET', `/resource_requirements/${other.resource_requirements_id}`)).num_cpus).toBe(3)
  })
})

describe('"Analyze the logs for workflow 16" (the OOM test workflow), then recovery at 3.5x', () => {
  it('follows the tutorial call for call, and its dry_run=false without plan_id applies what was previewed', async () => {
    const wf = await tutorialOomWorkflow(torcApi, 'oom_test')
    const failed = ['work_1', 'work_2', 'work_3'].map((n) => wf.jobIds.get(n))

    // No log files exist; the guidance comes from the jobs' results, not from log lines.
    const logs = await call('analyze_workflow_logs', { workflow_id: wf.id })
    expect(logs.error_count).toBe(0)
    expect(logs.recovery).toMatchObject({ jobs_out_of_memory: 3, jobs_timed_out: 0, oom_lines: 0 })
    expect(logs.recovery.tool_call_example).toMatchObject({
      tool: 'recover_workflow',
      parameters: { workflow_id: wf.id },
    })

    const status = await call('get_workflow_status', { workflow_id: wf.id })
    expect(status.job_counts_by_status).toMatchObject({ completed: 7, failed: 3 })
    const failedJobs = await call('list_failed_jobs', { workflow_id: wf.id })
    expect(failedJobs.failed_jobs.map((j: Json) => j.job_id).sort()).toEqual(failed)
    const report = await call('check_resource_utilization', { workflow_id: wf.id, include_failed: true })
    expect(report.resource_violations.map((f: Json) => f.cause)).toEqual(['oom', 'oom', 'oom'])
    expect(report.jobs_over_count).toBe(10)

    // "> yes" -> recover_workflow(workflow_id: 16, dry_run: true)
    const first = await call('recover_workflow', { workflow_id: wf.id, dry_run: true })
    expect(first).toMatchObject({ dry_run: true, memory_multiplier: 1.5 })
    expect(first.adjustments[0].memory).toMatchObject({ old: '10g', new: '33g' })
    // "> 2" -> recover_workflow(workflow_id: 16, dry_run: true, memory_multiplier: 3.5)
    const custom = await call('recover_workflow', { workflow_id: wf.id, dry_run: true, memory_multiplier: 3.5 })
    expect(custom).toMatchObject({ dry_run: true, memory_multiplier: 3.5, warnings: [] })
    expect(custom.adjustments[0].memory).toMatchObject({ old: '10g', new: '35g' })
    // "> yes" -> recover_workflow(workflow_id: 16, dry_run: false, memory_multiplier: 3.5), no plan_id:
    // the same caller previewed exactly this plan, so it is applied.
    const applied = await call('recover_workflow', { workflow_id: wf.id, dry_run: false, memory_multiplier: 3.5 })
    expect(applied).toMatchObject({
      status: 'applied',
      dry_run: false,
      memory_multiplier: 3.5,
      plan_id: custom.plan_id,
    })
    expect(applied.applied.requirements_updated).toEqual([expect.objectContaining({ memory: '35g' })])
    expect(applied.applied.jobs_reset).toEqual(failed)

    // get_workflow_status: "Completed 7, Ready 3"
    const after = await call('get_workflow_status', { workflow_id: wf.id })
    expect(after.job_counts_by_status).toMatchObject({ completed: 7, ready: 3, failed: 0 })
  })

  it('an apply whose parameters differ from the preview it names says which parameter differs', async () => {
    const wf = await tutorialOomWorkflow(torcApi, 'oom_test_mismatch')
    const custom = await call('recover_workflow', { workflow_id: wf.id, dry_run: true, memory_multiplier: 3.5 })
    const result = await client.callTool({
      name: 'recover_workflow',
      arguments: { workflow_id: wf.id, dry_run: false, plan_id: custom.plan_id },
    })
    expect(result.isError).toBe(true)
    const text = JSON.stringify(result.content)
    expect(text).toContain('memory_multiplier: the preview used 3.5, this call nothing (the default)')
    expect((await torcApi<Json>('GET', `/workflows/${wf.id}`)).run_id).toBe(1)
  })

  it('without any preview, dry_run=false answers with the preview and the one call that confirms it', async () => {
    const wf = await tutorialOomWorkflow(torcApi, 'oom_test_unconfirmed')
    const first = await call('recover_workflow', { workflow_id: wf.id, dry_run: false, memory_multiplier: 3.5 })
    // A preview made by this call itself is not a confirmation by the user.
    expect(first).toMatchObject({ status: 'needs_confirmation', dry_run: true, applied: null })
    expect(first.confirm.arguments).toMatchObject({ dry_run: false, plan_id: first.plan_id, memory_multiplier: 3.5 })
    expect((await torcApi<Json>('GET', `/workflows/${wf.id}`)).run_id).toBe(1)
    const applied = await call(first.confirm.tool, first.confirm.arguments)
    expect(applied.status).toBe('applied')
  })
})

describe('"Restart the failed jobs with doubled memory"', () => {
  it('applies an explicit 2x as given (200m, not the 349m peak floor) and warns that it is below the peak', async () => {
    const wf = await createWorkflow({
      name: 'doubled',
      resources: { small: { num_cpus: 1, memory: '100m', runtime: 'PT10M' } },
      jobs: [{ name: 'grow', resources: 'small' }],
    })
    await drive(wf, () => ({
      status: 'failed',
      return_code: 137,
      exec_time_minutes: 0.1,
      peak_memory_bytes: 317 * 1024 ** 2,
    }))
    await stopRunner(wf)
    const doubled = await call('recover_workflow', { workflow_id: wf.id, memory_multiplier: 2 })
    expect(doubled.adjustments[0].memory).toMatchObject({ old: '100m', new: '200m' })
    expect(doubled.warnings).toEqual([expect.stringContaining('100m × 2 = 200m is below the observed peak')])
    const byDefault = await call('recover_workflow', { workflow_id: wf.id })
    expect(byDefault.adjustments[0].memory).toMatchObject({ old: '100m', new: '349m' })
    expect(byDefault.warnings).toEqual([])
  })
})
