/**
 * The workflow tools (src/tools/workflows.ts) on a scripted Torc: paging and filters, and what each
 * failure of Torc becomes (the integration project runs them against the real server).
 */
import { describe, expect, it } from 'vitest'
import { invoke } from '../../../src/registry.ts'
import { getWorkflowStatus, listWorkflows } from '../../../src/tools/workflows.ts'
import { JOB_STATUSES } from '../../../src/torc/schemas.ts'
import { ScriptedTorc, scriptedContext, torcError, workflowStatus } from '../../helpers/scripted-torc.ts'
import { quietToolLogs } from './harness.ts'

quietToolLogs()

const workflow = (id: number, name = `wf-${id}`) => ({ id, name, user: 'alice', description: null, run_id: 1 })
function torcWith(workflows: ReturnType<typeof workflow>[]): ScriptedTorc {
  const torc = new ScriptedTorc().list('/workflows', workflows)
  for (const w of workflows) torc.on('GET', `/workflows/${w.id}/status`, workflowStatus(w.id))
  return torc
}

async function call(tool: Parameters<typeof invoke>[0], input: unknown, torc: ScriptedTorc) {
  return invoke(tool, input, scriptedContext(torc), 'rest')
}

describe('list_workflows', () => {
  it('pages with total and has_more, one status call per listed workflow', async () => {
    const torc = torcWith(Array.from({ length: 7 }, (_, i) => workflow(7 - i)))
    const out = await call(listWorkflows, { limit: 3, offset: 3 }, torc)
    expect(out.ok && out.data).toMatchObject({ total: 7, offset: 3, count: 3, has_more: true, size_limited: false })
    expect(out.ok && (out.data.workflows as { id: number }[]).map((w) => w.id)).toEqual([4, 3, 2])
    expect(torc.calls().filter((c) => c.endsWith('/status'))).toEqual([
      'GET /workflows/4/status',
      'GET /workflows/3/status',
      'GET /workflows/2/status',
    ])
  })

  it('filters by name as a substring (Torc matches names exactly), then pages', async () => {
    const torc = torcWith([workflow(3, 'Big sweep'), workflow(2, 'small'), workflow(1, 'sweep-2')])
    const out = await call(listWorkflows, { name: 'SWEEP' }, torc)
    expect(out.ok && (out.data.workflows as { name: string }[]).map((w) => w.name)).toEqual(['Big sweep', 'sweep-2'])
    expect(out.ok && out.data.total).toBe(2)
    expect(torc.sent[0]!.query.get('name')).toBeNull()
  })

  it('refuses a limit above 40 (the free plan allows 50 subrequests), naming the field', async () => {
    const out = await call(listWorkflows, { limit: 41 }, new ScriptedTorc())
    expect(!out.ok && out.error).toMatchObject({ code: 'invalid_input' })
    expect(!out.ok && out.error.message).toContain('limit')
  })
})

describe('get_workflow_status: what Torc failures become', () => {
  const id = 12
  const ok = () =>
    new ScriptedTorc()
      .on('GET', `/workflows/${id}`, workflow(id))
      .on('GET', `/workflows/${id}/status`, workflowStatus(id))
      .list('/scheduled_compute_nodes', [])

  it('reports all 11 statuses, zero included', async () => {
    const out = await call(getWorkflowStatus, { workflow_id: id }, ok())
    expect(out.ok && Object.keys(out.data.job_counts_by_status as object)).toEqual([...JOB_STATUSES])
  })

  it('a missing workflow is not_found naming it, whichever parallel call failed first', async () => {
    const torc = new ScriptedTorc()
      .list('/scheduled_compute_nodes', [])
      .on('GET', `/workflows/${id}`, torcError(404, `Workflow not found with ID: ${id}`))
      .on('GET', `/workflows/${id}/status`, torcError(404, 'not found'))
    const out = await call(getWorkflowStatus, { workflow_id: id }, torc)
    expect(!out.ok && out.error.code).toBe('not_found')
    expect(!out.ok && out.error.message).toContain(`${id}`)
  })

  it('HTTP 500 is upstream_error; the message keeps Torc out of sight (no host, no port)', async () => {
    const torc = ok().on('GET', `/workflows/${id}/status`, torcError(500, 'database is locked at 10.0.0.5:5432'))
    const out = await call(getWorkflowStatus, { workflow_id: id }, torc)
    expect(!out.ok && out.error.code).toBe('upstream_error')
    expect(!out.ok && out.error.message).not.toMatch(/torc\.internal|8080|10\.0\.0\.5/)
  })

  it('a refused connection is retried, then upstream_unavailable', async () => {
    const torc = ok().on('GET', `/workflows/${id}/status`, { fault: 'refused' })
    const out = await call(getWorkflowStatus, { workflow_id: id }, torc)
    expect(!out.ok && out.error.code).toBe('upstream_unavailable')
    expect(torc.calls().filter((c) => c.endsWith('/status')).length).toBe(2)
  })

  it('a hang is upstream_timeout after the call timeout, not a hang of the tool', async () => {
    const torc = ok().on('GET', `/workflows/${id}/status`, { fault: 'hang' })
    const started = Date.now()
    const out = await invoke(getWorkflowStatus, { workflow_id: id }, scriptedContext(torc, { timeoutMs: 50 }), 'rest')
    expect(!out.ok && out.error.code).toBe('upstream_timeout')
    expect(Date.now() - started).toBeLessThan(500)
  })

  it('data that breaks Torc’s schema is upstream_error naming the field', async () => {
    const torc = ok().on('GET', `/workflows/${id}/status`, { ...workflowStatus(id), total_jobs: 'many' })
    const out = await call(getWorkflowStatus, { workflow_id: id }, torc)
    expect(!out.ok && out.error.code).toBe('upstream_error')
    expect(!out.ok && out.error.message).toContain('total_jobs')
  })
})
