/**
 * create_workflow and confirm_create_workflow (src/tools/create-workflow.ts) on a scripted Torc
 * that creates records (creationTorc below): validate, save_spec_file, the creation preview and its
 * confirmation (once; without plan_id only after the caller's own preview), a creation Torc stops
 * midway (rolled back, nothing to resume, applied afresh), and who owns what is created. The
 * creation engine's own edge cases: test/unit/workflow-spec/creation-deadline.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { invoke, type ToolContext } from '../../../src/registry.ts'
import { confirmCreateWorkflow, createWorkflow } from '../../../src/tools/create-workflow.ts'
import { ScriptedTorc, type Sent, scriptedContext, torcError } from '../../helpers/scripted-torc.ts'
import { data, failure, quietToolLogs } from './harness.ts'

quietToolLogs()

/** Torc's creation routes over a map of workflows: ids in order, lists paged, deletes honoured. */
function creationTorc() {
  const torc = new ScriptedTorc()
  const workflows = new Map<number, Record<string, unknown>>()
  let nextWorkflow = 50
  let next = 1000
  const body = (s: Sent) => s.body as Record<string, unknown[]>
  const withIds = (items: unknown[]) => items.map((i) => ({ ...(i as object), id: next++ }))
  const wf = (s: Sent) => Number(s.path.split('/')[2])
  torc.on('POST', '/workflows', (s) => {
    const id = nextWorkflow++
    workflows.set(id, { ...(s.body as object), id, timestamp: new Date().toISOString() })
    return workflows.get(id)
  })
  torc.on('POST', '/bulk_files', (s) => ({ files: withIds(body(s).files!) }))
  torc.on('POST', '/bulk_user_data', (s) => ({ user_data: withIds(body(s).user_data!) }))
  torc.on('POST', '/bulk_jobs', (s) => ({ jobs: withIds(body(s).jobs!) }))
  torc.on('POST', /^\/(resource_requirements|slurm_schedulers|failure_handlers|workflows\/\d+\/actions)$/, (s) => ({
    ...(s.body as object),
    id: next++,
  }))
  torc.on('PUT', /^\/workflows\/\d+\/cancel$/, {})
  torc.on('POST', /^\/workflows\/\d+\/(archive|reset_status|initialize_jobs)$/, {})
  torc.on('PUT', /^\/workflows\/\d+$/, (s) => Object.assign(workflows.get(wf(s))!, s.body))
  torc.on(
    'GET',
    /^\/workflows\/\d+$/,
    (s) => workflows.get(wf(s)) ?? torcError(404, `Workflow not found with ID: ${wf(s)}`)
  )
  torc.list('/workflows', [])
  torc.on('DELETE', /^\/workflows\/\d+$/, (s) => {
    workflows.delete(wf(s))
    return {}
  })
  return { torc, workflows }
}

const SPEC = JSON.stringify({
  name: 'diamond',
  resource_requirements: [{ name: 'small', num_cpus: 1, memory: '1g', runtime: 'PT10M' }],
  jobs: [
    { name: 'prep', command: 'prep', resource_requirements: 'small' },
    { name: 'work_{i}', command: 'work {i}', parameters: { i: '1:3' }, depends_on: ['prep'] },
  ],
})

function setup(options: { scope?: 'read' | 'write'; env?: Record<string, string> } = {}) {
  const world = creationTorc()
  const ctx: ToolContext = scriptedContext(world.torc, { timeoutMs: 200, ...options })
  const call = (tool: Parameters<typeof invoke>[0], input: Record<string, unknown>) => invoke(tool, input, ctx, 'rest')
  return { ...world, ctx, call }
}

describe('create_workflow', () => {
  it('validates without touching Torc: the expanded counts, or the errors and that nothing was created', async () => {
    const { call, torc } = setup()
    const valid = data(await call(createWorkflow, { spec: SPEC }))
    expect(valid).toMatchObject({ action: 'validate', valid: true, errors: [], plan_id: null, confirm: null })
    expect(valid.summary).toMatchObject({ job_count: 4 })
    const broken = data(
      await call(createWorkflow, {
        spec: JSON.stringify({ name: 'x', jobs: [{ name: 'a', command: 'a', depends_on: ['ghost'] }] }),
      })
    )
    expect(broken.valid).toBe(false)
    expect(broken.errors.join(' ')).toContain('ghost')
    expect(broken.next_steps).toBe('Fix the errors and validate again; nothing was created.')
    const unreadable = failure(await call(createWorkflow, { spec: '{"name": "x", "jobs": [' }))
    expect(unreadable.code).toBe('invalid_input')
    expect(unreadable.message).toMatch(/^invalid spec: /)
    expect(failure(await call(createWorkflow, {})).message).toBe(
      'invalid input: spec: give the spec as text (spec) or as a JSON object (spec_json)'
    )
    expect(torc.sent).toEqual([])
  })

  it('save_spec_file returns the final spec in the format asked, named after output_path', async () => {
    const { call } = setup()
    const out = data(
      await call(createWorkflow, {
        spec: SPEC,
        action: 'save_spec_file',
        save_format: 'yaml',
        output_path: 'runs/my-diamond',
      })
    )
    expect(out.spec_file).toMatchObject({ name: 'my-diamond.yaml', format: 'yaml', uri: 'file:///my-diamond.yaml' })
    expect(out.spec_text).toMatch(/^name: diamond$/m)
    expect(out.next_steps).toContain('`torc run my-diamond.yaml`')
  })

  it('action create_workflow previews the creation: a plan_id and the confirm_create_workflow call; nothing sent', async () => {
    const { call, torc } = setup()
    const out = data(await call(createWorkflow, { spec: SPEC, action: 'create_workflow' }))
    expect(out.plan_id).toMatch(/^cr_/)
    expect(out.confirm).toEqual({
      tool: 'confirm_create_workflow',
      arguments: expect.objectContaining({ spec: SPEC, dry_run: false, plan_id: out.plan_id }),
    })
    expect(torc.sent).toEqual([])
  })

  it('a read-only credential gets the report and how to create it elsewhere; confirming is refused (403)', async () => {
    const { call, torc } = setup({ scope: 'read' })
    const out = data(await call(createWorkflow, { spec: SPEC, action: 'create_workflow' }))
    expect(out).toMatchObject({ valid: true, confirm: null })
    expect(out.next_steps).toMatch(/^Valid, but this credential cannot create workflows/)
    expect(failure(await call(confirmCreateWorkflow, { spec: SPEC, dry_run: false })).status).toBe(403)
    expect(torc.sent).toEqual([])
  })
})

describe('confirm_create_workflow', () => {
  it('creates and initializes the previewed workflow once; the same plan_id again is refused as applied', async () => {
    const { call, workflows, torc } = setup({ env: { TORC_EDGE_USERS: 'tester:asmith' } })
    const preview = data(await call(createWorkflow, { spec: SPEC, action: 'create_workflow' }))
    const made = data(await call(confirmCreateWorkflow, preview.confirm.arguments))
    expect(made).toMatchObject({ status: 'applied', plan_id: preview.plan_id })
    expect(made.applied).toMatchObject({
      workflow_id: 50,
      owner: 'asmith',
      owner_why: 'TORC_EDGE_USERS maps tester to asmith',
      created: { jobs: 4, resource_requirements: 1 },
      cleaned_up: null,
    })
    expect(workflows.get(50)).toMatchObject({ name: 'diamond', user: 'asmith' })
    expect(torc.calls()).toContain('POST /workflows/50/initialize_jobs')
    expect(made.next_steps).toContain('To run it, on the cluster: `torc run 50`.')
    const again = failure(await call(confirmCreateWorkflow, preview.confirm.arguments))
    expect(again.status).toBe(409)
    expect(again.message).toMatch(new RegExp(`^plan ${preview.plan_id} was already applied`))
    expect(workflows.size).toBe(1)
  })

  it('without plan_id: needs_confirmation unless this caller previewed it; after its own preview it creates', async () => {
    const { call, workflows } = setup()
    const asked = data(await call(confirmCreateWorkflow, { spec: SPEC, dry_run: false }))
    expect(asked).toMatchObject({ status: 'needs_confirmation', applied: null })
    expect(workflows.size).toBe(0)
    expect(data(await call(confirmCreateWorkflow, { spec: SPEC, dry_run: false })).status).toBe('applied')
    expect(workflows.size).toBe(1)
  })

  it('a plan_id sent with another spec is refused (409) and creates nothing', async () => {
    const { call, workflows } = setup()
    const preview = data(await call(createWorkflow, { spec: SPEC, action: 'create_workflow' }))
    const other = SPEC.replace('"diamond"', '"other"')
    const out = failure(await call(confirmCreateWorkflow, { ...preview.confirm.arguments, spec: other }))
    expect(out.status).toBe(409)
    // Each distinct request is its own ledger scope: the refusal cannot name the parameter that differs.
    expect(out.message).toBe(
      `this request changed since plan ${preview.plan_id} was previewed (or ` +
        `that preview is over an hour old): preview again with dry_run=true`
    )
    expect(workflows.size).toBe(0)
  })

  it('Torc failing midway: rolled back and said so; nothing to resume; the same call then creates it', async () => {
    const { call, workflows, torc } = setup()
    const preview = data(await call(createWorkflow, { spec: SPEC, action: 'create_workflow' }))
    torc.on('POST', '/bulk_jobs', torcError(500, 'database is locked'), 1)
    const out = failure(await call(confirmCreateWorkflow, preview.confirm.arguments))
    expect(out.code).toBe('upstream_error')
    expect(out.message).toMatch(/^creating the workflow failed at step \d+ of \d+ \(/)
    expect(out.message).toContain('database is locked')
    expect(torc.calls()).toContain('DELETE /workflows/50')
    expect(workflows.size).toBe(0)
    const again = data(await call(createWorkflow, { spec: SPEC, action: 'create_workflow' }))
    expect(again.plan_id).toBe(preview.plan_id)
    const made = data(await call(confirmCreateWorkflow, again.confirm.arguments))
    expect(made.applied.workflow_id).toBe(51)
    expect([...workflows.keys()]).toEqual([51])
  })

  it('Torc refusing the first request: upstream_unavailable, nothing created; an invalid spec cannot be confirmed', async () => {
    const { call, torc, workflows } = setup()
    torc.on('POST', '/workflows', { fault: 'refused' }, 1)
    const preview = data(await call(confirmCreateWorkflow, { spec: SPEC }))
    expect(failure(await call(confirmCreateWorkflow, preview.confirm.arguments)).code).toBe('upstream_unavailable')
    expect(workflows.size).toBe(0)
    const invalid = JSON.stringify({ name: 'x', jobs: [{ name: 'a', command: 'a', depends_on: ['ghost'] }] })
    const blocked = data(await call(confirmCreateWorkflow, { spec: invalid }))
    expect(blocked).toMatchObject({ can_apply: false, confirm: null })
    expect(blocked.blockers).toEqual(['the spec is invalid (see errors): fix it and preview again'])
  })
})
