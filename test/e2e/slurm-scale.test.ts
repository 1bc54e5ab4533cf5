/**
 * Issue 13's time limits measured on the real Slurm test bed through the Worker: get_slurm_sacct
 * for a workflow with 100 Slurm allocations (100 real sbatch jobs, recorded in Torc as its
 * scheduled compute nodes) answers within 5 s, live from squeue and sacct through the agent, and
 * get_workflow_status with them stays quick. (Submission's 10 s is measured in flow 1.)
 */
import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { addSlurmScheduler, createWorkflow, torcApiAt } from '../../scripts/torc-seed.ts'
import { haveSlurm } from '../setup/slurm.ts'
import { type Stack, startStack } from './slurm-stack.ts'

const ALLOCATIONS = 100

describe.runIf(haveSlurm())('100 allocations', () => {
  let stack: Stack
  let wf: number
  let ids: string[]
  const times: Record<string, number> = {}

  beforeAll(async () => {
    stack = await startStack({ allow: 'sacct' })
    const api = torcApiAt(stack.torc.apiUrl)
    const made = await createWorkflow(api, { name: 'hundred', jobs: [{ name: 'only' }] })
    wf = made.id
    const scheduler = await addSlurmScheduler(api, wf, {
      name: 'tiny',
      account: stack.bed.bed.account,
      walltime: '00:05:00',
    })
    const t0 = performance.now()
    ids = []
    for (let i = 0; i < ALLOCATIONS; i++) {
      const r = spawnSync('sbatch', ['--parsable', '-o', '/dev/null', '--mem=10M', '--wrap', 'sleep 1'], {
        env: stack.bed.env,
        cwd: stack.workdir,
        encoding: 'utf8',
      })
      if (r.status !== 0) throw new Error(`sbatch: ${r.stderr}`)
      ids.push(r.stdout.trim())
    }
    times.sbatch = Math.round(performance.now() - t0)
    for (const id of ids)
      await api('POST', '/scheduled_compute_nodes', {
        workflow_id: wf,
        scheduler_id: Number(id),
        scheduler_config_id: scheduler,
        scheduler_type: 'slurm',
        status: 'pending',
      })
  }, 300_000)

  afterAll(async () => {
    if (ids?.length) spawnSync('scancel', ids, { env: stack.bed.env })
    await stack?.stop()
    console.error(`slurm-scale.test.ts times (ms): ${JSON.stringify(times)}`)
  }, 120_000)

  it('get_slurm_sacct answers live for all of them within 5 s', async () => {
    const t0 = performance.now()
    const sacct = await stack.ok('get_slurm_sacct', { workflow_id: wf })
    times.get_slurm_sacct = Math.round(performance.now() - t0)
    expect(sacct).toMatchObject({ source: 'sacct', total_slurm_jobs: ALLOCATIONS, errors: [] })
    const allocations = sacct.allocations as { slurm_job_id: string; source: string }[]
    expect(allocations).toHaveLength(ALLOCATIONS)
    expect(allocations.every((a) => a.source === 'squeue' || a.source === 'sacct')).toBe(true)
    expect(times.get_slurm_sacct).toBeLessThan(5_000)
  })

  it('get_workflow_status carries them, as quickly', async () => {
    const t0 = performance.now()
    const status = await stack.ok('get_workflow_status', { workflow_id: wf })
    times.get_workflow_status = Math.round(performance.now() - t0)
    const a = status.allocations as { source: string; total: number; items: unknown[] }
    expect(a).toMatchObject({ source: 'slurm', total: ALLOCATIONS })
    expect(a.items).toHaveLength(20)
    expect(times.get_workflow_status).toBeLessThan(5_000)
  })
})
