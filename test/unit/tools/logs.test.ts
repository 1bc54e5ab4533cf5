/**
 * get_job_logs and list_pending_failed_jobs (src/tools/logs.ts) on a scripted Torc and the real
 * site app behind a scripted Transport (site.ts): tails of big files, combined logs, missing logs
 * named with what exists, no log access, and what the site's failures become.
 */
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { invoke, type ToolContext } from '../../../src/registry.ts'
import { getJobLogs, listPendingFailedJobs } from '../../../src/tools/logs.ts'
import { PASS, scriptedContext, torcError } from '../../helpers/scripted-torc.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { jobLog, outputSite, type TestOutput } from './site.ts'
import { TorcModel } from './torc-model.ts'

quietToolLogs()

const context = (m: TorcModel, out: TestOutput | undefined): ToolContext => ({
  ...scriptedContext(m.torc),
  output: out?.output,
})
const logs = (input: Record<string, unknown>, out: TestOutput | undefined, m = new TorcModel()) =>
  invoke(getJobLogs, { workflow_id: 1, job_id: 3, run_id: 1, log_type: 'stderr', ...input }, context(m, out), 'rest')

const lines = (n: number, word = 'line') => Array.from({ length: n }, (_, i) => `${word} ${i + 1}`).join('\n')

describe('get_job_logs', () => {
  it('the last tail_lines lines, grep case-insensitive, with the file facts', async () => {
    const out = outputSite({ [jobLog(3, 'e')]: `${lines(5)}\nKilled: OUT OF MEMORY\nbye\n` })
    const all = data(await logs({}, out))
    expect(all).toMatchObject({
      path: jobLog(3, 'e'),
      combined: false,
      lines_returned: 7,
      truncated: false,
      note: null,
    })
    expect(all.size_bytes).toBe(all.bytes_read)
    expect(data(await logs({ tail_lines: 2 }, out)).content).toBe('Killed: OUT OF MEMORY\nbye')
    expect(data(await logs({ grep: 'out of memory' }, out)).content).toBe('Killed: OUT OF MEMORY')
  })

  it('a file larger than max_bytes: one range read from its end, the partial first line dropped, said in note', async () => {
    const out = outputSite({ [jobLog(3, 'o')]: `${lines(20_000)}\n` })
    const read = data(await logs({ log_type: 'stdout', max_bytes: 1024 }, out))
    expect(read.bytes_read).toBe(1024)
    expect(read.truncated).toBe(true)
    expect(read.note).toBe(`[truncated: ${read.size_bytes - 1024} earlier bytes not read]`)
    expect(read.content.split('\n')[0]).toMatch(/^line \d+$/)
    expect(read.content.endsWith('line 20000')).toBe(true)
    expect(out.site.sent.map((s) => s.headers.get('Range'))).toEqual(['bytes=-1024'])
  })

  it('a job with combined stdio: its one .log answers stdout and stderr alike', async () => {
    const out = outputSite({ [jobLog(3, 'log')]: 'both streams\n' })
    const read = data(await logs({ log_type: 'stdout' }, out))
    expect(read).toMatchObject({ path: jobLog(3, 'log'), combined: true, content: 'both streams' })
  })

  it('an empty log: nothing returned, not an error', async () => {
    const read = data(await logs({}, outputSite({ [jobLog(3, 'e')]: '' })))
    expect(read).toMatchObject({ size_bytes: 0, lines_returned: 0, content: '', truncated: false })
  })

  it('no log for that run and attempt: not_found naming the runs and attempts the job has logs for', async () => {
    const out = outputSite({
      [jobLog(3, 'o', 1, 2)]: 'x\n',
      [jobLog(3, 'e', 1, 2)]: 'y\n',
      [jobLog(3, 'e', 2, 1)]: 'z\n',
    })
    expect(failure(await logs({}, out))).toMatchObject({
      code: 'not_found',
      message:
        'no stderr log for job 3 (run 1, attempt 1) under the output directory; it has logs for run 1 attempt 2 ' +
        '(stdout, stderr); run 2 attempt 1 (stderr): call again with that run_id and attempt_id',
    })
  })

  it('no log at all: not_found saying why that may be (not started, stdio mode, another -o folder)', async () => {
    const none = failure(await logs({}, outputSite()))
    expect(none.code).toBe('not_found')
    expect(none.message).toMatch(/nor for any other run: the job may not have started yet/)
    expect(none.message).toContain('`torc run -o <folder>`')
  })

  it('no site configured: upstream_unavailable naming TORC_OUTPUT_URL', async () => {
    const out = failure(await logs({}, undefined))
    expect(out.code).toBe('upstream_unavailable')
    expect(out.message).toMatch(/^log access is not configured on this deployment: set TORC_OUTPUT_URL/)
  })

  const faults = [
    {
      what: 'a 502 from the tunnel',
      answer: new Response('bad gateway', { status: 502 }),
      code: 'upstream_unavailable',
    },
    { what: 'a 401 (the token)', answer: new Response('no', { status: 401 }), code: 'upstream_error' },
    { what: 'a refused connection', answer: { fault: 'refused' }, code: 'upstream_unavailable' },
    { what: 'a hang', answer: { fault: 'hang' }, code: 'upstream_timeout' },
  ]
  it.each(faults)('the site answering $what is $code, its address never shown', async ({ answer, code }) => {
    const out = outputSite({ [jobLog(3, 'e')]: 'x\n' }, { timeoutMs: 50 })
    out.site.on('GET', '/v1/files', answer)
    const err = failure(await logs({}, out))
    expect(err.code).toBe(code)
    expect(err.message).not.toMatch(/torc\.internal|8080/)
  })
})

describe('list_pending_failed_jobs', () => {
  function world() {
    const m = new TorcModel()
    const a = m.job('a', null, 'pending_failed', { id: 3 })
    const b = m.job('b', null, 'pending_failed', { id: 4, attempt_id: 2 })
    m.job('c', null, 'pending_failed', { id: 5 })
    m.job('ok', null, 'completed', { id: 6 })
    m.result(a, { return_code: 1, attempt_id: 1 })
    m.result(b, { return_code: 2, attempt_id: 1 })
    m.result(b, { return_code: 139, attempt_id: 2 })
    return m
  }

  it("each job with its newest result and its stderr's last lines; what is missing is said per job", async () => {
    const out = outputSite({
      [jobLog(3, 'e')]: `${lines(80, 'trace')}\nConnectionResetError\n`,
      [jobLog(4, 'e', 1, 2)]: 'segfault\n',
    })
    const m = world()
    const listed = data(await invoke(listPendingFailedJobs, { workflow_id: 1, tail_lines: 3 }, context(m, out), 'rest'))
    expect(listed).toMatchObject({ total: 3, count: 3, logs_available: true })
    expect(listed.jobs).toEqual([
      expect.objectContaining({
        job_id: 3,
        return_code: 1,
        stderr_tail: 'trace 79\ntrace 80\nConnectionResetError',
        stderr_note: null,
      }),
      expect.objectContaining({ job_id: 4, attempt_id: 2, return_code: 139, stderr_tail: 'segfault' }),
      expect.objectContaining({
        job_id: 5,
        return_code: null,
        stderr_tail: null,
        stderr_note: 'no result recorded, so no log location',
      }),
    ])
    expect(listed.next_steps).toMatch(/classify_and_resolve_failures with dry_run=true/)
  })

  it('a missing stderr, a stderr the site cannot read, and no site at all each become a note, not a failure', async () => {
    const out = outputSite({ [jobLog(3, 'e')]: 'x\n' })
    const broken = () => new Response('bad gateway', { status: 502 })
    out.site.on('GET', '/v1/files', (s) => (s.query.get('path') === jobLog(4, 'e', 1, 2) ? broken() : PASS))
    const m = world()
    const listed = data(await invoke(listPendingFailedJobs, { workflow_id: 1 }, context(m, out), 'rest'))
    const notes = listed.jobs.map((j: { stderr_note: string | null }) => j.stderr_note)
    expect(notes).toEqual([
      null,
      'stderr could not be read: the output site is unreachable (HTTP 502) trying to read job_stdio/job_wf1_j4_r1_a2.e',
      'no result recorded, so no log location',
    ])
    expect(listed.jobs[1]).toMatchObject({ job_id: 4, return_code: 139, stderr_tail: null })
    rmSync(join(out.root, jobLog(3, 'e')))
    const gone = data(await invoke(listPendingFailedJobs, { workflow_id: 1 }, context(m, out), 'rest'))
    expect(gone.jobs[0].stderr_note).toBe('no stderr log for run 1 attempt 1 under the output directory')
    const bare = data(await invoke(listPendingFailedJobs, { workflow_id: 1 }, context(m, undefined), 'rest'))
    expect(bare.logs_available).toBe(false)
    expect(bare.jobs[0].stderr_note).toBe('log access is not configured on this deployment (TORC_OUTPUT_URL)')
  })

  it('several pending_failed results of one job, in any order: its newest is the one shown', async () => {
    const m = world()
    const [older, newer] = m.results.filter((r) => r.job_id === 4)
    for (const order of [
      [older, m.results[0], newer],
      [newer, m.results[0], older],
    ]) {
      m.torc.list('/results', order)
      const listed = data(await invoke(listPendingFailedJobs, { workflow_id: 1 }, context(m, undefined), 'rest'))
      expect(listed.jobs[1]).toMatchObject({ job_id: 4, attempt_id: 2, return_code: 139 })
    }
  })

  it('pages, and an empty workflow says there is nothing pending; Torc failing is the answer', async () => {
    const m = world()
    const page = data(
      await invoke(listPendingFailedJobs, { workflow_id: 1, limit: 1, offset: 1 }, context(m, undefined), 'rest')
    )
    expect(page).toMatchObject({ total: 3, offset: 1, count: 1, has_more: true, jobs: [{ job_id: 4 }] })
    const empty = data(
      await invoke(listPendingFailedJobs, { workflow_id: 1 }, context(new TorcModel(), undefined), 'rest')
    )
    expect(empty).toMatchObject({ total: 0, jobs: [], next_steps: 'No pending_failed jobs in workflow 1.' })
    m.torc.on('GET', '/results', torcError(500, 'database is locked'))
    expect(failure(await invoke(listPendingFailedJobs, { workflow_id: 1 }, context(m, undefined), 'rest')).code).toBe(
      'upstream_error'
    )
  })
})
