import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { callBoth, createVia, keys, mcpClient, rest } from '../helpers/worker-faces.ts'
import { torcApi } from '../helpers/worker-torc.ts'

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

/**
 * The tutorial's second prompt: "four stages of jobs. There are 3 initial jobs each dependent on an
 * input file. Each of those jobs fans out into 10 work jobs through output files. Each of those
 * jobs creates a file. In the third stage there is a script that aggregates each of the 10 jobs
 * into one file. The final postprocess job aggregates those three files into one. I will run it
 * with Slurm: account=my_account. The work jobs require 10 cpus and 30 GB of memory." Every
 * dependency is implied by files (regex fan-in for the aggregators), so only initialisation wires them.
 */
const FOUR_STAGE = `
name: four_stage
description: 3 inputs fan out to 10 work jobs each through files; per-group aggregation; one postprocess
resource_requirements:
  - { name: small, num_cpus: 1, memory: 1g, runtime: PT10M }
  - { name: work, num_cpus: 10, memory: 30g, runtime: PT2H }
files:
  - { name: "input_{i}", path: "data/input_{i}.csv", parameters: { i: "1:3" } }
  - { name: "prepared_{i}", path: "out/prepared_{i}.csv", parameters: { i: "1:3" } }
  - { name: "result_{i}_{j}", path: "out/result_{i}_{j}.json", parameters: { i: "1:3", j: "1:10" } }
  - { name: "summary_{i}", path: "out/summary_{i}.json", parameters: { i: "1:3" } }
  - { name: final, path: out/final.json }
jobs:
  - name: "prepare_{i}"
    command: "python prepare.py \${files.input.input_{i}} \${files.output.prepared_{i}}"
    resource_requirements: small
    parameters: { i: "1:3" }
  - name: "work_{i}_{j}"
    command: "python work.py --index {j} \${files.input.prepared_{i}} \${files.output.result_{i}_{j}}"
    resource_requirements: work
    parameters: { i: "1:3", j: "1:10" }
  - name: "aggregate_{i}"
    command: "python aggregate.py --group {i} \${files.output.summary_{i}}"
    input_file_regexes: ["^result_{i}_\\\\d+$"]
    resource_requirements: small
    parameters: { i: "1:3" }
  - name: postprocess
    command: "python postprocess.py \${files.input.summary_1} \${files.input.summary_2} \${files.input.summary_3} \${files.output.final}"
    resource_requirements: small
`

type Row = Record<string, unknown> & { id: number; name: string }
const items = async (path: string): Promise<Row[]> => (await torcApi<{ items: Row[] }>('GET', path)).items

describe('create_workflow and get_execution_plan', () => {
  it('creates the 4-stage file-driven Slurm workflow: records, dependencies after init, schedulers, actions, plan', async () => {
    const input = {
      spec: FOUR_STAGE,
      format: 'yaml',
      workflow_type: 'slurm',
      account: 'my_account',
      hpc_profile: 'kestrel',
    }
    const made = await createVia('rest', { ...input, user: 'tutor' })
    expect(made).toMatchObject({
      valid: true,
      slurm: { profile: 'kestrel', schedulers: 2, actions: 2, warnings: [] },
      applied: { created: { jobs: 37, files: 40, resource_requirements: 2, slurm_schedulers: 2, actions: 2 } },
    })
    const id = made.applied.workflow_id as number

    const files = new Map((await items(`/files?workflow_id=${id}&limit=1000`)).map((f) => [f.id, f]))
    expect([...files.values()].map((f) => `${f.name}=${f.path}`)).toEqual(
      expect.arrayContaining(['input_2=data/input_2.csv', 'result_3_10=out/result_3_10.json', 'final=out/final.json'])
    )
    expect(files.size).toBe(40)
    const rrs = new Map((await items(`/resource_requirements?workflow_id=${id}&limit=100`)).map((r) => [r.id, r]))
    const schedulers = new Map((await items(`/slurm_schedulers?workflow_id=${id}&limit=100`)).map((s) => [s.id, s]))
    expect([...schedulers.values()].map(({ id: _, workflow_id: __, ...s }) => s)).toEqual([
      {
        name: 'short_scheduler',
        account: 'my_account',
        mem: '240g',
        nodes: 1,
        walltime: '00:15:00',
        serialize_allocations: false,
      },
      {
        name: 'short_deferred_scheduler',
        account: 'my_account',
        mem: '240g',
        nodes: 1,
        walltime: '03:00:00',
        serialize_allocations: false,
      },
    ])
    const jobs = await items(`/jobs?workflow_id=${id}&include_relationships=true&limit=1000`)
    const names = new Map(jobs.map((j) => [j.id, j.name]))
    const byName = new Map(jobs.map((j) => [j.name, j]))
    const view = (name: string) => {
      const j = byName.get(name) as Row
      const ids = (key: string) =>
        ((j[key] as number[] | undefined) ?? []).map((i) => names.get(i) ?? files.get(i)?.name).sort()
      const rr = rrs.get(j['resource_requirements_id'] as number)
      return {
        status: j['status'],
        command: j['command'],
        depends_on: ids('depends_on_job_ids'),
        resources: `${rr?.['num_cpus']} CPU ${rr?.['memory']} ${rr?.['runtime']}`,
        scheduler: schedulers.get(j['scheduler_id'] as number)?.name,
      }
    }
    expect(jobs).toHaveLength(37)
    expect(view('prepare_2')).toEqual({
      status: 'ready',
      command: 'python prepare.py data/input_2.csv out/prepared_2.csv',
      depends_on: [],
      resources: '1 CPU 1g PT10M',
      scheduler: 'short_scheduler',
    })
    // Every dependency below comes from files: initialize_jobs wired them (creation sends none).
    expect(view('work_2_7')).toEqual({
      status: 'blocked',
      command: 'python work.py --index 7 out/prepared_2.csv out/result_2_7.json',
      depends_on: ['prepare_2'],
      resources: '10 CPU 30g PT2H',
      scheduler: 'short_deferred_scheduler',
    })
    expect(view('aggregate_3')).toMatchObject({
      status: 'blocked',
      depends_on: Array.from({ length: 10 }, (_, k) => `work_3_${k + 1}`).sort(),
      resources: '1 CPU 1g PT10M',
    })
    expect(view('postprocess')).toMatchObject({
      command: 'python postprocess.py out/summary_1.json out/summary_2.json out/summary_3.json out/final.json',
      depends_on: ['aggregate_1', 'aggregate_2', 'aggregate_3'],
    })

    const actions = await torcApi<Row[]>('GET', `/workflows/${id}/actions`)
    const action = (a: Row) => ({
      trigger: `${a['trigger_type']}/${a['action_type']}`,
      scheduler: schedulers.get((a['action_config'] as { scheduler_id: number }).scheduler_id)?.name,
      allocations: (a['action_config'] as { num_allocations: number }).num_allocations,
      jobs: (a['job_ids'] as number[]).length,
      triggers: `${a['trigger_count']}/${a['required_triggers']}`,
    })
    // The root action is due at once; the deferred one, as torc 1.0.0 generates it, gates on all 34
    // later jobs (work, aggregate and postprocess).
    expect(actions.map(action)).toEqual([
      {
        trigger: 'on_jobs_ready/schedule_nodes',
        scheduler: 'short_scheduler',
        allocations: 1,
        jobs: 3,
        triggers: '3/3',
      },
      {
        trigger: 'on_jobs_ready/schedule_nodes',
        scheduler: 'short_deferred_scheduler',
        allocations: 5,
        jobs: 34,
        triggers: '0/34',
      },
    ])

    // The database plan: the same events, readiness and allocations as the plan of the final spec.
    const saved = await callBoth('create_workflow', { ...input, action: 'save_spec_file' })
    const fromSpec = await callBoth('get_execution_plan', { spec_or_id: saved.spec_text, format: 'yaml' })
    const fromDb = await callBoth('get_execution_plan', { spec_or_id: id })
    expect(fromDb).toMatchObject({ source: 'database', workflow_id: id, workflow_name: 'four_stage', total_jobs: 37 })
    expect(fromSpec).not.toHaveProperty('workflow_id')
    type Event = {
      id: string
      jobs_becoming_ready: string[]
      scheduler_allocations: { scheduler: string; num_allocations: number; jobs: string[] }[]
    }
    const shape = (plan: { events: Event[] }) =>
      plan.events.map((e) => [
        e.id,
        e.jobs_becoming_ready.length,
        e.scheduler_allocations.map((a) => `${a.scheduler}x${a.num_allocations}:${a.jobs.length}`),
      ])
    expect(shape(fromDb)).toEqual(shape(fromSpec))
    expect(shape(fromDb)).toEqual([
      ['start', 3, ['short_schedulerx1:3']],
      ['after_prepare_1', 10, ['short_deferred_schedulerx5:34']],
      ['after_prepare_2', 10, ['short_deferred_schedulerx5:34']],
      ['after_prepare_3', 10, ['short_deferred_schedulerx5:34']],
      ['after_work_jobs', 1, ['short_deferred_schedulerx5:34']],
      ['after_work_jobs_2', 1, ['short_deferred_schedulerx5:34']],
      ['after_work_jobs_3', 1, ['short_deferred_schedulerx5:34']],
      ['after_aggregate_jobs', 1, ['short_deferred_schedulerx5:34']],
    ])
    expect(fromDb.events.map((e: Event) => e.jobs_becoming_ready)).toEqual(
      fromSpec.events.map((e: Event) => e.jobs_becoming_ready)
    )
  })

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
    const missing = await rest('create_workflow', {
      spec: threeStage('x'),
      action: 'validate',
      workflow_type: 'slurm',
      account: 'a',
    })
    expect(missing.status).toBe(400)
    expect(missing.body.error.message).toMatch(/hpc_profile.*kestrel|kestrel.*hpc_profile/s)
  })

  it('asks for a Slurm account by name (1.0.0 answers need_input), unless slurm_defaults has one', async () => {
    const args = { spec: threeStage('no-account'), format: 'yaml', workflow_type: 'slurm', hpc_profile: 'kestrel' }
    for (const action of ['validate', 'save_spec_file', 'create_workflow']) {
      const res = await rest('create_workflow', { ...args, action })
      expect(res.status).toBe(400)
      expect(res.body.error).toMatchObject({
        code: 'invalid_input',
        message: expect.stringMatching(/^account: Slurm workflows require an account/),
      })
    }
    for (const era of ['modern', 'legacy'] as const) {
      const client = await mcpClient({ era })
      const result = await client.callTool({ name: 'create_workflow', arguments: args })
      await client.close()
      expect(result.isError).toBe(true)
      expect((result.content as { text: string }[])[0]?.text).toMatch(
        /^invalid_input: account: .*call this tool again with account set/
      )
    }
    const fromDefaults = await callBoth('create_workflow', {
      ...args,
      spec: `${threeStage('dflt')}slurm_defaults: { account: proj_x }\n`,
    })
    expect(fromDefaults).toMatchObject({ valid: true, slurm: { schedulers: 2 } })
  })

  it("does not generate over a spec's own schedulers or actions unless overwrite is set (as 1.0.0)", async () => {
    const slurm = { format: 'yaml', workflow_type: 'slurm', account: 'my_account', hpc_profile: 'kestrel' }
    const saved = await callBoth('create_workflow', { spec: threeStage('own'), action: 'save_spec_file', ...slurm })
    const refused = await rest('create_workflow', { spec: saved.spec_text, action: 'validate', ...slurm })
    expect(refused.status).toBe(400)
    expect(refused.body.error.message).toMatch(
      /^overwrite: the spec already has slurm_schedulers and actions.*workflow_type "local"/
    )
    // As saved, it creates with workflow_type local: its schedulers and actions kept as they are.
    const kept = await callBoth('create_workflow', { spec: saved.spec_text, format: 'yaml', action: 'validate' })
    expect(kept.summary).toMatchObject({ slurm_scheduler_count: 2, action_count: 2 })
    // A run_commands action blocks generation too; overwrite replaces ALL actions, as --overwrite does.
    const withCommand = `${threeStage('cmd')}actions:\n  - { trigger_type: on_workflow_complete, action_type: run_commands, commands: [echo done] }\n`
    const blocked = await rest('create_workflow', { spec: withCommand, action: 'validate', ...slurm })
    expect(blocked.body.error.message).toMatch(/^overwrite: the spec already has actions/)
    const replaced = await callBoth('create_workflow', {
      spec: withCommand,
      action: 'validate',
      overwrite: true,
      ...slurm,
    })
    expect(replaced.summary).toMatchObject({
      slurm_scheduler_count: 2,
      action_count: 2,
      has_schedule_nodes_action: true,
    })
    const regenerated = await callBoth('create_workflow', {
      spec: saved.spec_text,
      action: 'validate',
      overwrite: true,
      ...slurm,
    })
    expect(regenerated.summary).toMatchObject({ slurm_scheduler_count: 2, action_count: 2 })
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
