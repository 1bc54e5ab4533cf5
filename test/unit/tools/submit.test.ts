/**
 * submit_workflow (src/tools/submit.ts) on a scripted Torc and a scripted login-node agent
 * (agent.ts) whose submit action records an allocation in the model: the change contract (Slurm
 * mode; a retried apply finds the allocation and submits nothing twice), local mode's background
 * runner, what Slurm says of the allocations, and every blocker. Real Slurm: test/e2e.
 */
import { describe, expect, it } from 'vitest'
import type { ToolContext } from '../../../src/registry.ts'
import type { ActionName } from '../../../src/site-protocol/actions.ts'
import { submitWorkflow } from '../../../src/tools/submit.ts'
import { result, run, scriptedAgent } from './agent.ts'
import { changeContract, session } from './change-contract.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { TorcModel } from './torc-model.ts'

quietToolLogs()

/** A Slurm workflow (one scheduler, a schedule_nodes action) with three ready jobs; squeue says PENDING. */
function world(allow: ActionName[] = ['submit', 'sacct', 'run'], slurmState = 'PENDING') {
  const m = new TorcModel()
  const rr = m.requirement('work')
  for (const n of ['a', 'b', 'c']) m.job(n, rr, 'ready')
  m.schedulers.push({ id: 1, name: 'short', account: 'proj', walltime: '01:00:00', nodes: 1 })
  m.torc.on('GET', '/workflows/1/actions', [{ action_type: 'schedule_nodes', trigger_type: 'on_workflow_start' }])
  const a = scriptedAgent(allow)
  a.act('submit', () => {
    m.scheduled.push({ id: m.scheduled.length + 1, scheduler_id: 5550 + m.scheduled.length, status: 'pending' })
    return result('submit', [run({ stdout: '{"message":"Submitted 1 allocation"}' })])
  })
  a.act('sacct', () =>
    result('sacct', [
      run({
        stdout: m.scheduled.map((n) => `${n.scheduler_id}|${slurmState}|Priority|0:00|1:00:00|1|short|wf1`).join('\n'),
      }),
      run(),
      run({ stdout: '{"jobs":[]}' }),
    ])
  )
  return Object.assign(m, { agent: a })
}
type World = ReturnType<typeof world>
const withAgent = (w: World): Partial<ToolContext> => ({ output: w.agent.output, agent: w.agent.agent })
const contract = {
  tool: submitWorkflow,
  context: withAgent,
  fakeTime: true,
  world: () => world(),
  state: (w: World) => ({ allocations: w.scheduled.map((n) => n.scheduler_id) }),
  input: { workflow_id: 1 },
  differing: { mode: 'local' },
  // The plan's and the apply's reads, then the one after submitting.
  midway: { method: 'GET', path: '/scheduled_compute_nodes', nth: 3 },
  firstRead: { method: 'GET', path: '/workflows/1' },
}

describe('submit_workflow: the change contract (Slurm)', () => {
  changeContract(contract)
})

describe('submit_workflow', () => {
  it('previews `torc submit` with the output root; applying reports what Slurm says of the new allocation', async () => {
    const w = world()
    const { call } = session(contract, w)
    const preview = data(await call({ workflow_id: 1 }))
    expect(preview).toMatchObject({
      mode: 'slurm',
      command: "torc submit --no-prompts -o '/scratch/alice/torc output' 1",
      schedulers: [{ id: 1, name: 'short', account: 'proj', partition: null }],
      schedule_nodes_actions: 1,
      allocations_now: { queued: 0, running: 0 },
    })
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied).toMatchObject({
      mode: 'slurm',
      already_started: false,
      slurm_job_ids: ['5550'],
      failed_allocations: 0,
      allocations: [{ slurm_job_id: '5550', state: 'PENDING', phase: 'queued', reason: 'Priority', source: 'squeue' }],
    })
    expect(applied.applied.report).toBe(
      'Submitted 1 Slurm allocation(s) for workflow 1: Slurm job id(s) 5550: 1 queued.'
    )
    expect(w.agent.sent('submit')).toEqual([{ workflow_id: 1 }])
  })

  it('an allocation that already failed in Slurm is said plainly, with the likely cause', async () => {
    const w = world(undefined, 'FAILED')
    w.agent.act('sacct', () =>
      result('sacct', [
        run({ exit_code: 1, stderr: 'Invalid job id specified' }),
        run({ stdout: '5550|wf1|FAILED|127:0|1||short|n1||\n' }),
        run(),
      ])
    )
    const { call } = session(contract, w)
    const applied = data(await call(data(await call({ workflow_id: 1 })).confirm.arguments))
    expect(applied.applied.failed_allocations).toBe(1)
    expect(applied.applied.report).toContain(
      'FAILED in Slurm: 5550 FAILED exit 127:0 (exit 127: a command was not found'
    )
    expect(applied.applied.report).toContain('Every allocation failed: the jobs will not run')
  })

  it('one scheduler and no schedule_nodes action: schedule-nodes for that scheduler', async () => {
    const w = world()
    w.torc.on('GET', '/workflows/1/actions', [])
    const { call } = session(contract, w)
    const preview = data(await call({ workflow_id: 1 }))
    expect(preview.command).toBe(
      "torc slurm schedule-nodes --scheduler-config-id 1 --num-hpc-jobs 1 -o '/scratch/alice/torc output' 1"
    )
    data(await call(preview.confirm.arguments))
    expect(w.agent.sent('submit')).toEqual([{ workflow_id: 1, scheduler_id: 1, num_allocations: 1 }])
  })

  it('local mode starts torc run in the background; a runner already going is reported, not doubled', async () => {
    const local = (answer: unknown) => {
      const w = world()
      w.schedulers.length = 0
      w.agent.act('run', answer)
      return { w, ...session(contract, w) }
    }
    const started = { pid: 4242, already_running: false, started_at: '2026-03-01T08:00:00Z' }
    const first = local(result('run', [run({ exit_code: null })], started))
    const preview = data(await first.call({ workflow_id: 1 }))
    expect(preview).toMatchObject({ mode: 'local', command: "torc run -o '/scratch/alice/torc output' 1" })
    const applied = data(await first.call(preview.confirm.arguments))
    expect(applied.applied).toMatchObject({ mode: 'local', already_started: false, runner: started })
    expect(applied.applied.report).toMatch(/^Started torc run for workflow 1 on the login node \(pid 4242/)
    expect(first.w.agent.sent('run')).toEqual([{ workflow_id: 1 }])

    const second = local(result('run', [run({ exit_code: null })], { ...started, already_running: true }))
    const again = data(await second.call(data(await second.call({ workflow_id: 1 })).confirm.arguments))
    expect(again.applied).toMatchObject({ already_started: true })
    expect(again.applied.report).toMatch(/^torc run was already running for workflow 1/)

    const broken = local(result('run', [run({ exit_code: 2, stderr: 'Error: workflow is not initialized' })]))
    const out = failure(await broken.call(data(await broken.call({ workflow_id: 1 })).confirm.arguments))
    expect(out.message).toMatch(
      /^start torc run on the login node failed: the login-node agent's run action failed: .* exited 2: Error: workflow is not initialized\. Nothing was changed\.$/
    )
  })

  it('blocks a complete, canceled or already queued workflow, and one the agent cannot start, saying what to do', async () => {
    const done = world()
    for (const j of done.jobs.values()) j.status = 'completed'
    const { call } = session(contract, done)
    expect(data(await call({ workflow_id: 1 })).blockers).toEqual([
      'workflow 1 has no job left to run (it is complete).',
    ])
    done.workflow.is_canceled = true
    expect(data(await call({ workflow_id: 1 })).blockers[0]).toBe(
      'workflow 1 is canceled: restart_failed_jobs or recover_workflow resets it first.'
    )
    const queued = world()
    queued.scheduled.push({ id: 1, scheduler_id: 77, status: 'pending' })
    const q = session(contract, queued)
    expect(data(await q.call({ workflow_id: 1 })).blockers).toEqual([
      '1 allocation(s) of workflow 1 are already queued or running: ' +
        'they run its jobs. cancel_workflow first to start over.',
    ])
    const noAgent = session(contract, world(['sacct']))
    expect(data(await noAgent.call({ workflow_id: 1 })).blockers).toEqual([
      'cannot start it from here: the login-node agent does not allow the submit action (the operator starts it with ' +
        "--allow submit). On a login node: `torc submit --no-prompts -o '/scratch/alice/torc output' 1`.",
    ])
  })

  it('mode slurm for a workflow without schedulers is blocked, naming the way out', async () => {
    const w = world()
    w.schedulers.length = 0
    const { call } = session(contract, w)
    expect(data(await call({ workflow_id: 1, mode: 'slurm' })).blockers).toContain(
      'workflow 1 has no Slurm schedulers: create it with workflow_type "slurm", or use mode "local".'
    )
  })
})
