import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { callBoth, keys, mcpClient, rest } from '../helpers/worker-faces.ts'

/** The tutorial prompt: a preprocess script, 10 work jobs that each take an index, a postprocess job. */
const threeStage = (name: string, memory = '20g') => `
name: ${name}
description: 3-stage fan-out/fan-in
resource_requirements:
  - name: small
    num_cpus: 1
    memory: 1g
    runtime: PT10M
  - name: work
    num_cpus: 10
    memory: ${memory}
    runtime: PT1H
jobs:
  - name: preprocess
    command: bash preprocess.sh
    resource_requirements: small
  - name: work_{i}
    command: python work.py --index {i}
    resource_requirements: work
    depends_on: [preprocess]
    parameters:
      i: "1:10"
  - name: postprocess
    command: bash postprocess.sh
    resource_requirements: small
    depends_on_regexes: ["^work_\\\\d+$"]
`

describe('create_workflow and get_execution_plan', () => {
  it('validates the tutorial spec and plans its three stages', async () => {
    const report = await callBoth('create_workflow', { spec: threeStage('tutorial'), format: 'yaml', action: 'validate' })
    expect(report).toMatchObject({ valid: true, errors: [], workflow_id: null })
    expect(report.summary).toMatchObject({ job_count: 12 })
    const plan = await callBoth('get_execution_plan', { spec_or_id: threeStage('tutorial'), format: 'yaml' })
    expect(plan).toMatchObject({ source: 'spec', total_jobs: 12 })
    const ready = plan.events.map((e: { jobs_becoming_ready: string[] }) => e.jobs_becoming_ready.length)
    expect(ready).toEqual([1, 10, 1])
  })

  it('creates it in Torc (REST and MCP), initialized, and plans it from the database', async () => {
    const viaRest = await rest('create_workflow', { spec: threeStage('tutorial-rest'), action: 'create_workflow', user: 'alice' })
    expect(viaRest.status, JSON.stringify(viaRest.body)).toBe(200)
    const id = viaRest.body.workflow_id
    expect(viaRest.body.created).toMatchObject({ jobs: 12, resource_requirements: 2 })
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

    const client = await mcpClient()
    const viaMcp = await client.callTool({ name: 'create_workflow', arguments: { spec: threeStage('tutorial-mcp'), action: 'create_workflow' } })
    await client.close()
    expect(viaMcp.isError ?? false).toBe(false)
    expect((viaMcp.structuredContent as { workflow_id: number }).workflow_id).toBeGreaterThan(id)
  })

  it('a read key may validate but not create', async () => {
    expect((await rest('create_workflow', { spec: threeStage('ro'), action: 'validate' }, keys().read)).status).toBe(200)
    const denied = await rest('create_workflow', { spec: threeStage('ro'), action: 'create_workflow' }, keys().read)
    expect(denied.status).toBe(403)
  })

  it('returns the final Slurm spec for saving, with generated schedulers, and asks for a profile when missing', async () => {
    const out = await callBoth('create_workflow', {
      spec: threeStage('tutorial-slurm', '30g'),
      action: 'save_spec_file',
      workflow_type: 'slurm',
      account: 'my_account',
      hpc_profile: 'kestrel',
    })
    expect(out.slurm.profile).toBe('kestrel')
    expect(out.slurm.schedulers).toBeGreaterThan(0)
    expect(out.spec_text).toContain('slurm_schedulers:')
    expect(out.spec_text).toContain('account: my_account')
    const missing = await rest('create_workflow', { spec: threeStage('x'), action: 'validate', workflow_type: 'slurm', account: 'a' })
    expect(missing.status).toBe(400)
    expect(missing.body.error.message).toMatch(/hpc_profile.*kestrel|kestrel.*hpc_profile/s)
  })

  it('rejects bad specs naming the line or the field, and reports cycles', async () => {
    const syntax = await rest('create_workflow', { spec: 'name: x\njobs:\n  - name: a\n   command: [oops', format: 'yaml' })
    expect(syntax.status).toBe(400)
    expect(syntax.body.error.message).toMatch(/line \d+/)
    const unknown = await rest('create_workflow', { spec: JSON.stringify({ name: 'x', jobs: [{ name: 'a', comand: 'echo' }] }) })
    expect(unknown.status).toBe(400)
    expect(unknown.body.error.message).toContain('comand')
    const cycle = await callBoth('create_workflow', {
      spec: JSON.stringify({ name: 'c', jobs: [{ name: 'a', command: 'x', depends_on: ['b'] }, { name: 'b', command: 'y', depends_on: ['a'] }] }),
    })
    expect(cycle.valid).toBe(false)
    expect(cycle.errors.join(' ')).toMatch(/circular/i)
  })

  it('catches what Torc would refuse before sending anything', async () => {
    const res = await rest('create_workflow', { spec: threeStage('bad-memory', '20gb'), action: 'create_workflow' })
    expect(res.status).toBe(400)
    expect(res.body.error.message).toContain('20gb')
  })

  it('leaves nothing behind when Torc fails midway (job creation fails in front of the real server)', async () => {
    const failing = { ...env, TORC: (env as unknown as { TORC_FAILING_JOBS: Fetcher }).TORC_FAILING_JOBS }
    const res = await createApp().request(
      'http://edge.test/v1/tools/create_workflow',
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${keys().write}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ spec: threeStage('half-made'), action: 'create_workflow' }),
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
