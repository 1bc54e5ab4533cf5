import { beforeAll, describe, expect, inject, it } from 'vitest'
import { hold } from '../helpers/runner-specs.ts'
import { callBoth, createVia, rest } from '../helpers/worker-faces.ts'

/**
 * The whole loop with nothing simulated but the cluster's network: a workflow created through the
 * Worker, run by the REAL torc 1.0.0 job runner (`torc run`, via test/cluster.ts), which writes its
 * real logs and kills the job that exceeds its memory (Torc's own OOM enforcement in direct mode,
 * sampling every second), then diagnosed, recovered and run again through the Worker's tools.
 */
const MiB = 1024 ** 2

const spec = `
name: real-runner
description: jobs the real torc job runner runs here
resource_monitor:
  sample_interval_seconds: 1
  jobs:
    enabled: true
    granularity: summary
resource_requirements:
  - name: hog_rr
    num_cpus: 1
    memory: 64m
    runtime: PT5M
  - name: small
    num_cpus: 1
    memory: 512m
    runtime: PT5M
jobs:
  - name: hog
    command: "${hold(160, 4).replace(/"/g, '\\"')}"
    resource_requirements: hog_rr
  - name: crash
    command: "python3 -c 'raise ValueError(\\"bad input\\")'"
    resource_requirements: small
  - name: hello
    command: "echo hello from torc; echo progress 50% >&2"
    resource_requirements: small
  - name: after_hello
    command: "echo after"
    resource_requirements: small
    depends_on: [hello]
`

async function runOnCluster(workflowId: number): Promise<{ status: number; log: string }> {
  const res = await fetch(`${inject('clusterUrl')}/run?workflow_id=${workflowId}`, { method: 'POST' })
  expect(res.ok).toBe(true)
  return res.json()
}

let wf: number
let ids: Map<string, number>

beforeAll(async () => {
  wf = (await createVia('rest', { spec, format: 'yaml' })).applied.workflow_id
  const listed = await Promise.all(
    ['ready', 'blocked'].map((status) => callBoth('list_jobs_by_status', { workflow_id: wf, status }))
  )
  ids = new Map(listed.flatMap((l) => l.jobs.map((j: { name: string; job_id: number }) => [j.name, j.job_id])))
  expect([...ids.keys()].sort()).toEqual(['after_hello', 'crash', 'hello', 'hog'])
  const run = await runOnCluster(wf)
  expect(run.status, run.log).toBe(0)
}, 120_000)

describe('a workflow run by the real torc job runner', () => {
  it('reports what happened: the OOM kill, the crash, the rest completed', async () => {
    const status = await callBoth('get_workflow_status', { workflow_id: wf })
    expect(status.job_counts_by_status).toMatchObject({ completed: 2, failed: 2 })
    const failed = await callBoth('list_failed_jobs', { workflow_id: wf })
    const byName = new Map(failed.failed_jobs.map((j: { name: string }) => [j.name, j]))
    expect(byName.get('hog')).toMatchObject({ return_code: 137 })
    expect(byName.get('crash')).toMatchObject({ return_code: 1 })
  })

  it('finds the OOM kill and the Python crash in the real logs', async () => {
    const out = await callBoth('analyze_workflow_logs', { workflow_id: wf })
    // The runner's log plus stdout and stderr of the four jobs.
    expect(out.files_parsed).toBe(9)
    const types = new Map(out.errors_by_type.map((e: { type: string; count: number }) => [e.type, e.count]))
    expect(types.get('OOM Killed')).toBeGreaterThanOrEqual(1)
    expect(types.get('Python Exception')).toBe(1)
    expect(out.sample_errors.find((s: { type: string }) => s.type === 'OOM Killed').file).toMatch(
      new RegExp(`^job_runner_.+_wf${wf}_r1\\.log$`)
    )
    expect(out.recovery).toMatchObject({ tool_call_example: { parameters: { workflow_id: wf } } })
  })

  it("reads the crash's stderr and the hello job's stdout where the runner wrote them", async () => {
    const crash = await callBoth('get_job_logs', {
      workflow_id: wf,
      job_id: ids.get('crash'),
      run_id: 1,
      log_type: 'stderr',
    })
    expect(crash.content).toMatch(/^Traceback \(most recent call last\):\n[\s\S]*\nValueError: bad input$/)
    const hello = await callBoth('get_job_logs', {
      workflow_id: wf,
      job_id: ids.get('hello'),
      run_id: 1,
      log_type: 'stdout',
    })
    expect(hello).toMatchObject({ content: 'hello from torc', truncated: false })
  })

  it('sees the hog over its memory with the peak Torc measured', async () => {
    const out = await callBoth('check_resource_utilization', { workflow_id: wf })
    const hog = out.violations.find(
      (v: { job_name: string; resource_type: string }) => v.job_name === 'hog' && v.resource_type === 'Memory'
    )
    expect(hog).toBeDefined()
    const result = (await callBoth('list_results', { workflow_id: wf, job_id: ids.get('hog') })).results[0]
    expect(result.peak_memory_bytes).toBeGreaterThan(100 * MiB)
    expect(out.resource_violations.find((f: { job_name: string }) => f.job_name === 'hog')).toMatchObject({
      cause: 'oom',
      return_code: 137,
    })
  })

  it('recovers: memory raised past the real peak, only the hog reset, and the rerun completes it', async () => {
    const preview = await callBoth('recover_workflow', { workflow_id: wf })
    expect(preview.jobs_to_retry).toEqual([ids.get('hog')])
    const adjustment = preview.adjustments[0]
    expect(adjustment.memory.old).toBe('64m')
    // 64m x 1.5 = 96m is below the peak, so the floor (peak + 10 %) applies.
    expect(adjustment.memory.why).toMatch(/^peak [\d.]+ MB: 96m would fail again, proposing \d+m \(peak \+ 10%\)$/)
    const applied = await rest('recover_workflow', { workflow_id: wf, dry_run: false, plan_id: preview.plan_id })
    expect(applied.status, JSON.stringify(applied.body)).toBe(200)
    expect(applied.body.applied.jobs_reset).toEqual([ids.get('hog')])

    const rerun = await runOnCluster(wf)
    expect(rerun.status, rerun.log).toBe(0)
    const status = await callBoth('get_workflow_status', { workflow_id: wf })
    expect(status).toMatchObject({ run_id: 2, job_counts_by_status: { completed: 3, failed: 1 } })
    const results = await callBoth('list_results', { workflow_id: wf, job_id: ids.get('hog'), all_runs: true })
    expect(results.results.map((r: { run_id: number; return_code: number }) => [r.run_id, r.return_code])).toEqual([
      [1, 137],
      [2, 0],
    ])
    expect((await callBoth('list_results', { workflow_id: wf, job_id: ids.get('hog') })).total).toBe(1)
    expect((await callBoth('list_results', { workflow_id: wf, run_id: 1 })).total).toBe(4)
  })
})
