import { describe, expect, inject, it } from 'vitest'
import { addSlurmScheduler, tutorialOomWorkflow, tutorialTimeoutWorkflow } from '../../scripts/torc-seed.ts'
import { callBoth, mcpClient, rest } from '../helpers/worker-faces.ts'
import { torcApi } from '../helpers/worker-torc.ts'

/**
 * Slurm workflows: schedulers are created through Torc's REST API as `torc slurm create` does; no
 * sbatch runs here. Recovery must say which allocations the reset jobs need and the exact torc
 * command to run on the cluster, and every command it prints must exist in the real torc 1.0.0 CLI.
 */

/** The command parses in the real CLI: clap prints its help (exit 0) only for real subcommands and flags. */
async function expectRealCommand(command: string): Promise<void> {
  const [torc, ...args] = command.split(' ')
  expect(torc).toBe('torc')
  const res = await fetch(`${inject('clusterUrl')}/cli`, {
    method: 'POST',
    body: JSON.stringify({ args: [...args, '--help'] }),
  })
  const run = (await res.json()) as { status: number; stderr: string }
  expect(run.status, `${command}: ${run.stderr}`).toBe(0)
}

const commandsIn = (text: string) => [...text.matchAll(/`(torc [^`]+)`/g)].map((m) => m[1]!)

async function slurmOom(name: string) {
  const wf = await tutorialOomWorkflow(torcApi, name)
  const small = await addSlurmScheduler(torcApi, wf.id, {
    name: 'work_small',
    account: 'myproject',
    walltime: '00:30:00',
    mem: '16G',
  })
  const big = await addSlurmScheduler(torcApi, wf.id, {
    name: 'work_big',
    account: 'myproject',
    walltime: '04:00:00',
    mem: '180G',
    partition: 'bigmem',
  })
  return { wf, small, big }
}

describe('recover_workflow on a Slurm workflow', () => {
  it('says which allocations the reset jobs need and the torc command that submits them', async () => {
    const { wf, small, big } = await slurmOom('slurm-oom')
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    const command = `torc slurm regenerate ${wf.id} --submit`
    expect(preview.rerun_command).toBe(command)
    expect(preview.slurm).toMatchObject({
      needed: true,
      command,
      preview_command: `torc -f json slurm regenerate ${wf.id} --dry-run`,
      requirements: [
        {
          name: 'work',
          job_count: 3,
          job_ids: ['work_1', 'work_2', 'work_3'].map((n) => wf.jobIds.get(n)),
          num_cpus: 4,
          memory: '33g',
          runtime: 'PT30M',
        },
      ],
      allocations: { pending: 0, active: 0 },
    })
    expect(preview.slurm.schedulers).toEqual([
      {
        id: small,
        name: 'work_small',
        account: 'myproject',
        partition: null,
        walltime: '00:30:00',
        mem: '16G',
        nodes: 1,
        fits_reset_jobs: false,
        why: 'mem 16G is less than the 33g "work" jobs request',
      },
      {
        id: big,
        name: 'work_big',
        account: 'myproject',
        partition: 'bigmem',
        walltime: '04:00:00',
        mem: '180G',
        nodes: 1,
        fits_reset_jobs: true,
        why: 'walltime 04:00:00 and mem 180G hold every job to rerun',
      },
    ])
    expect(preview.slurm.note).toContain('account myproject')
    expect(preview.next_steps).toContain(command)
    for (const c of [command, preview.slurm.preview_command, ...commandsIn(preview.slurm.note)])
      await expectRealCommand(c)

    const client = await mcpClient()
    const result = await client.callTool({
      name: 'recover_workflow',
      arguments: { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id },
    })
    await client.close()
    expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false)
    const applied = result.structuredContent as { applied: { jobs_reset: number[] }; next_steps: string }
    expect(applied.applied.jobs_reset).toEqual(preview.jobs_to_retry)
    expect(applied.next_steps).toContain(`on the cluster: \`${command}\``)
    for (const c of commandsIn(applied.next_steps)) await expectRealCommand(c)
  })

  it('flags walltime too short for the new runtime', async () => {
    const wf = await tutorialTimeoutWorkflow(torcApi, 'slurm-timeout')
    await addSlurmScheduler(torcApi, wf.id, { name: 'short', account: 'proj', walltime: '00:05:00' })
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.slurm.requirements).toMatchObject([{ name: 'job_resources', job_count: 1, runtime: 'PT7M' }])
    expect(preview.slurm.schedulers[0]).toMatchObject({
      fits_reset_jobs: false,
      why: 'walltime 00:05:00 is shorter than the PT7M "job_resources" jobs request',
    })
  })

  it('is blocked while an allocation is pending, naming `torc cancel`, and cancel_workflow gives the same command', async () => {
    const { wf } = await slurmOom('slurm-pending')
    const schedulers = await torcApi<{ items: { id: number }[] }>('GET', `/slurm_schedulers?workflow_id=${wf.id}`)
    const allocation = await torcApi<Record<string, unknown>>('POST', '/scheduled_compute_nodes', {
      workflow_id: wf.id,
      scheduler_id: 4242,
      scheduler_config_id: schedulers.items[0]!.id,
      scheduler_type: 'slurm',
      status: 'pending',
    })
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview.can_apply).toBe(false)
    expect(preview.slurm.allocations).toEqual({ pending: 1, active: 0 })
    const blocker = preview.blockers.find((b: string) => b.includes('Slurm allocation'))
    expect(blocker).toContain(`\`torc cancel ${wf.id}\``)
    for (const c of commandsIn(blocker)) await expectRealCommand(c)
    const refused = await rest('recover_workflow', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id })
    expect(refused.status).toBe(409)

    const cancel = await callBoth('cancel_workflow', { workflow_id: wf.id })
    expect(cancel).toMatchObject({ slurm_allocations: 1, slurm_command: `torc cancel ${wf.id}` })
    await expectRealCommand(cancel.slurm_command)

    // The allocation ends: recovery can go ahead.
    await torcApi('PUT', `/scheduled_compute_nodes/${allocation.id}`, { ...allocation, status: 'complete' })
    const again = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(again).toMatchObject({ can_apply: true, slurm: { allocations: { pending: 0, active: 0 } } })
  })

  it('restart_failed_jobs points at the same Slurm command', async () => {
    const { wf } = await slurmOom('slurm-restart')
    const preview = await callBoth('restart_failed_jobs', { workflow_id: wf.id })
    expect(preview.rerun_command).toBe(`torc slurm regenerate ${wf.id} --submit`)
    const applied = await rest('restart_failed_jobs', { workflow_id: wf.id, dry_run: false, plan_id: preview.plan_id })
    expect(applied.status).toBe(200)
    expect(applied.body.next_steps).toContain(`\`torc slurm regenerate ${wf.id} --submit\``)
  })
})

describe('recover_workflow on a workflow with remote workers', () => {
  it('points at `torc remote run`, as torc 1.0.0 recover does, with no Slurm section', async () => {
    const wf = await tutorialTimeoutWorkflow(torcApi, 'remote-timeout')
    await torcApi('POST', `/workflows/${wf.id}/remote_workers`, ['user@worker-1'])
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview).toMatchObject({ rerun_command: `torc remote run ${wf.id}`, slurm: null })
    await expectRealCommand(preview.rerun_command)
    const restart = await callBoth('restart_failed_jobs', { workflow_id: wf.id })
    expect(restart.rerun_command).toBe(`torc remote run ${wf.id}`)
  })
})

describe('a local workflow', () => {
  it('prints only commands the real CLI has', async () => {
    const wf = await tutorialTimeoutWorkflow(torcApi, 'local-commands')
    const preview = await callBoth('recover_workflow', { workflow_id: wf.id })
    expect(preview).toMatchObject({ rerun_command: `torc run ${wf.id}`, slurm: null })
    const restart = await callBoth('restart_failed_jobs', { workflow_id: wf.id })
    for (const c of [preview.rerun_command, ...commandsIn(preview.next_steps), restart.rerun_command])
      await expectRealCommand(c)
  })
})
