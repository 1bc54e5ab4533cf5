import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WorkflowFixture } from '../../scripts/torc-seed.ts'
import { STATUS_COLORS, STATUSES } from '../../src/views/app/status.ts'
import { pipelineWorkflow } from '../setup/views-fixtures.ts'
import {
  haveChromium,
  openHost,
  rgb,
  screenshot,
  settled,
  showView,
  startViewsStack,
  type ViewsStack,
  viewCalls,
} from '../setup/views-harness.ts'

/**
 * The dashboard and the job graph, in Debian's headless Chromium, inside the test MCP Apps host
 * (test/setup/views-host-page.ts: ext-apps' AppBridge, a sandboxed iframe) connected over MCP to
 * the Worker under `wrangler dev`, against a real torc-server: what is drawn is what the tools
 * answered, and the colours are the statuses Torc reports through its REST API.
 */
describe.runIf(haveChromium())('MCP Apps views: dashboard and job graph', () => {
  let stack: ViewsStack
  let wf: WorkflowFixture
  let page: Page

  beforeAll(async () => {
    stack = await startViewsStack('views')
    wf = await pipelineWorkflow(stack.api, stack.outputDir)
    page = (await openHost(stack, stack.keys.read)).page
  }, 300_000)
  afterAll(async () => stack?.stop())

  /** Each job's status as Torc's REST API reports it. */
  const torcStatuses = async () => {
    const jobs = await stack.api<{ items: { name: string; status: string }[] }>(
      'GET',
      `/jobs?workflow_id=${wf.id}&limit=1000`
    )
    return new Map(jobs.items.map((j) => [j.name, j.status]))
  }

  it('links every view from tools/list and serves self-contained HTML within 150 KiB gzipped', async () => {
    const { tools } = await openHost(stack, stack.keys.read)
    expect(tools).toEqual(
      expect.arrayContaining([
        'list_workflows',
        'get_workflow_status',
        'get_workflow_summary',
        'get_execution_plan',
        'check_resource_utilization',
        'analyze_resource_usage',
        'get_job_logs',
        'analyze_workflow_logs',
        'create_workflow',
      ])
    )
    const { html, result } = await showView(page, 'get_workflow_status', { workflow_id: wf.id })
    // Hosts without Apps get today's answer: the one-line summary and JSON, and structuredContent.
    expect(Object.keys(result).sort()).toEqual(['content', 'structuredContent'])
    expect(result.content).toEqual([
      { type: 'text', text: expect.stringMatching(new RegExp(`^workflow ${wf.id} "views-pipeline": 8 jobs`)) },
    ])
    // Nothing to load: no src or href, no CSS import or url(); the only URLs in it are JSON Schema
    // dialect ids in the bundled MCP client (compared as strings, never fetched) and a credit line.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!
    const markup = html.replace(/<script>[\s\S]*<\/script>/, '').replace(style, '')
    expect(markup).not.toMatch(/\b(src|href|action)=/i)
    expect(style).not.toMatch(/@import|url\(/i)
    const urls = html.match(/https?:\/\/[\w./-]+/g) ?? []
    expect(
      urls.filter((u) => !/^https?:\/\/json-schema\.org\/[\w/-]+\/schema$|^https:\/\/github\.com\/cfworker$/.test(u))
    ).toEqual([])
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`)
  })

  it('dashboard: the counts, completion and run are the tool answer, the bar in the status colours', async () => {
    const { data, frame } = await showView(page, 'get_workflow_status', { workflow_id: wf.id })
    await settled(frame)
    const counts = data.job_counts_by_status as Record<string, number>
    expect(await frame.locator('[data-field=name]').textContent()).toBe(data.name)
    expect(await frame.locator('[data-field=total]').textContent()).toBe(String(data.total_jobs))
    expect(await frame.locator('[data-field=completed]').textContent()).toBe(String(counts.completed))
    expect(await frame.locator('[data-field=completion]').textContent()).toBe(
      `${((counts.completed! / data.total_jobs) * 100).toFixed(1)}%`
    )
    expect(await frame.locator('[data-field=run_id]').textContent()).toBe(String(data.run_id))
    const bar = frame.locator('article > .status-bar .seg')
    const drawn = await bar.evaluateAll((segs) =>
      segs.map((s) => [
        s.getAttribute('data-status'),
        Number(s.getAttribute('data-count')),
        getComputedStyle(s).backgroundColor,
      ])
    )
    const expected = STATUSES.filter((s) => counts[s]).map((s) => [s, counts[s], rgb(STATUS_COLORS[s].light)])
    expect(drawn).toEqual(expected)
    // Torc's own numbers: 6 of 8 completed... as its REST API says.
    const statuses = [...(await torcStatuses()).values()]
    expect(counts.completed).toBe(statuses.filter((s) => s === 'completed').length)
    // The failing and slowest jobs come from list_failed_jobs and list_results through the host.
    const calls = await viewCalls(page)
    expect(calls.map((c) => c.name).sort()).toEqual(['get_workflow_summary', 'list_failed_jobs', 'list_results'])
    const failed = (await page.evaluate(
      (id) => window.torcHost.callTool('list_failed_jobs', { workflow_id: id }),
      wf.id
    )) as {
      failed_jobs: { name: string }[]
    }
    expect(await frame.locator('[data-table=failing] tbody tr').count()).toBe(failed.failed_jobs.length)
    expect(await frame.locator('[data-field=failed_count]').textContent()).toBe(String(failed.failed_jobs.length))
    const slowest = await frame.locator('[data-table=slowest] tbody tr td:first-child').allTextContents()
    expect(slowest[0]).toContain('work_4')
    await screenshot(page, 'dashboard')
  })

  it('dashboard: refresh is the host calling the tool again; the dark theme follows the host', async () => {
    const { frame } = await showView(page, 'get_workflow_status', { workflow_id: wf.id }, { theme: 'dark' })
    await settled(frame)
    const background = await frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor)
    expect(background).toBe('rgb(38, 38, 36)')
    const failedSeg = frame.locator('article > .status-bar .seg[data-status=failed]')
    expect(await failedSeg.evaluate((s) => getComputedStyle(s).backgroundColor)).toBe(rgb(STATUS_COLORS.failed.dark))
    await screenshot(page, 'dashboard-dark')
    await frame.locator('button[data-action=refresh]').click()
    await expect
      .poll(async () => (await viewCalls(page)).filter((c) => c.name === 'get_workflow_status'))
      .toEqual([{ name: 'get_workflow_status', arguments: { workflow_id: wf.id } }])
    await page.evaluate(() => window.torcHost.setTheme('light'))
    await expect
      .poll(() => frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor))
      .toBe('rgb(255, 255, 255)')
  })

  it('dashboard: list_workflows lists what the tool answered and opens a workflow', async () => {
    const { data, frame } = await showView(page, 'list_workflows', {})
    const rows = await frame.locator('[data-table=workflows] tbody tr td:first-child').allTextContents()
    expect(rows).toEqual(data.workflows.map((w: { id: number; name: string }) => `${w.id} ${w.name}`))
    await frame.locator(`button[data-workflow-id="${wf.id}"]`).click()
    await frame.locator(`[data-workflow-id="${wf.id}"][data-view-part=workflow]`).waitFor()
    await frame.locator('button[data-action=back]').click()
    await frame.locator('[data-view-part=workflows]').waitFor()
  })

  it('job graph: the stages of the plan, each job in the colour of its status in Torc', async () => {
    const { data, frame } = await showView(page, 'get_execution_plan', { spec_or_id: wf.id })
    await frame.locator('.stages[data-coloured=true]').waitFor()
    const stages = await frame
      .locator('li.stage')
      .evaluateAll((cards) =>
        cards.map((c) => [c.getAttribute('data-stage'), Number(c.getAttribute('data-job-count'))])
      )
    expect(stages).toEqual(
      data.events.map((e: { id: string; jobs_becoming_ready_count: number }) => [e.id, e.jobs_becoming_ready_count])
    )
    expect(stages.length).toBe(3)
    const statuses = await torcStatuses()
    const chips = await frame
      .locator('li.chip')
      .evaluateAll((els) =>
        els.map((c) => [
          c.getAttribute('data-job-name'),
          c.getAttribute('data-status'),
          getComputedStyle(c).backgroundColor,
        ])
      )
    expect(chips).toHaveLength(8)
    for (const [name, status, colour] of chips) {
      expect(status, name!).toBe(statuses.get(name!))
      expect(colour, name!).toBe(rgb(STATUS_COLORS[status as keyof typeof STATUS_COLORS].light))
    }
    expect(new Set(chips.map(([, s]) => s))).toEqual(new Set(['completed', 'failed', 'canceled']))
    await screenshot(page, 'graph')
    // A failed job links to its logs: its stderr, read through the site server.
    await frame.locator('li.chip[data-job-name=work_5] button').click()
    const path = frame.locator('[data-view-part=log] [data-field=path]')
    await path.waitFor()
    expect(await path.textContent()).toBe(`job_stdio/job_wf${wf.id}_j${wf.jobIds.get('work_5')}_r${wf.runId}_a1.e`)
  })

  it('fits a narrow chat column (380 px): nothing wider than the frame, tables scroll in place', async () => {
    for (const [tool, args] of [
      ['get_workflow_status', { workflow_id: wf.id }],
      ['get_execution_plan', { spec_or_id: wf.id }],
      ['check_resource_utilization', { workflow_id: wf.id }],
    ] as const) {
      const { frame } = await showView(page, tool, args, { width: 380 })
      await settled(frame)
      const [scroll, client] = await frame.locator('html').evaluate((el) => [el.scrollWidth, el.clientWidth] as const)
      expect(scroll, tool).toBeLessThanOrEqual(client)
    }
    await screenshot(page, 'narrow-resources')
  })

  it('no view fetched anything, nor broke its CSP', () => {
    const allowed = [stack.host.url, `${stack.worker.url}/mcp`]
    const foreign = stack.requests.filter((url) => !allowed.some((a) => url.startsWith(a)) && url !== 'about:srcdoc')
    expect(foreign).toEqual([])
    expect(stack.consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([])
  })
})
