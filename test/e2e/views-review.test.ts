import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tutorialOomWorkflow, type WorkflowFixture } from '../../scripts/torc-seed.ts'
import {
  haveChromium,
  openHost,
  screenshot,
  showView,
  startViewsStack,
  type ViewsStack,
  viewCalls,
} from '../setup/views-harness.ts'

/**
 * The change review in headless Chromium, through the test MCP Apps host: recover_workflow's
 * preview as a table, Apply pressed from the keyboard sends exactly its `confirm` call through the
 * host, and Torc (read back through its REST API) then holds exactly what the preview said. A
 * read-scoped key cannot apply: the button is disabled and says why.
 */
describe.runIf(haveChromium())('MCP Apps views: change review', () => {
  let stack: ViewsStack
  let wf: WorkflowFixture
  let writer: Page
  let reader: Page
  let readerTools: string[]

  beforeAll(async () => {
    stack = await startViewsStack('views-review')
    wf = await tutorialOomWorkflow(stack.api, 'views-oom')
    writer = (await openHost(stack, stack.keys.write)).page
    ;({ page: reader, tools: readerTools } = await openHost(stack, stack.keys.read))
  }, 300_000)
  afterAll(async () => stack?.stop())

  /** Tab through the view until Apply has the focus, then press Enter, as a keyboard user does. */
  async function applyFromKeyboard(page: Page): Promise<void> {
    const frame = page.frameLocator('#view')
    await frame.locator('h1').click()
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab')
      if (await frame.locator('button[data-action=apply]').evaluate((b) => b === document.activeElement)) break
    }
    expect(await frame.locator('button[data-action=apply]').evaluate((b) => b === document.activeElement)).toBe(true)
    await page.keyboard.press('Enter')
  }

  it('recover_workflow: job, cause, old -> new; Apply changes Torc exactly as the preview said', async () => {
    const { data: preview, frame } = await showView(writer, 'recover_workflow', { workflow_id: wf.id })
    expect(preview.status).toBe('preview')
    const rows = await frame.locator('[data-table=jobs] tbody tr').evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from(tr.querySelectorAll('td'))
          .slice(0, 4)
          .map((td) => td.textContent!.trim())
      )
    )
    expect(rows).toEqual(
      preview.jobs.map((j: any) => [
        `${j.job_id} ${j.job_name}`,
        j.cause.replace(/_/g, ' '),
        j.memory ? `${j.memory.old} → ${j.memory.new}` : '—',
        j.runtime ? `${j.runtime.old} → ${j.runtime.new}` : '—',
      ])
    )
    expect(rows).toHaveLength(3)
    expect(preview.jobs.every((j: { cause: string }) => j.cause === 'oom')).toBe(true)
    const adjustment = preview.adjustments[0]
    expect(await frame.locator('[data-table=adjustments] tbody tr td:nth-child(3)').textContent()).toBe(
      `${adjustment.memory.old} → ${adjustment.memory.new}`
    )
    const apply = frame.locator('button[data-action=apply]')
    expect(await apply.isEnabled()).toBe(true)
    await screenshot(writer, 'review')

    const runBefore = (await stack.api<{ run_id: number }>('GET', `/workflows/${wf.id}`)).run_id
    await applyFromKeyboard(writer)
    await frame.locator('[data-view-part=review][data-status=applied]').waitFor()
    // Exactly the confirm call the preview named, once.
    expect(await viewCalls(writer)).toEqual([{ name: preview.confirm.tool, arguments: preview.confirm.arguments }])
    expect(preview.confirm).toEqual({
      tool: 'recover_workflow',
      arguments: { workflow_id: wf.id, retry_unknown: false, dry_run: false, plan_id: preview.plan_id },
    })
    await screenshot(writer, 'review-applied')

    // Torc now holds what the preview said: the requirement's new memory, the jobs reset, a new run.
    const rr = await stack.api<{ memory: string; runtime: string }>(
      'GET',
      `/resource_requirements/${adjustment.resource_requirements_id}`
    )
    expect(rr.memory).toBe(adjustment.memory.new)
    expect(rr.runtime).toBe(adjustment.runtime ? adjustment.runtime.new : 'PT30M')
    const workflow = await stack.api<{ run_id: number }>('GET', `/workflows/${wf.id}`)
    expect(workflow.run_id).toBe(runBefore + 1)
    const retried = new Set<number>(preview.jobs_to_retry)
    for (const [name, id] of wf.jobIds) {
      const job = await stack.api<{ status: string }>('GET', `/jobs/${id}`)
      if (retried.has(id)) expect(job.status, name).not.toMatch(/failed|completed/)
      else expect(job.status, name).toBe('completed')
    }
    // ...and the view says so: what changed, as the apply answered.
    const applied = (await writer.evaluate(
      (id) => window.torcHost.callTool('get_workflow_status', { workflow_id: id }),
      wf.id
    )) as { run_id: number }
    expect(await frame.locator('[data-field=new_run_id]').textContent()).toBe(String(applied.run_id))
    expect(await frame.locator('[data-field=jobs_reset]').textContent()).toBe(preview.jobs_to_retry.join(', '))
  })

  it('a blocked preview: Apply is disabled and the blocker says why', async () => {
    const { data, frame } = await showView(writer, 'recover_workflow', { workflow_id: wf.id })
    expect(data.can_apply).toBe(false)
    expect(await frame.locator('button[data-action=apply]').isDisabled()).toBe(true)
    expect(await frame.locator('[data-field=apply_reason]').textContent()).toBe(data.blockers.join(' '))
  })

  it('a read key: no write tool is listed, and the creation preview it gets cannot be applied', async () => {
    expect(readerTools).not.toContain('recover_workflow')
    const spec = JSON.stringify({ name: 'views-created', jobs: [{ name: 'hello', command: 'echo hello' }] })
    const { data, frame } = await showView(reader, 'create_workflow', { spec, action: 'create_workflow' })
    expect(data.confirm).toBeNull()
    const apply = frame.locator('button[data-action=apply]')
    expect(await apply.isDisabled()).toBe(true)
    const reason = await frame.locator('[data-field=apply_reason]').textContent()
    expect(reason).toBe(data.next_steps)
    expect(reason).toContain('write scope')
    expect(await apply.getAttribute('aria-describedby')).toBe('apply-reason')
    await screenshot(reader, 'review-read-key')
    expect(await viewCalls(reader)).toEqual([])
  })

  it('create_workflow with a write key: Apply creates in Torc the workflow the preview described', async () => {
    const spec = JSON.stringify({
      name: 'views-created',
      jobs: [
        { name: 'hello', command: 'echo hello' },
        { name: 'world', command: 'echo world', depends_on: ['hello'] },
      ],
    })
    const { data: preview, frame } = await showView(writer, 'create_workflow', { spec, action: 'create_workflow' })
    expect(preview.confirm.tool).toBe('confirm_create_workflow')
    await frame.locator('button[data-action=apply]').click()
    await frame.locator('[data-view-part=review][data-status=applied]').waitFor()
    const id = Number(await frame.locator('[data-field=workflow_id]').textContent())
    const created = await stack.api<{ name: string }>('GET', `/workflows/${id}`)
    expect(created.name).toBe(preview.summary.workflow_name)
    const jobs = await stack.api<{ items: { name: string }[] }>('GET', `/jobs?workflow_id=${id}`)
    expect(jobs.items.map((j) => j.name).sort()).toEqual([...preview.summary.job_names].sort())
  })
})
