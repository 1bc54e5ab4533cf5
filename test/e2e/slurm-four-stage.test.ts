/**
 * Flow 1 of issue 13, on the real Slurm test bed and through the Worker's tools only: the tutorial's
 * four-stage workflow ("3 initial jobs each dependent on an input file ... fans out into 10 work
 * jobs ... aggregates ... postprocess", account=my_account), scaled to this machine (1 CPU and
 * 100-200 MB per job; the jobs copy and concatenate files), is created (create_workflow, then
 * confirm_create_workflow, with the cluster's own partitions as its HPC profile), submitted from the
 * chat (submit_workflow), runs to completion inside Slurm allocations run by torc-slurm-job-runner,
 * and get_workflow_status and get_slurm_sacct show it. plan_allocations (flow 5) gives real
 * sbatch --test-only estimates for the same spec.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter, dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { torcBin } from '../../scripts/torc-paths.ts'
import { haveSlurm } from '../setup/slurm.ts'
import { FOUR_STAGE, type Stack, startStack, until } from './slurm-stack.ts'

const times: Record<string, number> = {}
async function timed<T>(name: string, body: () => Promise<T>): Promise<T> {
  const t0 = performance.now()
  try {
    return await body()
  } finally {
    times[name] = Math.round(performance.now() - t0)
  }
}

type Allocation = { slurm_job_id: string; state: string | null; phase: string; exit_code: string | null }

describe.runIf(haveSlurm())(
  'flow 1: the four-stage workflow created, submitted and run under Slurm from the chat',
  () => {
    let stack: Stack
    let wf: number

    beforeAll(async () => {
      stack = await timed('bring-up', () => startStack())
      console.error(`slurm-four-stage bring-up (ms): ${JSON.stringify(stack.timings)}`)
      mkdirSync(join(stack.workdir, 'data'))
      for (const i of [1, 2, 3]) writeFileSync(join(stack.workdir, 'data', `input_${i}.csv`), `input ${i}\n`)
    }, 300_000)

    afterAll(async () => {
      await stack?.stop()
      console.error(`slurm-four-stage.test.ts times (ms): ${JSON.stringify(times)}`)
    }, 120_000)

    it("creates it with the cluster's own partitions, submits it, and it completes inside Slurm", async () => {
      const args = { spec: FOUR_STAGE, format: 'yaml', workflow_type: 'slurm', account: stack.bed.bed.account }
      const preview = await timed('create_workflow', () =>
        stack.ok('create_workflow', { ...args, action: 'create_workflow' })
      )
      expect(preview).toMatchObject({ valid: true, slurm: { profile: 'slurm' } })
      const confirm = preview.confirm as { tool: string; arguments: Record<string, unknown> }
      expect(confirm.tool).toBe('confirm_create_workflow')
      const created = await timed('confirm_create_workflow', () => stack.ok(confirm.tool, confirm.arguments))
      expect(created.status).toBe('applied')
      wf = (created.applied as { workflow_id: number; created: Record<string, number> }).workflow_id
      expect((created.applied as { created: Record<string, number> }).created).toMatchObject({ jobs: 37, files: 40 })
      // The schedulers were sized for the bed's partition, as `torc slurm generate` sizes them there.
      const schedulers = await stack.torcGet<{ items: { account: string; partition?: string | null; mem?: string }[] }>(
        `/slurm_schedulers?workflow_id=${wf}`
      )
      expect(schedulers.items.length).toBeGreaterThan(0)
      for (const s of schedulers.items) expect(s.account).toBe(stack.bed.bed.account)

      const planned = await timed('submit_workflow preview', () => stack.ok('submit_workflow', { workflow_id: wf }))
      expect(planned).toMatchObject({ status: 'preview', mode: 'slurm', can_apply: true, blockers: [] })
      const go = planned.confirm as { tool: string; arguments: Record<string, unknown> }
      const submitted = await timed('submit_workflow apply', () => stack.ok(go.tool, go.arguments))
      expect(times['submit_workflow apply']).toBeLessThan(10_000)
      const applied = submitted.applied as {
        slurm_job_ids: string[]
        failed_allocations: number
        allocations: Allocation[]
      }
      expect(submitted.status, JSON.stringify(submitted)).toBe('applied')
      expect(applied.slurm_job_ids.length).toBeGreaterThan(0)
      expect(applied.failed_allocations).toBe(0)
      for (const a of applied.allocations) expect(['queued', 'running', 'finished']).toContain(a.phase)
      expect(String(submitted.next_steps)).toContain(applied.slurm_job_ids[0])
      // The agent's audit names the submission.
      expect(stack.audit.some((l) => l.action === 'submit' && l.outcome === 'ok')).toBe(true)

      // "Is anything running?": the status answer carries the allocations.
      const during = await stack.ok('get_workflow_status', { workflow_id: wf })
      expect((during.allocations as { source: string }).source).toBe('slurm')

      const done = await timed('workflow to complete', () =>
        until(
          `workflow ${wf} to complete`,
          300_000,
          async () => {
            const s = await stack.ok('get_workflow_status', { workflow_id: wf })
            return s.is_complete ? s : undefined
          },
          2000
        )
      )
      expect(done.job_counts_by_status).toMatchObject({ completed: 37, failed: 0 })
      expect(readFileSync(join(stack.workdir, 'out', 'final.json'), 'utf8')).toContain('work 3 10')
      const allocations = (done.allocations as { items: Allocation[]; running: number; queued: number }).items
      expect(allocations.length).toBeGreaterThan(0)

      const sacct = await timed('get_slurm_sacct', () => stack.ok('get_slurm_sacct', { workflow_id: wf }))
      expect(sacct.source).toBe('sacct')
      const all = sacct.allocations as Allocation[]
      // Every allocation ends: COMPLETED 0:0, or CANCELLED by torc once the workflow needs no more of them.
      // The workflow completes a moment before its last allocation does (its runner exits after): read
      // Slurm's rows once every allocation has ended.
      const final = await until('the allocations to end', 60_000, async () => {
        const again = await stack.ok('get_slurm_sacct', { workflow_id: wf })
        const list = again.allocations as Allocation[]
        return list.every((a) => a.phase === 'finished' || a.phase === 'canceled') ? again : undefined
      })
      const finished = (final.allocations as Allocation[]).filter((a) => a.phase === 'finished')
      expect(finished.length).toBeGreaterThan(0)
      for (const a of finished) expect(a).toMatchObject({ state: 'COMPLETED', exit_code: '0:0' })
      expect(all.length).toBe(sacct.total_slurm_jobs)
      const rows = final.summary as { slurm_job_id: string; job_step: string; state: string; exit_code: string }[]
      expect(rows.length).toBeGreaterThan(0)
      expect(
        rows.filter((r) => r.job_step === 'batch').every((r) => r.state === 'COMPLETED' && r.exit_code === '0:0')
      ).toBe(true)

      // Parity with `torc -f json slurm sacct` on the login node: the same rows.
      const env = { ...stack.bed.env, PATH: `${dirname(torcBin('torc'))}${delimiter}${stack.bed.env.PATH}` }
      const cli = spawnSync(torcBin('torc'), ['--url', stack.torc.apiUrl, '-f', 'json', 'slurm', 'sacct', String(wf)], {
        env,
        encoding: 'utf8',
      })
      expect(cli.status, cli.stderr).toBe(0)
      const theirs = JSON.parse(cli.stdout) as { total_slurm_jobs: number; summary: typeof rows }
      const again = await stack.ok('get_slurm_sacct', { workflow_id: wf })
      expect(again.total_slurm_jobs).toBe(theirs.total_slurm_jobs)
      // An allocation canceled before it started has no steps; its row is named after the job, and
      // Slurm's accounting has been seen to give that name differently moments apart ("allocation"
      // then the scheduler's name): such rows are compared by id and state only.
      const key = (r: (typeof rows)[number]) =>
        `${r.slurm_job_id}/${r.state === 'CANCELLED' && !['batch', 'extern'].includes(r.job_step) ? '-' : r.job_step}/${r.state}`
      expect((again.summary as typeof rows).map(key).sort()).toEqual(theirs.summary.map(key).sort())
      expect(existsSync(join(stack.root, `job_stdio`))).toBe(true)
    })

    it('plan_allocations gives real sbatch --test-only estimates for the same spec (flow 5)', async () => {
      const spec = await stack.ok('create_workflow', {
        spec: FOUR_STAGE,
        format: 'yaml',
        action: 'save_spec_file',
        save_format: 'json',
      })
      const plan = await timed('plan_allocations', () =>
        stack.ok('plan_allocations', { spec_json: JSON.parse(String(spec.spec_text)), account: stack.bed.bed.account })
      )
      expect(plan.workflow_analysis).toEqual({
        total_jobs: 37,
        dependency_depth: 4,
        max_parallelism: 30,
        max_parallelism_level: 1,
        resource_groups: 2,
      })
      expect(plan.estimates_available).toBe(true)
      const recs = plan.recommendations as {
        group_name: string
        sbatch_estimates: { strategy: string; success: boolean; estimated_start: string | null }[]
      }[]
      expect(recs.map((r) => r.group_name).sort()).toEqual(['small', 'work'])
      for (const r of recs) {
        const small = r.sbatch_estimates.find((e) => e.strategy === 'many-small')
        expect(small?.success).toBe(true)
        expect(small?.estimated_start).toMatch(/^\d{4}-\d\d-\d\dT/)
      }
      expect((plan.cluster_state as { partition: string }[])[0]?.partition).toBe(stack.bed.bed.partition)
    })
  }
)
