/**
 * check_offline_journals and reconcile_offline_journals (src/tools/journals.ts) on a scripted Torc
 * and a scripted site with its agent (agent.ts), whose reconcile action replays the journals into
 * the model: the change contract, what the check says for each kind of journal, and the blockers.
 */
import { describe, expect, it } from 'vitest'
import { invoke, type ToolContext } from '../../../src/registry.ts'
import type { ActionName, Journal } from '../../../src/site-protocol/actions.ts'
import { checkOfflineJournals, reconcileOfflineJournals } from '../../../src/tools/journals.ts'
import { scriptedContext } from '../../helpers/scripted-torc.ts'
import { result, run, scriptedAgent } from './agent.ts'
import { changeContract, session } from './change-contract.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { TorcModel } from './torc-model.ts'

quietToolLogs()

const journal = (run_id: number, label: string, completions: number | null): Journal => ({
  path: `offline_journal/offline_results_wf1_r${run_id}_${label}.db`,
  run_id,
  label,
  size: 8192,
  completions,
  error: completions === null ? 'file is not a database' : null,
})

/** Run 1 of workflow 1: two jobs finished while their runner was offline, journaled on node7. */
function world(allow: ActionName[] = ['reconcile']) {
  const m = new TorcModel()
  const rr = m.requirement('work')
  m.job('a', rr, 'running')
  m.job('b', rr, 'running')
  const a = scriptedAgent(allow)
  let journals = [journal(1, 'node7', 2), journal(0, 'old', 5)]
  a.site.on('GET', '/v1/workflows/1/journals', () => ({ workflow_id: 1, journals, truncated: false }))
  a.act('reconcile', () => {
    for (const j of m.jobs.values()) j.status = 'completed'
    journals = journals.map((j) => (j.run_id === 1 ? { ...j, completions: 0 } : j))
    return result('reconcile', [run({ stdout: 'Reconciled 2 completion(s) from 1 journal(s)\n' })])
  })
  return Object.assign(m, { agent: a, journals: () => journals })
}
type World = ReturnType<typeof world>
const withAgent = (w: World): Partial<ToolContext> => ({ output: w.agent.output, agent: w.agent.agent })
const check = (w: World, input: Record<string, unknown> = {}, extra: Partial<ToolContext> = withAgent(w)) =>
  invoke(checkOfflineJournals, { workflow_id: 1, ...input }, { ...scriptedContext(w.torc), ...extra }, 'rest')

describe('reconcile_offline_journals: the change contract', () => {
  changeContract({
    tool: reconcileOfflineJournals,
    world: () => world(),
    context: withAgent,
    state: (w: World) => ({ jobs: [...w.jobs.values()].map((j) => j.status), journals: w.journals() }),
    input: { workflow_id: 1 },
    differing: { run_id: 2 },
    midway: { method: 'GET', path: '/workflows/1/status' },
    firstRead: { method: 'GET', path: '/workflows/1' },
  })
})

describe('reconcile_offline_journals', () => {
  it("previews the run's journals and the command; applying replays them once and reports torc's words", async () => {
    const w = world()
    const { call } = session({ tool: reconcileOfflineJournals, context: withAgent }, w)
    const preview = data(await call({ workflow_id: 1 }))
    expect(preview).toMatchObject({
      run_id: 1,
      total_pending_completions: 2,
      journals: [{ label: 'node7', completions: 2 }],
      command: "torc workflows reconcile 1 1 --base-dir '/scratch/alice/torc output'",
    })
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied).toEqual({
      output: 'Reconciled 2 completion(s) from 1 journal(s)',
      jobs_by_status_after: expect.objectContaining({ completed: 2, running: 0 }),
    })
    expect(w.agent.sent('reconcile')).toEqual([{ workflow_id: 1, run_id: 1 }])
    expect(data(await call({ workflow_id: 1 })).blockers).toEqual(["no pending completions in run 1's journals."])
  })

  it('the agent not allowing reconcile blocks it with the command to run on a login node', async () => {
    const w = world([])
    const { call } = session({ tool: reconcileOfflineJournals, context: withAgent }, w)
    expect(data(await call({ workflow_id: 1 })).blockers).toEqual([
      'cannot reconcile from here: the login-node agent does not ' +
        'allow the reconcile action (the operator starts it ' +
        'with --allow reconcile). On a login node: `torc workflows ' +
        "reconcile 1 1 --base-dir '/scratch/alice/torc output'`.",
    ])
  })

  it('torc failing on the login node: the apply stops there, nothing claimed done, the plan can be retried', async () => {
    const w = world()
    w.agent.act('reconcile', result('reconcile', [run({ exit_code: 1, stderr: 'Error: run 1 is superseded' })]), 1)
    const { call } = session({ tool: reconcileOfflineJournals, context: withAgent }, w)
    const preview = data(await call({ workflow_id: 1 }))
    const out = failure(await call(preview.confirm.arguments))
    expect(out.code).toBe('upstream_error')
    expect(out.message).toMatch(
      /^replay the journals on the login node failed: the login-node agent's reconcile action failed: .* exited 1: Error: run 1 is superseded\. Nothing was changed\.$/
    )
    expect(data(await call(preview.confirm.arguments)).status).toBe('applied')
  })
})

describe('check_offline_journals', () => {
  it("pending completions in the current run: reconcile needed; other runs' journals are superseded", async () => {
    const out = data(await check(world()))
    expect(out).toMatchObject({
      run_id: 1,
      base_dir: '/scratch/alice/torc output',
      journals_found: 1,
      total_pending_completions: 2,
      reconcile_needed: true,
      superseded_journals: [{ run_id: 0, label: 'old' }],
    })
    expect(out.summary).toContain('1 journal(s) of other runs are superseded: reconcile would reject them.')
    expect(out.recommendation[1]).toBe(
      'Ask the user to confirm, then replay them with reconcile_offline_journals (it previews first).'
    )
  })

  it('an unreadable journal needs a reconcile too; a cut search says some may be missing', async () => {
    const w = world([])
    w.agent.site.on('GET', '/v1/workflows/1/journals', {
      workflow_id: 1,
      journals: [journal(1, 'n1', null)],
      truncated: true,
    })
    const out = data(await check(w))
    expect(out).toMatchObject({ reconcile_needed: true, unreadable_journals: 1, total_pending_completions: 0 })
    expect(out.summary).toContain('(the search stopped at its cap: some journals may be missing)')
    expect(out.recommendation[1]).toBe(
      'Ask the user to confirm, then have them run on a login node: torc ' +
        "workflows reconcile 1 1 --base-dir '/scratch/alice/torc output'"
    )
  })

  it('all flushed, none at all, or a workflow that never ran: no reconcile, each said plainly', async () => {
    const w = world()
    w.agent.site.on(
      'GET',
      '/v1/workflows/1/journals',
      { workflow_id: 1, journals: [journal(1, 'n1', 0)], truncated: false },
      1
    )
    expect(data(await check(w)).summary).toMatch(
      /^Found 1 offline-drain journal\(s\) for run 1, all empty \(already flushed\)\. No reconcile needed\./
    )
    w.agent.site.on('GET', '/v1/workflows/1/journals', { workflow_id: 1, journals: [], truncated: false })
    expect(data(await check(w, { run_id: 3 }))).toMatchObject({
      run_id: 3,
      reconcile_needed: false,
      summary: 'No offline-drain journals for workflow 1 run 3 under the output directory. No reconcile needed.',
    })
    ;(w.workflow as { run_id: number | null }).run_id = null
    expect(data(await check(w)).summary).toBe(
      'Workflow 1 has not run yet (no run_id): there are no offline-drain journals to reconcile.'
    )
  })

  it('no site: upstream_unavailable; the site answering in another shape: upstream_error', async () => {
    const w = world()
    expect(failure(await check(w, {}, {})).code).toBe('upstream_unavailable')
    w.agent.site.on('GET', '/v1/workflows/1/journals', { journals: 'none' })
    expect(failure(await check(w))).toMatchObject({
      code: 'upstream_error',
      message: 'the output site answered "list offline journals" in an unexpected shape',
    })
  })
})
