/**
 * submit_workflow for a local workflow (no Slurm schedulers): the agent's `run` action starts the
 * real `torc run <id> -o <root>` in the background on the login node; the workflow completes, its
 * logs land in the directory the site serves (get_job_logs reads them), and a second submission is
 * refused while nothing is left to run. Runs on the e2e project's Slurm bed only because the stack
 * does; no allocation is involved.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { haveSlurm } from '../setup/slurm.ts'
import { type Stack, startStack, until } from './slurm-stack.ts'

type Confirm = { tool: string; arguments: Record<string, unknown> }

describe.runIf(haveSlurm())('submit_workflow, local', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ allow: 'run,sacct' })
  }, 300_000)
  afterAll(async () => stack?.stop(), 120_000)

  it('starts torc run in the background on the login node, and the workflow completes', async () => {
    const spec = `
name: local_run
jobs:
  - { name: first, command: "echo hello from the login node" }
  - { name: second, command: "echo second", depends_on: [first] }
`
    const preview = await stack.ok('create_workflow', { spec, format: 'yaml', action: 'create_workflow' })
    const created = await stack.ok((preview.confirm as Confirm).tool, (preview.confirm as Confirm).arguments)
    const wf = (created.applied as { workflow_id: number }).workflow_id
    const plan = await stack.ok('submit_workflow', { workflow_id: wf })
    expect(plan).toMatchObject({ mode: 'local', command: `torc run -o ${stack.root} ${wf}`, can_apply: true })
    const t0 = performance.now()
    const applied = await stack.ok((plan.confirm as Confirm).tool, (plan.confirm as Confirm).arguments)
    expect(performance.now() - t0).toBeLessThan(10_000)
    const runner = (applied.applied as { runner: { pid: number; already_running: boolean } | null }).runner
    // Either still running after the agent's grace period, or already done with exit 0.
    if (runner) expect(runner.already_running).toBe(false)
    expect(stack.audit.find((l) => l.action === 'run')).toMatchObject({ outcome: 'ok' })

    const done = await until(
      `workflow ${wf} to complete`,
      120_000,
      async () => {
        const s = await stack.ok('get_workflow_status', { workflow_id: wf })
        return s.is_complete ? s : undefined
      },
      1000
    )
    expect(done.job_counts_by_status).toMatchObject({ completed: 2, failed: 0 })
    const jobs = await stack.ok('list_jobs_by_status', { workflow_id: wf, status: 'completed' })
    const first = (jobs.jobs as { job_id: number; name: string }[]).find((j) => j.name === 'first')!
    const logs = await stack.ok('get_job_logs', {
      workflow_id: wf,
      job_id: first.job_id,
      run_id: done.run_id,
      log_type: 'stdout',
    })
    expect(JSON.stringify(logs)).toContain('hello from the login node')

    const again = await stack.ok('submit_workflow', { workflow_id: wf })
    expect(again.can_apply).toBe(false)
    expect((again.blockers as string[]).join(' ')).toContain('no job left to run')
  })
})
