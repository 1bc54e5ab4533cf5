import { describe, expect, it } from 'vitest'
import { callBoth } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, type Outcome, stopRunner, torcApi } from '../helpers/worker-torc.ts'

/**
 * Torc's kill codes and signals, read by check_resource_utilization (cause, cause_detail) and acted
 * on by recover_workflow: 137/-9 SIGKILL, 152 time limit, 128+N and -N signals, -1 (no exit status),
 * and the workflow's own execution_config.oom_exit_code / timeout_exit_code.
 */
const GiB = 1024 ** 3

async function failures(name: string, outcomes: Record<string, Outcome>, executionConfig?: Record<string, unknown>) {
  const wf = await createWorkflow({
    name,
    resources: { k: { num_cpus: 1, memory: '4g', runtime: 'PT10M' } },
    jobs: Object.keys(outcomes).map((n) => ({ name: n, resources: 'k' })),
  })
  if (executionConfig) {
    const workflow = await torcApi<Record<string, unknown>>('GET', `/workflows/${wf.id}`)
    await torcApi('PUT', `/workflows/${wf.id}`, { ...workflow, execution_config: executionConfig })
  }
  await drive(wf, (job) => outcomes[job])
  await stopRunner(wf)
  const check = await callBoth('check_resource_utilization', { workflow_id: wf.id })
  const recover = await callBoth('recover_workflow', { workflow_id: wf.id })
  const diagnosed = new Map(check.resource_violations.map((f: { job_name: string }) => [f.job_name, f]))
  const planned = new Map(recover.jobs.map((j: { job_name: string }) => [j.job_name, j]))
  return { wf, check, recover, diagnosed, planned }
}

const failed = (return_code: number, extra: Partial<Outcome> = {}): Outcome => ({
  status: 'failed',
  return_code,
  exec_time_minutes: 2,
  ...extra,
})

describe('kill codes and signals', () => {
  it('152 is a timeout, -9 on a failed job an OOM kill, -1 and 143 unknown unless memory or time says otherwise', async () => {
    const { diagnosed, planned, recover, wf } = await failures('kill-codes', {
      sigxcpu: failed(152),
      runner_sigkill: failed(-9),
      no_status: failed(-1),
      no_status_full: failed(-1, { peak_memory_bytes: Math.round(3.8 * GiB) }),
      sigterm: failed(143),
      sigterm_minus: failed(-15),
      sigterm_at_end: { status: 'terminated', return_code: 143, exec_time_minutes: 4 },
      segfault: failed(139, { peak_memory_bytes: Math.round(3.9 * GiB) }),
    })
    expect(diagnosed.get('sigxcpu')).toMatchObject({
      likely_timeout: true,
      timeout_reason: 'sigxcpu_152',
      cause: 'timeout',
      cause_detail: "return code 152 (128 + SIGXCPU, Torc's timeout code): killed at the end of its runtime",
    })
    // Rust reads only 137 as SIGKILL; -9 on a failed job is the runner's own SIGKILL.
    expect(diagnosed.get('runner_sigkill')).toMatchObject({
      memory_violation: false,
      cause: 'oom',
      cause_detail: 'return code -9 (-SIGKILL): killed after 20% of its runtime, most likely for memory',
    })
    expect(diagnosed.get('no_status')).toMatchObject({
      cause: 'unknown',
      cause_detail:
        'return code -1: Torc got no exit status (the process was killed or ' +
        'lost) after 20% of its runtime; no sign of a memory or time limit',
    })
    expect(diagnosed.get('no_status_full')).toMatchObject({
      cause: 'oom',
      cause_detail:
        'return code -1: Torc got no exit status (the process was killed or ' +
        'lost) with peak memory at 95% of the limit, most likely for memory',
    })
    expect(diagnosed.get('sigterm')).toMatchObject({
      cause: 'unknown',
      cause_detail:
        'return code 143 (128 + SIGTERM): killed by a signal after ' +
        '20% of its runtime; no sign of a memory or time limit',
    })
    expect(diagnosed.get('sigterm_minus')).toMatchObject({
      cause: 'unknown',
      cause_detail: expect.stringContaining('return code -15 (-SIGTERM)'),
    })
    expect(diagnosed.get('sigterm_at_end')).toMatchObject({
      cause: 'timeout',
      cause_detail: expect.stringContaining('terminated: Torc stopped it'),
    })
    // A crash is not a memory kill, even near the limit.
    expect(diagnosed.get('segfault')).toMatchObject({
      cause: 'unknown',
      cause_detail:
        'return code 139 (128 + SIGSEGV): the program crashed; a retry will ' +
        'likely crash the same way; no sign of a memory or time limit',
    })

    const actions = Object.fromEntries([...planned].map(([name, j]) => [name, (j as { action: string }).action]))
    expect(actions).toEqual({
      sigxcpu: 'retry',
      runner_sigkill: 'retry',
      no_status: 'skip',
      no_status_full: 'retry',
      sigterm: 'skip',
      sigterm_minus: 'skip',
      sigterm_at_end: 'retry',
      segfault: 'skip',
    })
    expect(recover.counts).toEqual({ oom: 2, timeout: 2, oom_and_timeout: 0, node_failure: 0, unknown: 4 })
    expect(recover.adjustments).toMatchObject([
      { memory: { old: '4g', new: '6g' }, runtime: { old: 'PT10M', new: 'PT14M' } },
    ])
    expect(recover.jobs_to_retry).toEqual(
      ['sigxcpu', 'runner_sigkill', 'no_status_full', 'sigterm_at_end'].map((n) => wf.jobIds.get(n))
    )
  })

  it("reads the workflow's configured oom_exit_code and timeout_exit_code", async () => {
    const { diagnosed, recover } = await failures(
      'kill-codes-configured',
      { killed_for_memory: failed(201), out_of_time: failed(200), plain: failed(2), still_sigxcpu: failed(152) },
      { mode: 'direct', oom_exit_code: 201, timeout_exit_code: 200 }
    )
    expect(diagnosed.get('killed_for_memory')).toMatchObject({
      memory_violation: false,
      cause: 'oom',
      cause_detail: "return code 201 is this workflow's oom_exit_code: Torc killed it for exceeding its memory",
    })
    expect(diagnosed.get('out_of_time')).toMatchObject({
      likely_timeout: false,
      cause: 'timeout',
      cause_detail: "return code 200 is this workflow's timeout_exit_code: Torc killed it at the end of its runtime",
    })
    expect(diagnosed.get('plain')).toMatchObject({ cause: 'unknown' })
    expect(diagnosed.get('still_sigxcpu')).toMatchObject({
      cause: 'timeout',
      cause_detail: 'return code 152 (128 + SIGXCPU): CPU time limit reached',
    })
    expect(recover.counts).toMatchObject({ oom: 1, timeout: 2, unknown: 1 })
  })

  it('137 late in the runtime is ambiguous (Rust: neither), near the end a timeout', async () => {
    const { diagnosed } = await failures('kill-codes-late', {
      at_85: failed(137, { exec_time_minutes: 8.5 }),
      at_95: failed(137, { exec_time_minutes: 9.5 }),
    })
    expect(diagnosed.get('at_85')).toMatchObject({
      memory_violation: false,
      likely_timeout: false,
      cause: 'unknown',
      cause_detail:
        'return code 137 (128 + SIGKILL): killed after 85% of its runtime: out of memory or out of time, cannot tell',
    })
    expect(diagnosed.get('at_95')).toMatchObject({
      likely_timeout: true,
      cause: 'timeout',
      cause_detail: 'ran 95% of its runtime limit',
    })
  })
})
