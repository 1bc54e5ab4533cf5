/**
 * analyze_workflow_logs (src/tools/log-analysis.ts) on a scripted Torc and the real site app behind
 * a scripted Transport (site.ts): findings and the recovery guidance the results warrant, filters
 * sent to the site, no logs (and why), a site cap, a bundle cut short, and the site's failures.
 */
import { describe, expect, it } from 'vitest'
import { invoke } from '../../../src/registry.ts'
import { analyzeWorkflowLogs } from '../../../src/tools/log-analysis.ts'
import { scriptedContext } from '../../helpers/scripted-torc.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { jobLog, outputSite, type TestOutput } from './site.ts'
import { GiB, TorcModel } from './torc-model.ts'

quietToolLogs()

const analyze = (input: Record<string, unknown>, out: TestOutput | undefined, m = new TorcModel()) =>
  invoke(analyzeWorkflowLogs, { workflow_id: 1, ...input }, { ...scriptedContext(m.torc), output: out?.output }, 'rest')

/** Job 3 killed out of memory (its result says 137, over its 4g), job 4 segfaulted, job 5 fine. */
function world() {
  const m = new TorcModel()
  const rr = m.requirement('work', { memory: '4g' })
  m.result(m.job('big', rr, 'failed', { id: 3 }), { return_code: 137, peak_memory_bytes: 5 * GiB })
  m.result(m.job('crash', rr, 'failed', { id: 4 }), { return_code: 139, peak_memory_bytes: GiB })
  m.result(m.job('fine', rr, 'completed', { id: 5 }))
  return m
}
const logs = () =>
  outputSite({
    [jobLog(3, 'e')]: 'loading\nKilled: out of memory\n',
    [jobLog(4, 'e')]: 'Segmentation fault (core dumped)\nsomething failed\n',
    [jobLog(5, 'o')]: 'all good\n',
    'job_runner_h_wf1_r1.log': 'Job 3 status=failed\n',
  })

describe('analyze_workflow_logs', () => {
  it('counts findings by type and file, quotes them, and sends OOM failures to recover_workflow', async () => {
    const out = data(await analyze({}, logs(), world()))
    expect(out).toMatchObject({ files_parsed: 4, error_count: 2, truncated: false, truncation_reason: null })
    expect(out.errors_by_type).toEqual([
      { type: 'OOM Killed', count: 1 },
      { type: 'Segmentation Fault', count: 1 },
    ])
    expect(out.sample_errors).toContainEqual({
      file: jobLog(3, 'e'),
      line: 2,
      type: 'OOM Killed',
      content: 'Killed: out of memory',
    })
    expect(out.summary).toBe(`Found 2 error(s) and ${out.warning_count} warning(s) across 4 log files.`)
    expect(out.recovery).toMatchObject({
      jobs_out_of_memory: 1,
      oom_lines: 1,
      tool_call_example: { tool: 'recover_workflow', parameters: { workflow_id: 1, dry_run: true } },
    })
  })

  it('no OOM or timeout in the results: no recovery block, whatever the lines say', async () => {
    const m = new TorcModel()
    m.result(m.job('ok', m.requirement('work'), 'completed', { id: 3 }))
    const out = data(await analyze({}, outputSite({ [jobLog(3, 'o')]: 'oom mentioned in passing\n' }), m))
    expect(out.error_count).toBe(1)
    expect(out.recovery).toBeNull()
  })

  it('clean logs: says so plainly', async () => {
    const out = data(await analyze({}, outputSite({ [jobLog(5, 'o')]: 'all good\n' })))
    expect(out).toMatchObject({
      error_count: 0,
      warning_count: 0,
      summary: 'No errors or warnings detected in log files.',
    })
  })

  it('the filters narrow the bundle on the site (job, run, kind), not here', async () => {
    const site = logs()
    const out = data(await analyze({ job_ids: [3], run_id: 1, log_kinds: ['job_stderr'] }, site, world()))
    expect(out.files_parsed).toBe(1)
    expect(out.errors_by_type).toEqual([{ type: 'OOM Killed', count: 1 }])
    const sent = site.site.sent.find((s) => s.path === '/v1/workflows/1/bundle')!
    expect(Object.fromEntries(sent.query)).toEqual({ job: '3', run: '1', kind: 'job_stderr' })
  })

  it('no logs at all: an empty analysis that says why (the jobs ran: their logs went to another -o)', async () => {
    const ran = data(await analyze({}, outputSite(), world()))
    expect(ran).toMatchObject({ files_parsed: 0, error_count: 0, truncated: false })
    expect(ran.summary).toMatch(/^No log files for workflow 1 under the output directory, yet it has 3 job result\(s\)/)
    expect(ran.summary).toContain('rerun with that -o')
    const fresh = data(await analyze({}, outputSite()))
    expect(fresh.summary).toBe('No log files for workflow 1 under the output directory yet.')
    const filtered = data(await analyze({ job_ids: [99] }, logs(), world()))
    expect(filtered.summary).toBe('No log files of workflow 1 match the filter under the output directory.')
  })

  it("a site cap that left files out: truncated, with the site's reason in the summary", async () => {
    const site = outputSite(
      { [jobLog(3, 'e')]: 'Killed: out of memory\n', [jobLog(4, 'e')]: 'segfault\n' },
      { limits: { maxFiles: 1 } }
    )
    const out = data(await analyze({}, site, world()))
    expect(out.truncated).toBe(true)
    expect(out.truncation_reason).toEqual(expect.any(String))
    expect(out.summary).toContain(`Not every log was scanned: ${out.truncation_reason}.`)
  })

  it('a bundle that stops before its trailer is upstream_error, not a short analysis', async () => {
    const site = logs()
    site.site.on('GET', '/v1/workflows/1/bundle', () => {
      const head = '{"torc_edge_bundle":1,"workflow_id":1,"files":2,"bytes":10,"truncated":false}\n'
      return new Response(`${head}{"path":"${jobLog(3, 'e')}","size":5}\nKill`)
    })
    const out = failure(await analyze({}, site, world()))
    expect(out.code).toBe('upstream_error')
  })

  it('no site configured, the site refusing, the site hanging: each its error, no address shown', async () => {
    expect(failure(await analyze({}, undefined)).code).toBe('upstream_unavailable')
    const refused = outputSite({}, { timeoutMs: 50 })
    refused.site.on('GET', /\/bundle$/, { fault: 'refused' })
    expect(failure(await analyze({}, refused)).code).toBe('upstream_unavailable')
    const hung = outputSite({}, { timeoutMs: 50 })
    hung.site.on('GET', /\/bundle$/, { fault: 'hang' })
    const timeout = failure(await analyze({}, hung))
    expect(timeout.code).toBe('upstream_timeout')
    expect(timeout.message).not.toMatch(/torc\.internal|8080/)
  })
})
