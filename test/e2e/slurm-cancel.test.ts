/**
 * Flow 4 of issue 13, on the real Slurm test bed and through the Worker's tools only: a workflow
 * with three allocations of one CPU each on the bed's two-CPU node (so some run while another is
 * queued) is canceled with cancel_workflow, whose apply cancels the allocations through the
 * login-node agent (`torc cancel`): none is left in squeue, and Slurm records them CANCELLED.
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { haveSlurm } from '../setup/slurm.ts'
import { type Stack, startStack, until } from './slurm-stack.ts'

const SPEC = `
name: cancel_me
description: three long jobs, three allocations of one CPU each
resource_requirements:
  - { name: long, num_cpus: 1, memory: 100m, runtime: PT10M }
jobs:
  - { name: "long_{i}", command: "sleep 600", resource_requirements: long, parameters: { i: "1:3" } }
slurm_schedulers:
  - { name: one_cpu, account: my_account, partition: debug, mem: 1g, nodes: 1, walltime: "00:20:00" }
actions:
  - { trigger_type: on_workflow_start, action_type: schedule_nodes, scheduler: one_cpu, scheduler_type: slurm, num_allocations: 3 }
`

type Confirm = { tool: string; arguments: Record<string, unknown> }
type Allocation = { slurm_job_id: string; phase: string; state: string | null }

describe.runIf(haveSlurm())('flow 4: cancel_workflow cancels queued and running allocations', () => {
  let stack: Stack
  const times: Record<string, number> = {}

  beforeAll(async () => {
    stack = await startStack()
  }, 300_000)

  afterAll(async () => {
    await stack?.stop()
    console.error(`slurm-cancel.test.ts times (ms): ${JSON.stringify(times)}`)
  }, 120_000)

  it('leaves none of them in squeue', async () => {
    const preview = await stack.ok('create_workflow', { spec: SPEC, format: 'yaml', action: 'create_workflow' })
    const created = await stack.ok((preview.confirm as Confirm).tool, (preview.confirm as Confirm).arguments)
    const wf = (created.applied as { workflow_id: number }).workflow_id
    const planned = await stack.ok('submit_workflow', { workflow_id: wf })
    const submitted = await stack.ok((planned.confirm as Confirm).tool, (planned.confirm as Confirm).arguments)
    const ids = (submitted.applied as { slurm_job_ids: string[] }).slurm_job_ids
    expect(ids).toHaveLength(3)

    // Two run (one CPU each on two), the third waits for resources.
    const both = await until('allocations both running and queued', 120_000, async () => {
      const s = await stack.ok('get_workflow_status', { workflow_id: wf })
      const a = s.allocations as { running: number; queued: number; items: Allocation[] }
      return a.running >= 1 && a.queued >= 1 ? a : undefined
    })
    expect(both.running + both.queued).toBe(3)

    const t0 = performance.now()
    const plan = await stack.ok('cancel_workflow', { workflow_id: wf })
    expect(plan).toMatchObject({ cancels_allocations: true, can_apply: true })
    const applied = await stack.ok((plan.confirm as Confirm).tool, (plan.confirm as Confirm).arguments)
    times['cancel_workflow apply'] = Math.round(performance.now() - t0)
    const canceled = (applied.applied as { slurm_canceled: { slurm_job_ids: string[]; still_in_queue: string[] } })
      .slurm_canceled
    expect(canceled.slurm_job_ids.sort()).toEqual([...ids].sort())
    expect(canceled.still_in_queue).toEqual([])
    expect(String(applied.next_steps)).toContain('none is left in squeue')

    // Slurm itself, not the tool's word: squeue knows none of them, sacct says CANCELLED.
    const squeue = spawnSync('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T'], {
      env: stack.bed.env,
      encoding: 'utf8',
    })
    expect(squeue.stdout.trim()).toBe('')
    // A running allocation's runner may see the canceled workflow and exit first (COMPLETED); the
    // queued one never started and is CANCELLED.
    const states = await until('sacct to record the ends', 30_000, async () => {
      const r = spawnSync('sacct', ['-n', '-P', '-X', '-j', ids.join(','), '-o', 'JobID,State'], {
        env: stack.bed.env,
        encoding: 'utf8',
      })
      const rows = r.stdout
        .trim()
        .split('\n')
        .map((l) => l.split('|')[1] ?? '')
      return rows.length === 3 && rows.every((s) => /^(CANCELLED|COMPLETED)/.test(s)) ? rows : undefined
    })
    expect(states.some((s) => s.startsWith('CANCELLED'))).toBe(true)
    const status = await stack.ok('get_workflow_status', { workflow_id: wf })
    expect(status.is_canceled).toBe(true)
    expect(status.allocations as { queued: number; running: number }).toMatchObject({ queued: 0, running: 0 })
  })
})
