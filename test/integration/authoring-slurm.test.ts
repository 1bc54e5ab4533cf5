import { describe, expect, it } from 'vitest'
import { callBoth, createVia, mcpClient, rest } from '../helpers/worker-faces.ts'
import { torcApi } from '../helpers/worker-torc.ts'
import { threeStage } from './authoring-helpers.ts'

/**
 * create_workflow and get_execution_plan for Slurm: the tutorial's 4-stage workflow created end to end
 * (records, dependencies, generated schedulers and actions, its plan from the database), the final
 * spec for saving, the account and profile it asks for, and a spec's own schedulers and actions.
 */

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
})
