/**
 * check_resource_utilization (src/tools/utilization.ts) on a scripted Torc: the guidance for jobs
 * that failed over their limits and for over-use that did not fail, include_failed, the cut lists,
 * the scan of the caller's workflows (whose, paging) and what Torc's failures become.
 */
import { describe, expect, it } from 'vitest'
import { invoke } from '../../../src/registry.ts'
import { checkResourceUtilization } from '../../../src/tools/utilization.ts'
import { scriptedContext, torcError } from '../../helpers/scripted-torc.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { GiB, TorcModel } from './torc-model.ts'

quietToolLogs()

const call = (input: unknown, m: TorcModel, env: Record<string, string> = {}) =>
  invoke(checkResourceUtilization, input, scriptedContext(m.torc, { env }), 'rest')

/** "work": 4g, 2 CPUs, 30 min. One job killed at 137 over its memory, one at 6 CPUs that completed. */
function world() {
  const m = new TorcModel()
  const work = m.requirement('work', { memory: '4g', num_cpus: 2 })
  m.result(m.job('oom', work, 'failed'), { return_code: 137, peak_memory_bytes: 5 * GiB, peak_cpu_percent: 100 })
  m.result(m.job('busy', work), { peak_memory_bytes: GiB, peak_cpu_percent: 600 })
  m.result(m.job('calm', work), { peak_memory_bytes: GiB, peak_cpu_percent: 150 })
  return m
}

describe('check_resource_utilization for one workflow', () => {
  it('reports each violation and the failed job; guidance sends the failure to recover_workflow', async () => {
    const out = data(await call({ workflow_id: 1 }, world()))
    expect(out).toMatchObject({
      workflow_id: 1,
      total_results: 3,
      over_utilization_count: 2,
      jobs_over_count: 2,
      resource_violations_count: 1,
      violations_truncated: false,
      scanned: null,
    })
    expect(
      out.violations.map((v: { job_name: string; resource_type: string }) => [v.job_name, v.resource_type])
    ).toEqual([
      ['busy', 'CPU'],
      ['oom', 'Memory'],
    ])
    expect(out.resource_violations[0]).toMatchObject({ job_name: 'oom', cause: 'oom', memory_violation: true })
    expect(out.guidance).toBe(
      [
        '2 job(s) exceeded resource limits (memory, CPU or runtime).',
        'Only 1 have failed so far, but 1 more will likely fail without fixes.',
        'Use recover_workflow for the failed jobs: preview with dry_run=true, show the user ' +
          'the proposed memory/runtime changes, ask, then send the `confirm` call it returns.',
        'Example: recover_workflow(workflow_id=1, dry_run=true)',
      ].join('\n')
    )
  })

  it('over-use that did not fail: update_job_resources per job, CPUs sized from the peak + 10%', async () => {
    const out = data(await call({ workflow_id: 1, include_failed: false }, world()))
    expect(out.resource_violations_count).toBe(0)
    expect(out.guidance).toMatch(/None of them failed, so recover_workflow has nothing to recover/)
    expect(out.guidance).toContain('update_job_resources(job_id=1002, num_cpus=7)  # busy peaked at 600.0%')
  })

  it('include_failed=false reads completed results only; nothing over: guidance null', async () => {
    const m = new TorcModel()
    m.result(m.job('fine', m.requirement('work')), { peak_memory_bytes: GiB })
    const out = data(await call({ workflow_id: 1, include_failed: false }, m))
    expect(out).toMatchObject({ over_utilization_count: 0, guidance: null, violations: [] })
    expect(m.torc.sent.filter((s) => s.path === '/results').map((s) => s.query.get('status'))).toEqual(['completed'])
  })

  it('limit cuts the lists and says so; the counts stay complete', async () => {
    const m = world()
    const work = [...m.requirements.values()][0]!
    for (let i = 0; i < 5; i++) m.result(m.job(`hot${i}`, work), { peak_cpu_percent: 900 })
    const out = data(await call({ workflow_id: 1, limit: 2 }, m))
    expect(out).toMatchObject({ over_utilization_count: 7, violations_truncated: true })
    expect(out.violations).toHaveLength(2)
  })

  it('a workflow Torc does not know is not_found; a refused connection is upstream_unavailable', async () => {
    const m = world()
    expect(failure(await call({ workflow_id: 5 }, m)).code).toBe('not_found')
    m.torc.on('GET', '/resource_requirements', { fault: 'refused' })
    expect(failure(await call({ workflow_id: 1 }, m)).code).toBe('upstream_unavailable')
  })
})

describe("check_resource_utilization across the caller's workflows", () => {
  function scan() {
    const m = world()
    m.workflow.user = 'asmith'
    // Workflow 2: nothing over its limits; workflow 9 belongs to someone else.
    m.workflows.push({ ...m.workflow, id: 2, name: 'tidy' }, { ...m.workflow, id: 9, name: 'theirs', user: 'bob' })
    m.workflows.sort((a, b) => b.id - a.id)
    return m
  }
  const users = { TORC_EDGE_USERS: 'tester:asmith' }

  it("scans the mapped Torc user's active workflows newest first; the report sums them", async () => {
    const m = scan()
    const out = data(await call({}, m, users))
    expect(out.scanned).toMatchObject({ user: 'asmith', total: 2, offset: 0, has_more: false })
    expect(
      out.scanned.workflows.map((w: { workflow_id: number; jobs_over_count: number }) => [
        w.workflow_id,
        w.jobs_over_count,
      ])
    ).toEqual([
      [2, 0],
      [1, 2],
    ])
    expect(out).toMatchObject({ workflow_id: null, jobs_over_count: 2, resource_violations_count: 1 })
    expect(out.guidance).toBe(
      '1 of 2 workflow(s) have jobs over their limits or failed: 1 (sweep). See scanned.workflows[].guidance for each.'
    )
    const listed = m.torc.sent.find((s) => s.path === '/workflows')!.query
    expect([listed.get('user'), listed.get('is_archived'), listed.get('reverse_sort')]).toEqual([
      'asmith',
      'false',
      'true',
    ])
  })

  it('pages through the workflows with workflows_offset; none left is an empty scan', async () => {
    const m = scan()
    const second = data(await call({ workflows_offset: 1 }, m, users))
    expect(second.scanned).toMatchObject({ total: 2, offset: 1, has_more: false })
    expect(second.scanned.workflows.map((w: { workflow_id: number }) => w.workflow_id)).toEqual([1])
    const none = data(await call({}, m, { TORC_EDGE_USERS: 'tester:nobody' }))
    expect(none).toMatchObject({
      guidance: null,
      total_results: 0,
      scanned: { user: 'nobody', total: 0, workflows: [] },
    })
  })

  it('one scanned workflow failing fails the scan with its error', async () => {
    const m = scan()
    m.torc.on('GET', '/workflows/2', torcError(500, 'database is locked'))
    expect(failure(await call({}, m, users))).toMatchObject({ code: 'upstream_error' })
  })
})
