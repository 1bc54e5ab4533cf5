/**
 * Without the login-node agent, or with an action not allowed, every cluster tool says exactly
 * that and gives the command to run on a login node; nothing is half done. Two real deployments
 * on the real Slurm bed: one whose agent allows only `sacct`, one whose Worker has no action token
 * at all. The reads that need no action still work through the site (offline journals, counted
 * from a real SQLite journal in torc's format).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addSlurmScheduler, torcApiAt } from '../../scripts/torc-seed.ts'
import { haveSlurm } from '../setup/slurm.ts'
import { FOUR_STAGE, type Stack, startStack } from './slurm-stack.ts'

type Confirm = { tool: string; arguments: Record<string, unknown> }

async function created(stack: Stack, spec: string): Promise<number> {
  const preview = await stack.ok('create_workflow', { spec, format: 'yaml', action: 'create_workflow' })
  const done = await stack.ok((preview.confirm as Confirm).tool, (preview.confirm as Confirm).arguments)
  return (done.applied as { workflow_id: number }).workflow_id
}

let made = 0
/** A small local workflow, named anew each time (the same creation twice is one creation). */
const LOCAL = () => `
name: local_two_${++made}
jobs:
  - { name: a, command: "echo a" }
  - { name: b, command: "echo b", depends_on: [a] }
`

describe.runIf(haveSlurm())('an agent that allows only sacct', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ allow: 'sacct' })
  }, 300_000)
  afterAll(async () => stack?.stop(), 120_000)

  it('submit_workflow is blocked naming --allow and the exact command (with the output root)', async () => {
    const wf = await created(stack, LOCAL())
    const plan = await stack.ok('submit_workflow', { workflow_id: wf })
    expect(plan).toMatchObject({ mode: 'local', can_apply: false, confirm: null })
    const blockers = (plan.blockers as string[]).join(' ')
    expect(blockers).toContain('--allow run')
    expect(blockers).toContain(`\`torc run -o ${stack.root} ${wf}\``)
  })

  it('create_workflow for slurm without hpc_profile names the parameter and why the cluster profile is missing', async () => {
    const res = await stack.call('create_workflow', {
      spec: FOUR_STAGE,
      format: 'yaml',
      workflow_type: 'slurm',
      account: 'my_account',
      action: 'validate',
    })
    expect(res.status).toBe(400)
    const message = (res.body as { error: { message: string } }).error.message
    expect(message).toMatch(/^hpc_profile: /)
    expect(message).toContain('--allow partitions')
    // Naming a built-in profile needs nothing from the cluster.
    const named = await stack.ok('create_workflow', {
      spec: FOUR_STAGE,
      format: 'yaml',
      workflow_type: 'slurm',
      account: 'my_account',
      hpc_profile: 'kestrel',
    })
    expect(named).toMatchObject({ valid: true, slurm: { profile: 'kestrel' } })
  })

  it('plan_allocations gives the analysis and says the estimates need --allow probe, with the command', async () => {
    const spec = await stack.ok('create_workflow', {
      spec: FOUR_STAGE,
      format: 'yaml',
      action: 'save_spec_file',
      save_format: 'json',
    })
    const plan = await stack.ok('plan_allocations', {
      spec_json: JSON.parse(String(spec.spec_text)),
      account: 'my_account',
    })
    expect(plan).toMatchObject({
      estimates_available: false,
      recommendations: [],
      workflow_analysis: { total_jobs: 37, dependency_depth: 4 },
    })
    expect(String(plan.note)).toContain('--allow probe')
    expect(String(plan.note)).toContain(String(plan.command))
  })

  it('cancel_workflow previews without cancelling allocations, and gives `torc cancel`', async () => {
    const wf = await created(stack, LOCAL())
    const api = torcApiAt(stack.torc.apiUrl)
    const scheduler = await addSlurmScheduler(api, wf, { name: 's', account: 'my_account', walltime: '00:05:00' })
    await api('POST', '/scheduled_compute_nodes', {
      workflow_id: wf,
      scheduler_id: 999_999_999,
      scheduler_config_id: scheduler,
      scheduler_type: 'slurm',
      status: 'pending',
    })
    const plan = await stack.ok('cancel_workflow', { workflow_id: wf })
    expect(plan).toMatchObject({ cancels_allocations: false, slurm_allocations: 1, slurm_command: `torc cancel ${wf}` })
  })

  it('check_offline_journals reads a real journal through the site; reconcile is blocked naming --allow', async () => {
    const wf = await created(stack, LOCAL())
    const status = await stack.ok('get_workflow_status', { workflow_id: wf })
    const run = status.run_id as number
    mkdirSync(join(stack.root, 'offline_journal'), { recursive: true })
    const db = new DatabaseSync(join(stack.root, 'offline_journal', `offline_results_wf${wf}_r${run}_login1.db`))
    db.exec('PRAGMA journal_mode = WAL')
    db.exec(
      'CREATE TABLE journaled_completions (job_id INTEGER PRIMARY KEY, run_id INTEGER NOT ' +
        'NULL, status INTEGER NOT NULL, payload TEXT NOT NULL, journaled_at INTEGER NOT NULL)'
    )
    db.prepare('INSERT INTO journaled_completions VALUES (?, ?, 5, ?, 0)').run(1, run, '{}')
    db.close()
    const check = await stack.ok('check_offline_journals', { workflow_id: wf })
    expect(check).toMatchObject({
      run_id: run,
      base_dir: stack.root,
      journals_found: 1,
      total_pending_completions: 1,
      reconcile_needed: true,
      reconcile_command: `torc workflows reconcile ${wf} ${run} --base-dir ${stack.root}`,
    })
    expect((check.recommendation as string[]).join(' ')).toContain('on a login node')
    const plan = await stack.ok('reconcile_offline_journals', { workflow_id: wf })
    expect(plan.can_apply).toBe(false)
    expect((plan.blockers as string[]).join(' ')).toContain('--allow reconcile')
  })
})

describe.runIf(haveSlurm())('a deployment without the agent', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ workerAgent: false })
  }, 300_000)
  afterAll(async () => stack?.stop(), 120_000)

  it('get_slurm_sacct says live sacct needs the agent and gives `torc -f json slurm sacct`', async () => {
    const wf = await created(stack, LOCAL())
    const api = torcApiAt(stack.torc.apiUrl)
    const scheduler = await addSlurmScheduler(api, wf, { name: 's', account: 'my_account', walltime: '00:05:00' })
    await api('POST', '/scheduled_compute_nodes', {
      workflow_id: wf,
      scheduler_id: 123_456,
      scheduler_config_id: scheduler,
      scheduler_type: 'slurm',
      status: 'pending',
    })
    const sacct = await stack.ok('get_slurm_sacct', { workflow_id: wf })
    expect(sacct).toMatchObject({ source: 'none', total_slurm_jobs: 1, summary: [] })
    expect(String(sacct.note)).toContain('TORC_OUTPUT_AGENT_TOKEN')
    expect(String(sacct.note)).toContain(`\`torc -f json slurm sacct ${wf}\``)
    const status = await stack.ok('get_workflow_status', { workflow_id: wf })
    expect(status.allocations).toMatchObject({ source: 'torc', total: 1, queued: 1 })
    expect(String((status.allocations as { note: string }).note)).toContain('TORC_OUTPUT_AGENT_TOKEN')
    const submit = await stack.ok('submit_workflow', { workflow_id: wf, mode: 'local' })
    expect((submit.blockers as string[]).join(' ')).toContain('TORC_OUTPUT_AGENT_TOKEN')
  })
})

describe.runIf(haveSlurm())('an agent whose PATH lacks torc-slurm-job-runner', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ runnerOnPath: false })
  }, 300_000)
  afterAll(async () => stack?.stop(), 120_000)

  it('submit_workflow says the allocation failed (exit 127) although torc submit exited 0', async () => {
    const spec = `
name: no_runner
resource_requirements:
  - { name: r, num_cpus: 1, memory: 100m, runtime: PT1M }
jobs:
  - { name: a, command: "echo a", resource_requirements: r }
slurm_schedulers:
  - { name: s, account: my_account, partition: debug, mem: 1g, nodes: 1, walltime: "00:05:00" }
actions:
  - { trigger_type: on_workflow_start, action_type: schedule_nodes, scheduler: s, scheduler_type: slurm, num_allocations: 1 }
`
    const wf = await created(stack, spec)
    const plan = await stack.ok('submit_workflow', { workflow_id: wf })
    const t0 = performance.now()
    const applied = await stack.ok((plan.confirm as Confirm).tool, (plan.confirm as Confirm).arguments)
    expect(performance.now() - t0).toBeLessThan(10_000)
    expect(stack.audit.find((l) => l.action === 'submit')).toMatchObject({ outcome: 'ok', exit_code: [0] })
    const result = applied.applied as {
      failed_allocations: number
      allocations: { exit_code: string; phase: string }[]
    }
    expect(result.failed_allocations).toBe(1)
    expect(result.allocations[0]).toMatchObject({ phase: 'failed', exit_code: '127:0' })
    expect(String(applied.next_steps)).toContain('torc-slurm-job-runner')
    expect(String(applied.next_steps)).toContain('Every allocation failed')
  })
})
