import { beforeAll, describe, expect, inject, it } from 'vitest'
import { callBoth, mcpClient, rest } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, type WorkflowFixture } from '../helpers/worker-torc.ts'

/** The job runner's part: write a log at Torc's path through the cluster harness (test/cluster.ts). */
async function writeLog(path: string, text: string, append = false): Promise<void> {
  const res = await fetch(`${inject('clusterUrl')}/logs?path=${encodeURIComponent(path)}${append ? '&append=1' : ''}`, {
    method: 'POST',
    body: text,
  })
  if (!res.ok) throw new Error(`log writer: ${res.status}`)
}
const stdio = (wf: number, job: number, ext: 'o' | 'e', run = 1, attempt = 1) =>
  `job_stdio/job_wf${wf}_j${job}_r${run}_a${attempt}.${ext}`

let wf: WorkflowFixture
const id = (name: string) => wf.jobIds.get(name)!

beforeAll(async () => {
  wf = await createWorkflow({
    name: 'logs',
    jobs: [
      { name: 'ok' },
      { name: 'oom' },
      { name: 'slow' },
      { name: 'shaky' },
      { name: 'combined' },
      { name: 'retried' },
    ],
  })
  await drive(wf, (job) =>
    job === 'shaky'
      ? { status: 'pending_failed', return_code: 2, exec_time_minutes: 0.2 }
      : job === 'oom' || job === 'slow'
        ? { status: 'failed', return_code: job === 'oom' ? 137 : 1, exec_time_minutes: 2 }
        : { status: 'completed', return_code: 0, exec_time_minutes: 1 }
  )
  const w = wf.id
  await writeLog(stdio(w, id('ok'), 'o'), 'starting\r\nstep 1 done\r\nall good\r\n')
  await writeLog(stdio(w, id('ok'), 'e'), '')
  const noise = Array.from({ length: 3000 }, (_, i) => `progress ${i}: working on the room booking table`).join('\n')
  await writeLog(stdio(w, id('oom'), 'e'), `${noise}\n/var/spool/slurm/job: line 27: 12345 Killed python3 train.py\n`)
  await writeLog(stdio(w, id('slow'), 'e'), 'epoch 1\nDUE TO TIME LIMIT\nwalltime exceeded\n')
  await writeLog(
    stdio(w, id('shaky'), 'e'),
    'connecting\nERROR: connection refused by db01\nTraceback (most recent call last):\n  File "x.py"\n'
  )
  // stdio mode "combined": one .log per attempt, no .o/.e.
  await writeLog(`job_stdio/job_wf${w}_j${id('combined')}_r1_a1.log`, 'hello from both streams\nwarming up\n')
  // Only a second attempt left logs.
  await writeLog(stdio(w, id('retried'), 'e', 1, 2), 'second try\n')
  await writeLog(
    `job_runner_node-test-1_wf${w}_r1.log`,
    `[2026-01-01T00:00:00Z INFO  torc::client::job_runner] Job completed workflow_id=${w} job_id=${id('oom')} status=failed\n` +
      `[2026-01-01T00:00:01Z WARN  torc::client::job_runner] job ${id('slow')} failed to report in time\n`
  )
  await writeLog(`slurm_env_wf${w}_sl9_n0_pid1.log`, 'SLURM_JOB_ID=9 OUT_OF_MEMORY\n')
  // Another workflow whose id starts with this one's digits must not be picked up.
  await writeLog(`job_stdio/job_wf${w}0_j1_r1_a1.e`, 'Segmentation fault\n')
  await writeLog(`job_runner_h_wf${w}1_r1.log`, 'Segmentation fault\n')
})

describe('analyze_workflow_logs', () => {
  it("finds OOM and timeouts across exactly this workflow's logs, with recovery guidance", async () => {
    const out = await callBoth('analyze_workflow_logs', { workflow_id: wf.id })
    expect(out).toMatchObject({
      files_parsed: 8,
      error_count: 5,
      warning_count: 1,
      truncated: false,
      truncation_reason: null,
    })
    expect(out.errors_by_type).toEqual([
      { type: 'Timeout', count: 2 },
      { type: 'OOM Killed', count: 1 },
      { type: 'Connection Error', count: 1 },
      { type: 'Python Exception', count: 1 },
    ])
    const oom = out.sample_errors.find((s: { type: string }) => s.type === 'OOM Killed')
    expect(oom).toEqual({
      file: stdio(wf.id, id('oom'), 'e'),
      line: 3001,
      type: 'OOM Killed',
      content: '/var/spool/slurm/job: line 27: 12345 Killed python3 train.py',
    })
    expect(out.files_with_errors).toContainEqual({
      file: `job_runner_node-test-1_wf${wf.id}_r1.log`,
      errors: 0,
      warnings: 1,
    })
    // Guidance counts jobs by their results, as check_resource_utilization and recover_workflow read
    // them (both failed jobs ran 2 min against the default 1-minute runtime: timeouts), with the lines
    // as evidence.
    const util = await callBoth('check_resource_utilization', { workflow_id: wf.id })
    const causes = util.resource_violations.map((f: { cause: string }) => f.cause)
    expect(causes).toEqual(['timeout', 'timeout'])
    expect(out.recovery).toMatchObject({
      jobs_out_of_memory: 0,
      jobs_timed_out: 2,
      oom_lines: 1,
      timeout_lines: 2,
      tool_call_example: { tool: 'recover_workflow', parameters: { workflow_id: wf.id, dry_run: true } },
    })
    expect(out.recovery.recommendation).toMatch(
      /^2 job\(s\) ran out of time, by their results; the logs show 1 OOM line\(s\) and 2 time-limit line\(s\)/
    )
    expect(out.recovery.recovery_workflow.join('\n')).toContain('`confirm`')
    expect(out.summary).toBe('Found 5 error(s) and 1 warning(s) across 8 log files.')
  })

  it('narrows to some jobs, a run, or kinds of log on the site', async () => {
    const oomOnly = await callBoth('analyze_workflow_logs', { workflow_id: wf.id, job_ids: [id('oom'), id('ok')] })
    expect(oomOnly).toMatchObject({
      files_parsed: 3,
      errors_by_type: [{ type: 'OOM Killed', count: 1 }],
      recovery: { jobs_timed_out: 2, oom_lines: 1, timeout_lines: 0 },
    })
    const runners = await callBoth('analyze_workflow_logs', { workflow_id: wf.id, log_kinds: ['job_runner'] })
    // The guidance is about the workflow's failed jobs, whichever logs were scanned.
    expect(runners).toMatchObject({
      files_parsed: 1,
      error_count: 0,
      warning_count: 1,
      recovery: { jobs_timed_out: 2, oom_lines: 0, timeout_lines: 0 },
    })
    const none = await callBoth('analyze_workflow_logs', { workflow_id: wf.id, run_id: 9 })
    expect(none).toMatchObject({
      files_parsed: 0,
      summary: `No log files of workflow ${wf.id} match the filter under the output directory.`,
    })
    const bad = await rest('analyze_workflow_logs', { workflow_id: wf.id, log_kinds: ['resource_db'] })
    expect(bad.status).toBe(400)
    expect(bad.body.error.message).toContain('log_kinds.0')
  })

  it('says plainly when a workflow has no logs yet', async () => {
    const empty = await createWorkflow({ name: 'no-logs-yet', jobs: [{ name: 'a' }] })
    const out = await callBoth('analyze_workflow_logs', { workflow_id: empty.id })
    expect(out).toMatchObject({
      files_parsed: 0,
      summary: `No log files for workflow ${empty.id} under the output directory yet.`,
      recovery: null,
    })
  })

  it('says the likely cause when the jobs ran but no log is where the site server looks', async () => {
    const ran = await createWorkflow({ name: 'logs-elsewhere', jobs: [{ name: 'a' }, { name: 'b' }] })
    await drive(ran, () => ({ status: 'completed', return_code: 0, exec_time_minutes: 0.1 }))
    const out = await callBoth('analyze_workflow_logs', { workflow_id: ran.id })
    expect(out.files_parsed).toBe(0)
    expect(out.summary).toContain('yet it has 2 job result(s)')
    expect(out.summary).toContain('-o names the output directory the site server serves')
  })

  it('sends progress notifications when the client asks for them, on both eras', async () => {
    const many = await createWorkflow({ name: 'many-logs', jobs: [{ name: 'a' }] })
    await Promise.all(
      Array.from({ length: 1100 }, (_, i) => writeLog(`job_stdio/job_wf${many.id}_j${i + 1}_r1_a1.o`, `line ${i}\n`))
    )
    for (const era of ['modern', 'legacy'] as const) {
      const client = await mcpClient({ era })
      const seen: [number, number | undefined][] = []
      const result = await client.callTool(
        { name: 'analyze_workflow_logs', arguments: { workflow_id: many.id } },
        { onprogress: (p) => void seen.push([p.progress, p.total]) }
      )
      await client.close()
      expect((result.structuredContent as { files_parsed: number }).files_parsed, era).toBe(1100)
      expect(seen, era).toEqual([
        [500, 1100],
        [1000, 1100],
        [1100, 1100],
      ])
    }
  })
})

describe('get_job_logs', () => {
  it('tails stderr from the end, with grep, and marks a cut read', async () => {
    const args = { workflow_id: wf.id, job_id: id('oom'), run_id: 1, log_type: 'stderr' }
    const out = await callBoth('get_job_logs', { ...args, tail_lines: 2 })
    expect(out.content).toBe(
      'progress 2999: working on the room booking table\n/var/spool/slurm/job: line 27: 12345 Killed python3 train.py'
    )
    expect(out).toMatchObject({ truncated: true, bytes_read: 65_536, combined: false }) // ~150 KB file, 64 KiB read by default
    const grep = await callBoth('get_job_logs', { ...args, grep: 'KILLED' })
    expect(grep.lines_returned).toBe(1)
    const cut = await callBoth('get_job_logs', { ...args, max_bytes: 1024 })
    expect(cut).toMatchObject({ truncated: true, bytes_read: 1024 })
    expect(cut.note).toBe(`[truncated: ${cut.size_bytes - 1024} earlier bytes not read]`)
    expect(cut.content.split('\n')[0]).toMatch(/^progress \d+: working/)
  })

  it('keeps the answer within its size limit however much is read, and says so', async () => {
    const out = await callBoth('get_job_logs', {
      workflow_id: wf.id,
      job_id: id('oom'),
      run_id: 1,
      log_type: 'stderr',
      max_bytes: 1_048_576,
    })
    expect(out).toMatchObject({ truncated: true, bytes_read: out.size_bytes })
    expect(new TextEncoder().encode(out.content).length).toBeLessThanOrEqual(60_000)
    expect(out.note).toMatch(/^\[truncated: \d+ earlier line\(s\) left out to keep the answer within 60000 bytes\]$/)
    expect(out.content.endsWith('12345 Killed python3 train.py')).toBe(true)
  })

  it('normalizes CRLF like Rust lines(), and returns an empty file as empty', async () => {
    const out = await callBoth('get_job_logs', { workflow_id: wf.id, job_id: id('ok'), run_id: 1, log_type: 'stdout' })
    expect(out).toMatchObject({ content: 'starting\nstep 1 done\nall good', truncated: false, note: null })
    const empty = await callBoth('get_job_logs', {
      workflow_id: wf.id,
      job_id: id('ok'),
      run_id: 1,
      log_type: 'stderr',
    })
    expect(empty).toMatchObject({ content: '', size_bytes: 0, lines_returned: 0 })
  })

  it("reads a combined-stdio job's one log for either stream", async () => {
    const out = await callBoth('get_job_logs', {
      workflow_id: wf.id,
      job_id: id('combined'),
      run_id: 1,
      log_type: 'stderr',
    })
    expect(out).toMatchObject({
      combined: true,
      path: `job_stdio/job_wf${wf.id}_j${id('combined')}_r1_a1.log`,
      content: 'hello from both streams\nwarming up',
    })
  })

  it('answers 404 naming the runs and attempts that do have logs', async () => {
    const res = await rest('get_job_logs', { workflow_id: wf.id, job_id: id('retried'), run_id: 1, log_type: 'stderr' })
    expect(res.status).toBe(404)
    expect(res.body.error.message).toContain('it has logs for run 1 attempt 2 (stderr)')
    const never = await rest('get_job_logs', { workflow_id: wf.id, job_id: id('ok'), run_id: 7, log_type: 'stderr' })
    expect(never.status).toBe(404)
    expect(never.body.error.message).toContain('run 1 attempt 1 (stdout, stderr)')
  })
})

describe('list_pending_failed_jobs', () => {
  it('lists the pending_failed job with its result and the end of its stderr', async () => {
    const out = await callBoth('list_pending_failed_jobs', { workflow_id: wf.id, tail_lines: 2 })
    expect(out).toMatchObject({ total: 1, count: 1, has_more: false, logs_available: true })
    expect(out.jobs[0]).toMatchObject({
      name: 'shaky',
      return_code: 2,
      run_id: 1,
      attempt_id: 1,
      stderr_tail: 'Traceback (most recent call last):\n  File "x.py"',
      stderr_note: null,
    })
    expect(out.next_steps).toContain('classify_and_resolve_failures')
  })
})
