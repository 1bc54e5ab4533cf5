import { describe, expect, inject, it } from 'vitest'
import { tutorialOomWorkflow, tutorialTimeoutWorkflow } from '../../scripts/torc-seed.ts'
import { callBoth } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner, torcApi } from '../helpers/worker-torc.ts'

/**
 * check_resource_utilization against the REAL torc 1.0.0 CLI on the same torc-server:
 * `torc -f json workflows check-resources <id> [--include-failed]` runs the report the Rust MCP
 * tool builds (reports.rs build_resource_utilization_report, min_over_utilization 1.0). Every field
 * of the Rust JSON must come back with the Rust value; torc-edge's documented additions are set
 * aside, and where serde omits a field (None, false, 0, empty) ours is null, false, 0 or [].
 */
type Json = Record<string, unknown>

async function rustReport(workflowId: number, includeFailed: boolean): Promise<Json> {
  const args = [
    '-f',
    'json',
    'workflows',
    'check-resources',
    String(workflowId),
    ...(includeFailed ? ['--include-failed'] : []),
  ]
  const res = await fetch(`${inject('clusterUrl')}/cli`, { method: 'POST', body: JSON.stringify({ args }) })
  const run = (await res.json()) as { status: number; stdout: string; stderr: string }
  expect(run.status, run.stderr).toBe(0)
  return JSON.parse(run.stdout) as Json
}

const EDGE_TOP = ['jobs_over_count', 'guidance', 'violations_truncated', 'resource_violations_truncated', 'scanned']
const EDGE_FAILED = ['status', 'run_id', 'attempt_id', 'resource_requirements_id', 'cause', 'cause_detail']
const omitted = (v: unknown) => v === null || v === false

/** Our answer as serde would print it: additions removed, omitted fields dropped. */
function asRust(ours: Json): Json {
  const rest = Object.fromEntries(Object.entries(ours).filter(([k]) => !EDGE_TOP.includes(k)))
  const failed = (ours.resource_violations as Json[]).map((f) =>
    Object.fromEntries(Object.entries(f).filter(([k, v]) => !EDGE_FAILED.includes(k) && !omitted(v)))
  )
  delete rest.resource_violations
  delete rest.resource_violations_count
  return failed.length ? { ...rest, resource_violations_count: failed.length, resource_violations: failed } : rest
}

async function expectParity(workflowId: number, includeFailed: boolean): Promise<Json> {
  const ours = await callBoth('check_resource_utilization', { workflow_id: workflowId, include_failed: includeFailed })
  expect(asRust(ours)).toEqual(await rustReport(workflowId, includeFailed))
  return ours
}

/** Memory, CPU and runtime rows, the 1 % threshold, tie rounding, and failures Rust cannot name. */
async function mixedWorkflow(name: string) {
  const wf = await createWorkflow({
    name,
    resources: { work: { num_cpus: 4, memory: '2g', runtime: 'PT10M' } },
    jobs: [
      'cpu_tie',
      'cpu_slight',
      'long',
      'slightly_long',
      'exact_memory',
      'crash',
      'sigxcpu',
      'late_kill',
      'no_status',
      'sigterm',
    ].map((n) => ({
      name: n,
      resources: 'work',
    })),
  })
  const MiB = 1024 ** 2
  await drive(wf, (job) => {
    switch (job) {
      case 'cpu_tie': // 450.25 % prints "450.2%" in Rust (ties to even)
        return {
          status: 'completed',
          return_code: 0,
          exec_time_minutes: 3,
          peak_cpu_percent: 450.25,
          peak_memory_bytes: 1024 * MiB,
        }
      case 'cpu_slight': // 0.5 % over: below the threshold
        return { status: 'completed', return_code: 0, exec_time_minutes: 3, peak_cpu_percent: 402 }
      case 'long': // 5 % over its runtime
        return { status: 'completed', return_code: 0, exec_time_minutes: 10.5 }
      case 'slightly_long': // 0.5 % over: below the threshold
        return { status: 'completed', return_code: 0, exec_time_minutes: 10.05 }
      case 'exact_memory':
        return { status: 'completed', return_code: 0, exec_time_minutes: 1, peak_memory_bytes: 2048 * MiB }
      case 'crash':
        return {
          status: 'failed',
          return_code: 1,
          exec_time_minutes: 0.5,
          peak_cpu_percent: 500,
          peak_memory_bytes: 100 * MiB,
        }
      case 'sigxcpu':
        return { status: 'failed', return_code: 152, exec_time_minutes: 9.9 }
      case 'late_kill': // 137 at 85 % of its runtime: Rust calls it neither OOM nor timeout
        return { status: 'failed', return_code: 137, exec_time_minutes: 8.5, peak_memory_bytes: 600 * MiB }
      case 'no_status':
        return { status: 'failed', return_code: -1, exec_time_minutes: 2 }
      default:
        return { status: 'terminated', return_code: 143, exec_time_minutes: 4 }
    }
  })
  await stopRunner(wf)
  return wf
}

describe('check_resource_utilization matches torc 1.0.0 (`torc workflows check-resources`)', () => {
  it('on the tutorial OOM workflow', async () => {
    const wf = await tutorialOomWorkflow(torcApi, 'parity-oom')
    const ours = await expectParity(wf.id, true)
    expect(ours.over_utilization_count).toBe(10)
    expect(ours.resource_violations_count).toBe(3)
  })

  it('on the tutorial timeout workflow', async () => {
    const wf = await tutorialTimeoutWorkflow(torcApi, 'parity-timeout')
    const ours = await expectParity(wf.id, true)
    expect(ours.violations).toEqual([
      {
        job_id: wf.jobIds.get('job_slow'),
        job_name: 'job_slow',
        resource_type: 'Runtime',
        specified: '5m 0s',
        peak_used: '5m 58s',
        over_utilization: '+19.4%',
      },
    ])
    expect(ours.resource_violations).toMatchObject([
      {
        job_name: 'job_slow',
        likely_timeout: true,
        timeout_reason: null,
        likely_runtime_violation: true,
        cause: 'timeout',
      },
    ])
  })

  it('on CPU and runtime rows, the 1% threshold, tie rounding and failures Rust cannot name', async () => {
    const wf = await mixedWorkflow('parity-mixed')
    const ours = await expectParity(wf.id, true)
    const rows = (ours.violations as Json[]).map(
      (v) => `${v.job_name} ${v.resource_type} ${v.peak_used} ${v.over_utilization}`
    )
    expect(rows).toEqual(['cpu_tie CPU 450.2% +12.6%', 'long Runtime 10m 30s +5.0%', 'crash CPU 500.0% +25.0%'])
    const byName = new Map((ours.resource_violations as Json[]).map((f) => [f.job_name, f]))
    expect(byName.get('sigxcpu')).toMatchObject({
      likely_timeout: true,
      timeout_reason: 'sigxcpu_152',
      cause: 'timeout',
    })
    expect(byName.get('late_kill')).toMatchObject({ memory_violation: false, likely_timeout: false, cause: 'unknown' })
    expect(byName.get('crash')).toMatchObject({ likely_cpu_violation: true, cause: 'unknown' })
  })

  it('with include_failed=false: completed jobs only, no failed-job section', async () => {
    const wf = await mixedWorkflow('parity-completed')
    const ours = await expectParity(wf.id, false)
    expect(ours).toMatchObject({ total_results: 5, resource_violations_count: 0, resource_violations: [] })
    expect((ours.violations as Json[]).map((v) => v.job_name)).toEqual(['cpu_tie', 'long'])
  })

  it('on a workflow with no results yet', async () => {
    const wf = await createWorkflow({ name: 'parity-empty', jobs: [{ name: 'a' }] })
    const ours = await expectParity(wf.id, true)
    expect(ours).toMatchObject({ total_results: 0, violations: [], guidance: null })
  })
})
