/**
 * get_slurm_sacct and plan_allocations (src/tools/slurm.ts, plan-allocations.ts) on a scripted Torc
 * and a scripted login-node agent (agent.ts): live squeue/sacct read into torc's rows with sacct
 * text's exit codes, the fallbacks without the agent, and what broken cluster output becomes.
 * Real Slurm: test/e2e/slurm-*.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { invoke, type ToolContext } from '../../../src/registry.ts'
import { planAllocations } from '../../../src/tools/plan-allocations.ts'
import { getSlurmSacct } from '../../../src/tools/slurm.ts'
import { scriptedContext, torcError } from '../../helpers/scripted-torc.ts'
import { result, run, scriptedAgent } from './agent.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { TorcModel } from './torc-model.ts'

quietToolLogs()

type Agent = ReturnType<typeof scriptedAgent>
const context = (m: TorcModel, a?: Agent): ToolContext => ({
  ...scriptedContext(m.torc),
  output: a?.output,
  agent: a?.agent,
})

/** Allocation 101 finished (its batch step exited 3), 102 still queued. */
function world() {
  const m = new TorcModel()
  m.scheduled.push({ id: 1, scheduler_id: 101, status: 'complete' }, { id: 2, scheduler_id: 102, status: 'pending' })
  return m
}
const sacctJson = {
  jobs: [
    {
      job_id: 101,
      name: 'wf1',
      steps: [
        {
          step: { id: 'batch', name: 'batch' },
          state: ['COMPLETED'],
          time: { elapsed: 125, total: { seconds: 30 } },
          nodes: { range: 'n7' },
        },
      ],
    },
  ],
}
const live = (json = JSON.stringify(sacctJson)) =>
  result('sacct', [
    run({ stdout: '102|PENDING|Priority|0:00|1:00:00|1|short|wf1\n' }),
    run({ stdout: '101|wf1|COMPLETED|0:0|125||short|n7||\n101.batch|batch|COMPLETED|3:0|125|300M|short|n7||\n' }),
    run({ stdout: json }),
  ])

describe('get_slurm_sacct', () => {
  it('live: one row per step with the exit code from sacct text (the JSON says 0), each allocation placed', async () => {
    const m = world()
    const a = scriptedAgent(['sacct']).act('sacct', live())
    const out = data(await invoke(getSlurmSacct, { workflow_id: 1 }, context(m, a), 'rest'))
    expect(out).toMatchObject({ source: 'sacct', total_slurm_jobs: 2, total_walltime_seconds: 125, errors: [] })
    expect(out.summary).toEqual([
      {
        slurm_job_id: '101',
        job_step: 'batch',
        state: 'COMPLETED',
        exit_code: '3:0',
        elapsed: '2m 5s',
        max_rss: '-',
        cpu_time: '30s',
        nodes: 'n7',
      },
    ])
    expect(
      out.allocations.map((x: { slurm_job_id: string; phase: string; source: string }) => [
        x.slurm_job_id,
        x.phase,
        x.source,
      ])
    ).toEqual([
      ['102', 'queued', 'squeue'],
      ['101', 'finished', 'sacct'],
    ])
    expect(a.sent('sacct')).toEqual([{ slurm_job_ids: [102, 101] }])
  })

  it('sacct --json that is not JSON, or a failed squeue: listed in errors, the rest still read', async () => {
    const m = world()
    const broken = live('sacct: error: Slurm accounting storage is disabled')
    broken.runs[0] = run({ exit_code: 1, stderr: 'squeue: error: slurm_load_jobs error: Socket timed out' })
    const a = scriptedAgent(['sacct']).act('sacct', broken)
    const out = data(await invoke(getSlurmSacct, { workflow_id: 1 }, context(m, a), 'rest'))
    expect(out.errors).toEqual([
      expect.stringMatching(
        /^squeue: `torc --url <torc-url>…` exited 1: squeue: error: slurm_load_jobs error: Socket timed out$/
      ),
      'sacct --json printed something that is not JSON',
    ])
    expect(out.summary).toEqual([])
    expect(out.allocations[1]).toMatchObject({ slurm_job_id: '101', exit_code: '0:0', source: 'sacct' })
  })

  it("no agent: Torc's stored per-job Slurm statistics, and the command for the full accounting", async () => {
    const m = world()
    m.torc.list('/slurm_stats', [
      { workflow_id: 1, job_id: 5, run_id: 1, attempt_id: 1, slurm_job_id: '101', max_rss_bytes: 2048 },
    ])
    const out = data(await invoke(getSlurmSacct, { workflow_id: 1 }, context(m), 'rest'))
    expect(out).toMatchObject({ source: 'torc_slurm_stats', summary: [], command: 'torc -f json slurm sacct 1' })
    expect(out.slurm_stats).toEqual([
      {
        job_id: 5,
        run_id: 1,
        attempt_id: 1,
        slurm_job_id: '101',
        max_rss_bytes: 2048,
        ave_cpu_seconds: null,
        node_list: null,
      },
    ])
    expect(out.allocations.map((x: { phase: string; source: string }) => [x.phase, x.source])).toEqual([
      ['queued', 'torc'],
      ['finished', 'torc'],
    ])
    expect(out.note).toMatch(
      /^Live sacct needs the login-node agent: no live Slurm view \(no login-node agent is configured/
    )
  })

  it('no agent and no statistics: says Torc stored none; statistics Torc could not give are not called "none"', async () => {
    const m = world()
    m.torc.list('/slurm_stats', [])
    const none = data(await invoke(getSlurmSacct, { workflow_id: 1 }, context(m), 'rest'))
    expect(none).toMatchObject({ source: 'none', slurm_stats: [] })
    expect(none.note).toContain('Torc stored no Slurm statistics for workflow 1 either')
    expect(none.note).toContain('`sacct -j 102,101 -P -o JobID,JobName,State,ExitCode,Elapsed,MaxRSS`')
    m.torc.on('GET', '/slurm_stats', torcError(500, 'database is locked'))
    const unread = data(await invoke(getSlurmSacct, { workflow_id: 1 }, context(m), 'rest'))
    expect(unread.source).toBe('none')
    expect(unread.note).not.toContain('Torc stored no Slurm statistics')
    expect(unread.note).toContain(
      "Torc's stored Slurm statistics could not be read (Torc failed GET /slurm_stats (HTTP 500)"
    )
  })

  it('no allocations: source none, no agent call; Torc failing is the answer; an unreachable agent too', async () => {
    const a = scriptedAgent(['sacct'])
    const out = data(await invoke(getSlurmSacct, { workflow_id: 1 }, context(new TorcModel(), a), 'rest'))
    expect(out).toMatchObject({ source: 'none', total_slurm_jobs: 0 })
    expect(out.note).toMatch(/it has no Slurm allocations \(yet\)/)
    expect(a.sent('sacct')).toEqual([])
    const m = world()
    m.torc.on('GET', '/scheduled_compute_nodes', { fault: 'refused' })
    expect(failure(await invoke(getSlurmSacct, { workflow_id: 1 }, context(m, a), 'rest')).code).toBe(
      'upstream_unavailable'
    )
    const down = scriptedAgent(['sacct']).act('sacct', { fault: 'refused' })
    expect(failure(await invoke(getSlurmSacct, { workflow_id: 1 }, context(world(), down), 'rest'))).toMatchObject({
      code: 'upstream_unavailable',
      message: 'the login-node agent is unreachable: could not run the sacct action',
    })
  })
})

/** A diamond: prep -> two work jobs -> post, the work jobs on their own requirement. */
const diamond = {
  name: 'diamond',
  resource_requirements: [{ name: 'big', num_cpus: 4, memory: '8g', runtime: 'PT1H' }],
  jobs: [
    { name: 'prep', command: 'prep' },
    { name: 'w1', command: 'w', depends_on: ['prep'], resource_requirements: 'big' },
    { name: 'w2', command: 'w', depends_on: ['prep'], resource_requirements: 'big' },
    { name: 'post', command: 'post', depends_on: ['w1', 'w2'] },
  ],
}
const plan = (input: Record<string, unknown>, a?: Agent) =>
  invoke(planAllocations, { spec_json: diamond, account: 'proj', ...input }, context(new TorcModel(), a), 'rest')

describe('plan_allocations', () => {
  it("without the agent: the spec's shape, and the command that gets the estimates on a login node", async () => {
    const out = data(await plan({ partition: 'short' }))
    expect(out).toMatchObject({
      workflow_analysis: {
        total_jobs: 4,
        dependency_depth: 3,
        max_parallelism: 2,
        max_parallelism_level: 1,
        resource_groups: 2,
      },
      resource_group_jobs: [
        { name: '(none)', job_count: 2 },
        { name: 'big', job_count: 2 },
      ],
      estimates_available: false,
      command:
        'torc -f json slurm plan-allocations --group-by resource-requirements ' +
        '--account proj --partition short workflow.json',
    })
    expect(out.note).toMatch(
      /^The workflow analysis is above\. Cluster state and sbatch --test-only estimates need the login node/
    )
  })

  it("with the agent: torc's estimates passed on; a probe that failed or printed no JSON says so", async () => {
    const torcPlan = {
      cluster_state: [{ partition: 'short', idle: 3 }],
      recommendations: [{ strategy: 'many_small' }],
      profile_name: 'kestrel',
    }
    const a = scriptedAgent(['probe']).act('probe', result('probe', [run({ stdout: JSON.stringify(torcPlan) })]), 1)
    const out = data(await plan({}, a))
    expect(out).toMatchObject({
      estimates_available: true,
      cluster_state: torcPlan.cluster_state,
      profile_name: 'kestrel',
    })
    expect(a.sent('probe')).toEqual([{ spec: diamond, account: 'proj', skip_test_only: false }])
    // torc printed a document before failing: still no estimates.
    a.act(
      'probe',
      result('probe', [run({ exit_code: 2, stdout: '{"warnings":[]}', stderr: 'sbatch: error: invalid account' })]),
      1
    )
    const failed = data(await plan({}, a))
    expect(failed.estimates_available).toBe(false)
    expect(failed.note).toMatch(
      /the estimates failed on the login node: .* exited 2: sbatch: error: invalid account\.$/
    )
  })

  it('a spec with a dependency cycle, or an account that could become an option, is invalid_input', async () => {
    const cyclic = {
      ...diamond,
      jobs: [
        { name: 'a', command: 'a', depends_on: ['b'] },
        { name: 'b', command: 'b', depends_on: ['a'] },
      ],
    }
    expect(failure(await plan({ spec_json: cyclic })).code).toBe('invalid_input')
    const option = failure(await plan({ account: '--uid=0' }))
    expect(option.code).toBe('invalid_input')
    expect(option.message).toMatch(/^invalid input: account: /)
  })
})
