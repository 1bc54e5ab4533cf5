import { beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { callBoth, mcpClient, rest } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, type WorkflowFixture } from '../helpers/worker-torc.ts'

/** The job runner's part: write a log at Torc's path through the test harness's log writer. */
async function writeLog(path: string, text: string, append = false): Promise<void> {
  const res = await fetch(`${inject('logWriterUrl')}/?path=${encodeURIComponent(path)}${append ? '&append=1' : ''}`, {
    method: 'POST',
    body: text,
  })
  if (!res.ok) throw new Error(`log writer: ${res.status}`)
}
const stdio = (wf: number, job: number, ext: 'o' | 'e', run = 1, attempt = 1) => `job_stdio/job_wf${wf}_j${job}_r${run}_a${attempt}.${ext}`

let wf: WorkflowFixture
const id = (name: string) => wf.jobIds.get(name)!

beforeAll(async () => {
  wf = await createWorkflow({ name: 'logs', jobs: [{ name: 'ok' }, { name: 'oom' }, { name: 'slow' }, { name: 'shaky' }] })
  await drive(wf, (job) =>
    job === 'ok'
      ? { status: 'completed', return_code: 0, exec_time_minutes: 1 }
      : job === 'shaky'
        ? { status: 'pending_failed', return_code: 2, exec_time_minutes: 0.2 }
        : { status: 'failed', return_code: job === 'oom' ? 137 : 1, exec_time_minutes: 2 }
  )
  const w = wf.id
  await writeLog(stdio(w, id('ok'), 'o'), 'starting\r\nstep 1 done\r\nall good\r\n')
  await writeLog(stdio(w, id('ok'), 'e'), '')
  const noise = Array.from({ length: 3000 }, (_, i) => `progress ${i}: working on the room booking table`).join('\n')
  await writeLog(stdio(w, id('oom'), 'e'), `${noise}\n/var/spool/slurm/job: line 27: 12345 Killed python3 train.py\n`)
  await writeLog(stdio(w, id('slow'), 'e'), 'epoch 1\nDUE TO TIME LIMIT\nwalltime exceeded\n')
  await writeLog(stdio(w, id('shaky'), 'e'), 'connecting\nERROR: connection refused by db01\nTraceback (most recent call last):\n  File "x.py"\n')
  await writeLog(`job_runner_node-test-1_wf${w}_r1.log`, `[2026-01-01T00:00:00Z INFO  torc::client::job_runner] Job completed workflow_id=${w} job_id=${id('oom')} status=failed\n`)
  await writeLog(`slurm_env_wf${w}_sl9_n0_pid1.log`, 'SLURM_JOB_ID=9 OUT_OF_MEMORY\n')
  // Another workflow whose id starts with this one's digits must not be picked up.
  await writeLog(`job_stdio/job_wf${w}0_j1_r1_a1.e`, 'Segmentation fault\n')
  await writeLog(`job_runner_h_wf${w}1_r1.log`, 'Segmentation fault\n')
})

describe('analyze_workflow_logs', () => {
  it('finds OOM and timeouts across exactly this workflow\'s logs, with recovery guidance', async () => {
    const out = await callBoth('analyze_workflow_logs', { workflow_id: wf.id })
    expect(out.files_parsed).toBe(6)
    expect(out.errors_by_type).toEqual(
      expect.arrayContaining([
        { type: 'OOM Killed', count: 1 },
        { type: 'Timeout', count: 2 },
        { type: 'Connection Error', count: 1 },
        { type: 'Python Exception', count: 1 },
      ])
    )
    expect(out.errors_by_type.find((e: { type: string }) => e.type === 'Segmentation Fault')).toBeUndefined()
    expect(out.warning_count).toBe(1)
    const oom = out.sample_errors.find((s: { type: string }) => s.type === 'OOM Killed')
    expect(oom).toEqual({ file: stdio(wf.id, id('oom'), 'e'), line: 3001, type: 'OOM Killed', content: '/var/spool/slurm/job: line 27: 12345 Killed python3 train.py' })
    expect(out.recovery).toMatchObject({ oom_errors: 1, timeout_errors: 2 })
    expect(out.recovery.recommendation).toContain(`recover_workflow(workflow_id=${wf.id}, dry_run=true)`)
    expect(out.summary).toBe('Found 5 error(s) and 1 warning(s) across 6 log files.')
  })

  it('says plainly when a workflow has no logs yet', async () => {
    const empty = await createWorkflow({ name: 'no-logs-yet', jobs: [{ name: 'a' }] })
    const out = await callBoth('analyze_workflow_logs', { workflow_id: empty.id })
    expect(out).toMatchObject({ files_parsed: 0, summary: `No log files for workflow ${empty.id} under the output directory yet.`, recovery: null })
  })

  it('sends progress notifications when the client asks for them', async () => {
    const many = await createWorkflow({ name: 'many-logs', jobs: [{ name: 'a' }] })
    await Promise.all(Array.from({ length: 1100 }, (_, i) => writeLog(`job_stdio/job_wf${many.id}_j${i + 1}_r1_a1.o`, `line ${i}\n`)))
    const client = await mcpClient()
    const seen: number[] = []
    const result = await client.callTool(
      { name: 'analyze_workflow_logs', arguments: { workflow_id: many.id } },
      { onprogress: (p) => void seen.push(p.progress) }
    )
    await client.close()
    expect((result.structuredContent as { files_parsed: number }).files_parsed).toBe(1100)
    expect(seen).toEqual([500, 1000])
  })
})

describe('get_job_logs', () => {
  it('tails stderr from the end, with grep, and marks a cut read', async () => {
    const out = await callBoth('get_job_logs', { workflow_id: wf.id, job_id: id('oom'), run_id: 1, log_type: 'stderr', tail_lines: 2 })
    expect(out.content).toBe('progress 2999: working on the room booking table\n/var/spool/slurm/job: line 27: 12345 Killed python3 train.py')
    expect(out).toMatchObject({ truncated: true, bytes_read: 65_536 }) // ~150 KB file, 64 KiB read by default
    const grep = await callBoth('get_job_logs', { workflow_id: wf.id, job_id: id('oom'), run_id: 1, log_type: 'stderr', grep: 'KILLED' })
    expect(grep.lines_returned).toBe(1)
    const cut = await callBoth('get_job_logs', { workflow_id: wf.id, job_id: id('oom'), run_id: 1, log_type: 'stderr', max_bytes: 1024 })
    expect(cut.truncated).toBe(true)
    expect(cut.bytes_read).toBe(1024)
    expect(cut.note).toMatch(/^\[truncated: the first \d+ bytes/)
    expect(cut.content.split('\n')[0]).toMatch(/^progress \d+: working/)
  })

  it('normalizes CRLF like Rust lines(), and returns an empty file as empty', async () => {
    const out = await callBoth('get_job_logs', { workflow_id: wf.id, job_id: id('ok'), run_id: 1, log_type: 'stdout' })
    expect(out.content).toBe('starting\nstep 1 done\nall good')
    const empty = await callBoth('get_job_logs', { workflow_id: wf.id, job_id: id('ok'), run_id: 1, log_type: 'stderr' })
    expect(empty).toMatchObject({ content: '', size_bytes: 0, lines_returned: 0 })
  })

  it('answers 404 with the reason when the log does not exist', async () => {
    const res = await rest('get_job_logs', { workflow_id: wf.id, job_id: id('ok'), run_id: 7, log_type: 'stderr' })
    expect(res.status).toBe(404)
    expect(res.body.error.message).toContain('run 7')
  })
})

describe('list_pending_failed_jobs', () => {
  it('lists the pending_failed job with its result and the end of its stderr', async () => {
    const out = await callBoth('list_pending_failed_jobs', { workflow_id: wf.id, tail_lines: 2 })
    expect(out).toMatchObject({ total: 1, logs_available: true })
    expect(out.jobs[0]).toMatchObject({
      name: 'shaky',
      return_code: 2,
      run_id: 1,
      attempt_id: 1,
      stderr_tail: 'Traceback (most recent call last):\n  File "x.py"',
      stderr_note: null,
    })
  })
})
