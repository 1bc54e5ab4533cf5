/**
 * An apply that fails midway is finished, not compounded: recover_workflow through a fault-injecting
 * binding in front of the real torc-server (vitest.config.ts faultInjector) fails after the
 * requirement was raised but before every job was reset. The answer names what was done and says to
 * apply again; a new preview offers the same plan (resuming, same plan_id, memory target unchanged);
 * applying it finishes the recovery exactly as planned, one run later, memory raised once.
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { keys, mcpClient, rest, sendConfirm } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner, torcApi, type WorkflowFixture } from '../helpers/worker-torc.ts'

const GB = 1024 ** 3

/** Three jobs on a 10g requirement; two killed at 11 GB (10g x 1.5 = 15g holds them). */
async function oomWorkflow(name: string): Promise<WorkflowFixture> {
  const wf = await createWorkflow({
    name,
    resources: { work: { num_cpus: 1, memory: '10g', runtime: 'PT1H' } },
    jobs: [
      { name: 'oom_a', resources: 'work' },
      { name: 'oom_b', resources: 'work' },
      { name: 'fine', resources: 'work' },
    ],
  })
  await drive(wf, (j) =>
    j === 'fine'
      ? { status: 'completed', return_code: 0, exec_time_minutes: 1, peak_memory_bytes: GB }
      : { status: 'failed', return_code: 137, exec_time_minutes: 1, peak_memory_bytes: 11 * GB }
  )
  await stopRunner(wf)
  return wf
}

/** The next `method` request whose path matches `path`, the nth from now, answers 500 once. */
async function failNth(method: string, path: string, nth: number) {
  const res = await env.TORC_FAULTS.fetch('http://faults/arm', {
    method: 'POST',
    body: JSON.stringify({ method, path, nth }),
  })
  expect(res.status).toBe(204)
}

/** A tool call through the whole Worker, with Torc reached through the fault injector. */
async function viaFaults(tool: string, args: Record<string, unknown>) {
  const res = await createApp().request(
    `http://edge.test/v1/tools/${tool}`,
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys().write}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    },
    { ...env, TORC: env.TORC_FAULTS }
  )
  return { status: res.status, body: (await res.json()) as any }
}

const memoryOf = async (rr: number) => (await torcApi<{ memory: string }>('GET', `/resource_requirements/${rr}`)).memory
const jobStatus = async (id: number) => (await torcApi<{ status: string }>('GET', `/jobs/${id}`)).status
const runOf = async (wf: number) => (await torcApi<{ run_id: number }>('GET', `/workflows/${wf}`)).run_id

/** Previews, then applies through the injector with the second job reset failing: the workflow is left half-changed. */
async function stopMidway(wf: WorkflowFixture) {
  const preview = (await rest('recover_workflow', { workflow_id: wf.id })).body
  expect(preview).toMatchObject({ status: 'preview', can_apply: true, resuming: false })
  const rr = preview.adjustments[0].resource_requirements_id as number
  expect(preview.adjustments[0].memory).toMatchObject({ old: '10g', new: '15g' })
  await failNth('PUT', '/manage_status_change/uninitialized/', 2)
  const stopped = await viaFaults('recover_workflow', preview.confirm.arguments)
  expect(stopped.status, JSON.stringify(stopped.body)).toBe(502)
  const message = stopped.body.error.message as string
  expect(message).toMatch(/^reset 2 job\(s\) to uninitialized failed: .*injected fault/)
  expect(message).toContain(`Already done: updated requirement ${rr} ("work").`)
  expect(message).toContain('Apply the same plan again (same arguments, dry_run=false) to finish it.')
  // Half-changed: memory raised, one of the two jobs reset, the run not started.
  expect(await memoryOf(rr)).toBe('15g')
  const statuses = await Promise.all(['oom_a', 'oom_b'].map((n) => jobStatus(wf.jobIds.get(n)!)))
  expect(statuses.sort()).toEqual(['failed', 'uninitialized'])
  expect(await runOf(wf.id)).toBe(1)
  return { preview, rr }
}

async function expectFinished(wf: WorkflowFixture, rr: number) {
  expect(await runOf(wf.id)).toBe(2)
  expect(await memoryOf(rr)).toBe('15g')
  for (const name of ['oom_a', 'oom_b']) expect(await jobStatus(wf.jobIds.get(name)!), name).toBe('ready')
  expect(await jobStatus(wf.jobIds.get('fine')!)).toBe('completed')
}

describe('an apply stopped midway converges', () => {
  it('a new preview offers the same plan, and applying it finishes the recovery (REST, then MCP)', async () => {
    const wf = await oomWorkflow('converge-preview')
    const { preview, rr } = await stopMidway(wf)

    // Planned anew, the half-changed workflow would read 15g and propose 23g: it offers the stopped plan instead.
    const again = (await rest('recover_workflow', { workflow_id: wf.id })).body
    expect(again).toMatchObject({ status: 'preview', resuming: true, plan_id: preview.plan_id, can_apply: true })
    expect(again.adjustments[0].memory).toMatchObject({ old: '10g', new: '15g' })
    expect(again.jobs_to_retry).toEqual(preview.jobs_to_retry)
    expect(again.next_steps).toContain(`An apply of plan ${preview.plan_id} stopped midway`)
    expect(again.confirm).toEqual(preview.confirm)
    // Other parameters too: the stopped plan comes first.
    const other = (await rest('recover_workflow', { workflow_id: wf.id, memory_multiplier: 3 })).body
    expect(other).toMatchObject({ resuming: true, plan_id: preview.plan_id })

    const done = await sendConfirm('mcp', again.confirm)
    expect(done).toMatchObject({ status: 'applied', plan_id: preview.plan_id })
    expect(done.applied).toMatchObject({
      requirements_updated: [{ id: rr, memory: '15g' }],
      jobs_reset: preview.jobs_to_retry,
      new_run_id: 2,
    })
    await expectFinished(wf, rr)

    // Finished means applied: the plan is not applied a third time, and nothing is pending any more.
    const thrice = await rest('recover_workflow', preview.confirm.arguments)
    expect(thrice.status).toBe(409)
    expect(thrice.body.error.message).toContain(`plan ${preview.plan_id} was already applied`)
    const after = (await rest('recover_workflow', { workflow_id: wf.id })).body
    expect(after).toMatchObject({ resuming: false, can_apply: false, jobs_to_retry: [] })
    await expectFinished(wf, rr)
  })

  it('the same caller repeating the same call, without the plan_id, finishes it too', async () => {
    const wf = await oomWorkflow('converge-repeat')
    const { preview, rr } = await stopMidway(wf)
    const client = await mcpClient()
    const result = await client.callTool({
      name: 'recover_workflow',
      arguments: { workflow_id: wf.id, dry_run: false },
    })
    await client.close()
    expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false)
    expect(result.structuredContent).toMatchObject({ status: 'applied', plan_id: preview.plan_id })
    await expectFinished(wf, rr)
  })

  it('a failure before anything changed leaves no plan behind: the next preview plans anew', async () => {
    const wf = await oomWorkflow('converge-nothing')
    const preview = (await rest('recover_workflow', { workflow_id: wf.id })).body
    await failNth('PUT', '/resource_requirements/', 1)
    const stopped = await viaFaults('recover_workflow', preview.confirm.arguments)
    expect(stopped.status).toBe(502)
    expect(stopped.body.error.message).toContain('Nothing was changed.')
    expect(stopped.body.error.message).not.toContain('Apply the same plan again')
    const again = (await rest('recover_workflow', { workflow_id: wf.id })).body
    expect(again).toMatchObject({ resuming: false, plan_id: preview.plan_id })
    expect(await runOf(wf.id)).toBe(1)
  })
})
