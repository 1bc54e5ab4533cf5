/**
 * Offline-drain journals replayed from the chat: two jobs are running in Torc (claimed and started
 * through torc-server's runner endpoints, as a runner that then lost the server would leave them),
 * their completions sit in an offline journal in torc's format in the output directory, and
 * check_offline_journals finds them through the site; reconcile_offline_journals previews, then its
 * apply runs the real `torc workflows reconcile` through the agent: Torc records both completions,
 * and a second apply of the same plan changes nothing.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, drive, torcApiAt } from '../../scripts/torc-seed.ts'
import { haveSlurm } from '../setup/slurm.ts'
import { type Stack, startStack } from './slurm-stack.ts'

type Confirm = { tool: string; arguments: Record<string, unknown> }

describe.runIf(haveSlurm())('offline journals', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ allow: 'reconcile,sacct' })
  }, 300_000)
  afterAll(async () => stack?.stop(), 120_000)

  it('are found through the site and replayed by the real torc workflows reconcile after confirmation', async () => {
    const api = torcApiAt(stack.torc.apiUrl)
    const wf = await createWorkflow(api, { name: 'offline', jobs: [{ name: 'a' }, { name: 'b' }] })
    await drive(api, wf, () => undefined)
    const running = await stack.ok('get_workflow_status', { workflow_id: wf.id })
    expect(running.job_counts_by_status).toMatchObject({ running: 2 })

    mkdirSync(join(stack.root, 'offline_journal'))
    const db = new DatabaseSync(join(stack.root, 'offline_journal', `offline_results_wf${wf.id}_r${wf.runId}_node7.db`))
    db.exec('PRAGMA journal_mode = WAL')
    db.exec(
      'CREATE TABLE journaled_completions (job_id INTEGER PRIMARY KEY, run_id INTEGER NOT ' +
        'NULL, status INTEGER NOT NULL, payload TEXT NOT NULL, journaled_at INTEGER NOT NULL)'
    )
    const insert = db.prepare('INSERT INTO journaled_completions VALUES (?, ?, 5, ?, ?)')
    for (const id of wf.jobIds.values()) {
      const result = {
        job_id: id,
        workflow_id: wf.id,
        run_id: wf.runId,
        attempt_id: 1,
        compute_node_id: wf.computeNodeId,
        return_code: 0,
        exec_time_minutes: 0.5,
        completion_time: new Date().toISOString(),
        status: 'completed',
      }
      insert.run(id, wf.runId, JSON.stringify({ job_id: id, status: 'completed', run_id: wf.runId, result }), 0)
    }
    db.close()

    const check = await stack.ok('check_offline_journals', { workflow_id: wf.id })
    expect(check).toMatchObject({ journals_found: 1, total_pending_completions: 2, reconcile_needed: true })
    expect((check.recommendation as string[]).join(' ')).toContain('reconcile_offline_journals')

    const plan = await stack.ok('reconcile_offline_journals', { workflow_id: wf.id })
    expect(plan).toMatchObject({ status: 'preview', can_apply: true, total_pending_completions: 2 })
    const applied = await stack.ok((plan.confirm as Confirm).tool, (plan.confirm as Confirm).arguments)
    expect(applied.status).toBe('applied')
    expect((applied.applied as { jobs_by_status_after: Record<string, number> }).jobs_by_status_after).toMatchObject({
      completed: 2,
      running: 0,
    })
    expect(String((applied.applied as { output: string }).output)).toContain('"accepted": 2')
    expect(stack.audit.some((l) => l.action === 'reconcile' && l.outcome === 'ok')).toBe(true)

    const again = await stack.call((plan.confirm as Confirm).tool, (plan.confirm as Confirm).arguments)
    expect(again.status).toBe(409)
    const after = await stack.ok('get_workflow_status', { workflow_id: wf.id })
    expect(after.job_counts_by_status).toMatchObject({ completed: 2 })
  })
})
