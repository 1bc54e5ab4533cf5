import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { callBoth, createVia, keys, rest } from '../helpers/worker-faces.ts'
import { threeStage } from './authoring-helpers.ts'

/**
 * create_workflow and get_execution_plan on local workflows: validating and planning the tutorial
 * spec, creating it through the confirm call (REST and MCP), the write scope it needs, and what it
 * refuses or undoes (bad specs, what Torc would refuse, a creation that fails midway). The Slurm
 * side (generated schedulers and actions, accounts, profiles) is in authoring-slurm.test.ts.
 */
describe('create_workflow and get_execution_plan', () => {
  it('validates the tutorial spec and plans its three stages', async () => {
    const report = await callBoth('create_workflow', {
      spec: threeStage('tutorial'),
      format: 'yaml',
      action: 'validate',
    })
    expect(report).toMatchObject({ valid: true, errors: [], plan_id: null, confirm: null })
    expect(report.summary).toMatchObject({ job_count: 12 })
    const plan = await callBoth('get_execution_plan', { spec_or_id: threeStage('tutorial'), format: 'yaml' })
    expect(plan).toMatchObject({ source: 'spec', total_jobs: 12 })
    const ready = plan.events.map((e: { jobs_becoming_ready: string[] }) => e.jobs_becoming_ready.length)
    expect(ready).toEqual([1, 10, 1])
  })

  it('creates it in Torc (REST and MCP), initialized, and plans it from the database', async () => {
    // create_workflow alone creates nothing: it previews, and its confirm call creates.
    const preview = await callBoth('create_workflow', { spec: threeStage('tutorial-rest'), action: 'create_workflow' })
    expect(preview).toMatchObject({ valid: true, confirm: { tool: 'confirm_create_workflow' } })
    expect((await callBoth('list_workflows', { name: 'tutorial-rest' })).total).toBe(0)
    const viaRest = await createVia('rest', { spec: threeStage('tutorial-rest'), user: 'alice' })
    const id = viaRest.applied.workflow_id
    expect(viaRest.applied.created).toMatchObject({ jobs: 12, resource_requirements: 2 })
    // The command names the folder the site server reads logs from, so the log tools will see them.
    expect(viaRest.next_steps).toMatch(new RegExp(`\`torc run ${id} -o \\S+\``))
    const status = await callBoth('get_workflow_status', { workflow_id: id })
    expect(status).toMatchObject({ name: 'tutorial-rest', user: 'alice', total_jobs: 12 })
    expect(status.job_counts_by_status).toMatchObject({ ready: 1, blocked: 11 })
    const jobs = await callBoth('list_jobs_by_status', { workflow_id: id, status: 'blocked', limit: 20 })
    const work = jobs.jobs.find((j: { name: string }) => j.name === 'work_7')
    expect(work.command).toBe('python work.py --index 7')
    const details = await callBoth('get_job_details', { job_id: work.job_id })
    expect(details.resource_requirements).toMatchObject({ num_cpus: 10, memory: '20g', runtime: 'PT1H' })
    expect(details.depends_on_job_ids).toHaveLength(1)
    const plan = await callBoth('get_execution_plan', { spec_or_id: id })
    expect(plan).toMatchObject({ source: 'database', workflow_id: id, total_jobs: 12 })

    const viaMcp = await createVia('mcp', { spec: threeStage('tutorial-mcp') })
    expect(viaMcp.applied.workflow_id).toBeGreaterThan(id)
    expect((await callBoth('list_workflows', { name: 'tutorial-mcp' })).total).toBe(1)
  })

  it('a read key may validate but not create', async () => {
    expect(
      (await rest('create_workflow', { spec: threeStage('read-key-never-creates'), action: 'validate' }, keys().read))
        .status
    ).toBe(200)
    // It may preview, but is offered no confirm call, and confirm_create_workflow refuses it.
    const previewed = await rest(
      'create_workflow',
      { spec: threeStage('read-key-never-creates'), action: 'create_workflow' },
      keys().read
    )
    expect(previewed.status).toBe(200)
    expect(previewed.body).toMatchObject({ valid: true, plan_id: null, confirm: null })
    expect(previewed.body.next_steps).toContain('cannot create workflows')
    const denied = await rest(
      'confirm_create_workflow',
      { spec: threeStage('read-key-never-creates'), dry_run: false },
      keys().read
    )
    expect(denied.status).toBe(403)
    expect((await callBoth('list_workflows', { name: 'read-key-never-creates' })).total).toBe(0)
  })

  it('rejects bad specs naming the line or the field, and reports cycles', async () => {
    const syntax = await rest('create_workflow', {
      spec: 'name: x\njobs:\n  - name: a\n   command: [oops',
      format: 'yaml',
    })
    expect(syntax.status).toBe(400)
    expect(syntax.body.error.message).toMatch(/line \d+/)
    const unknown = await rest('create_workflow', {
      spec: JSON.stringify({ name: 'x', jobs: [{ name: 'a', comand: 'echo' }] }),
    })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.message).toContain('comand')
    const cycle = await callBoth('create_workflow', {
      spec: JSON.stringify({
        name: 'c',
        jobs: [
          { name: 'a', command: 'x', depends_on: ['b'] },
          { name: 'b', command: 'y', depends_on: ['a'] },
        ],
      }),
    })
    expect(cycle.valid).toBe(false)
    expect(cycle.errors.join(' ')).toMatch(/circular/i)
  })

  it('catches what Torc would refuse before sending anything', async () => {
    const preview = await rest('create_workflow', { spec: threeStage('bad-memory', '20gb'), action: 'create_workflow' })
    expect(preview.status).toBe(200)
    expect(preview.body.warnings.join(' ')).toMatch(/Creation would fail: .*'20gb'/)
    // No confirmation is offered for a creation Torc would refuse: the preview says why instead.
    expect(preview.body.confirm).toBeNull()
    expect(preview.body.next_steps).toMatch(/cannot be applied now: Creation would fail: .*'20gb'/)
    const res = await rest('confirm_create_workflow', { spec: threeStage('bad-memory', '20gb'), dry_run: false })
    expect([400, 409]).toContain(res.status)
    expect(res.body.error.message).toContain('20gb')
    expect((await callBoth('list_workflows', { name: 'bad-memory' })).total).toBe(0)
  })

  it('leaves nothing behind when Torc fails midway (job creation fails in front of the real server)', async () => {
    const preview = await rest('create_workflow', { spec: threeStage('half-made'), action: 'create_workflow' })
    expect(preview.body.confirm?.tool).toBe('confirm_create_workflow')
    const failing = { ...env, TORC: (env as unknown as { TORC_FAILING_JOBS: Fetcher }).TORC_FAILING_JOBS }
    const res = await createApp().request(
      'http://edge.test/v1/tools/confirm_create_workflow',
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${keys().write}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(preview.body.confirm.arguments),
      },
      failing
    )
    expect(res.status).toBe(502)
    const body = (await res.json()) as { error: { message: string } }
    expect(body.error.message).toMatch(/failed at step \d+ of \d+.*was deleted again/)
    const left = await callBoth('list_workflows', { name: 'half-made' })
    expect(left.total).toBe(0)
  })
})
