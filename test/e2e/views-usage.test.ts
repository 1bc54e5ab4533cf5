import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WorkflowFixture } from '../../scripts/torc-seed.ts'
import { classify } from '../../src/logs/patterns.ts'
import { bytes, durationMinutes, memoryBytes } from '../../src/views/app/format.ts'
import { pipelineWorkflow } from '../setup/views-fixtures.ts'
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
 * The resource-use and log views in headless Chromium, through the test MCP Apps host, against a
 * real torc-server and the site server holding the jobs' logs: what is drawn is what the tools
 * answered; grep and "load more" are the host calling get_job_logs again.
 */
describe.runIf(haveChromium())('MCP Apps views: resource use and logs', () => {
  let stack: ViewsStack
  let wf: WorkflowFixture
  let page: Page

  beforeAll(async () => {
    stack = await startViewsStack('views-usage')
    wf = await pipelineWorkflow(stack.api, stack.outputDir)
    page = (await openHost(stack, stack.keys.read)).page
  }, 300_000)
  afterAll(async () => stack?.stop())

  const texts = (page: Page, selector: string) => page.frameLocator('#view').locator(selector).allTextContents()

  it('resource use: every over-request row and failed job of check_resource_utilization, marked', async () => {
    const { data, frame } = await showView(page, 'check_resource_utilization', { workflow_id: wf.id })
    expect(await frame.locator('[data-field=jobs_over_count]').textContent()).toBe(String(data.jobs_over_count))
    expect(await frame.locator('[data-field=resource_violations_count]').textContent()).toBe(
      String(data.resource_violations_count)
    )
    const rows = await frame.locator('[data-table=violations] tbody tr').evaluateAll((trs) =>
      trs.map((tr) =>
        Array.from(tr.querySelectorAll('td'))
          .slice(0, 5)
          .map((td) => td.textContent!.trim())
      )
    )
    expect(rows).toEqual(
      data.violations.map((v: Record<string, string>) => [
        `${v.job_id} ${v.job_name}`,
        v.resource_type,
        v.specified,
        v.peak_used,
        `over ${v.over_utilization}`,
      ])
    )
    // work_2 over its memory, work_3 over its CPUs, work_4 past its runtime (and the failed work_5).
    expect(new Set(data.violations.map((v: { job_name: string }) => v.job_name))).toEqual(
      new Set(['work_2', 'work_3', 'work_4', 'work_5'])
    )
    expect(await frame.locator('[data-table=violations] .usage.over').count()).toBe(data.violations.length)
    const causes = await frame
      .locator('[data-table=failed] [data-cause]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-cause')))
    expect(causes).toEqual(data.resource_violations.map((f: { cause: string }) => f.cause))
    expect(causes).toContain('oom')
    await screenshot(page, 'resources')
  })

  it('resource use: analyze_resource_usage per requirement group, over-limit jobs marked', async () => {
    const { data, frame } = await showView(page, 'analyze_resource_usage', { workflow_id: wf.id })
    expect(await frame.locator('[data-field=total_jobs]').textContent()).toBe(String(data.total_jobs))
    for (const group of data.resource_groups as any[]) {
      const card = frame.locator(`[data-group="${group.resource_requirements_id}"]`)
      expect(await card.locator('[data-field=job_count]').textContent()).toBe(String(group.job_count))
      expect(await card.locator('[data-field=jobs_with_results]').textContent()).toBe(String(group.jobs_with_results))
      expect(await card.locator('[data-field=max_peak_memory]').textContent()).toBe(
        bytes(group.summary.peak_memory_bytes.max)
      )
      const rows = await card.locator('[data-table=jobs] tbody tr td:first-child').allTextContents()
      expect(rows).toEqual(group.jobs.map((j: { job_id: number; name: string }) => `${j.job_id} ${j.name}`))
      // A job is marked where it used more than the group asks for, exactly those.
      const memory = memoryBytes(group.config.memory)!
      const cpus = group.config.num_cpus * 100
      const runtime = durationMinutes(group.config.runtime)!
      const over = group.jobs.reduce(
        (n: number, j: any) =>
          n +
          Number(j.peak_memory_bytes > memory) +
          Number(j.peak_cpu_percent > cpus) +
          Number(j.exec_time_minutes > runtime),
        0
      )
      expect(await card.locator('[data-table=jobs] .over-cell').count()).toBe(over)
    }
    expect(await frame.locator('[data-group]').count()).toBe(data.resource_groups.length)
    await screenshot(page, 'resources-usage')
  })

  it("logs: the tail with torc's findings highlighted, grep through the host", async () => {
    const args = { workflow_id: wf.id, job_id: wf.jobIds.get('work_5')!, run_id: wf.runId, log_type: 'stderr' }
    const { data, frame } = await showView(page, 'get_job_logs', args)
    const lines = String(data.content).split('\n')
    expect(await frame.locator('.log-lines li').count()).toBe(data.lines_returned)
    const flagged = await frame
      .locator('.log-lines li')
      .evaluateAll((lis) => lis.map((li) => li.getAttribute('data-finding')))
    expect(flagged).toEqual(lines.map((line) => classify(line)?.name ?? null))
    expect(flagged).toEqual(expect.arrayContaining(['Python Exception', 'Slurm Error', 'OOM Killed']))
    await screenshot(page, 'logs')
    // The grep box: typed and sent with Enter, as a keyboard user does.
    await frame.locator('input[name=grep]').fill('memory')
    await frame.locator('input[name=grep]').press('Enter')
    await expect.poll(() => viewCalls(page)).toEqual([{ name: 'get_job_logs', arguments: { ...args, grep: 'memory' } }])
    await frame.locator('[data-view-part=log] dd code').waitFor()
    const shown = await texts(page, '.log-lines li')
    expect(shown.length).toBeGreaterThan(0)
    for (const line of shown) expect(line.toLowerCase()).toContain('memory')
  })

  it('logs: load more shows more of the tail; a grep searches further back (longer range reads)', async () => {
    const args = { workflow_id: wf.id, job_id: wf.jobIds.get('work_5')!, run_id: wf.runId, log_type: 'stdout' }
    const { data, frame } = await showView(page, 'get_job_logs', { ...args, tail_lines: 200 })
    expect([data.truncated, data.lines_returned]).toEqual([true, 200])
    await frame.locator('button[data-action=more]').click()
    await expect
      .poll(() => viewCalls(page))
      .toEqual([{ name: 'get_job_logs', arguments: { ...args, tail_lines: 800 } }])
    await expect.poll(() => frame.locator('.log-lines li').count()).toBe(800)
    expect(await frame.locator('[data-field=lines_returned]').textContent()).toBe('800')
    // An early line is beyond the last 64 KiB: the grep finds it once the read covers the file.
    const early = { ...args, grep: 'step 00010:' }
    const grepped = await showView(page, 'get_job_logs', early)
    expect(grepped.data.lines_returned).toBe(0)
    for (const max_bytes of [262_144, 1_048_576]) {
      await grepped.frame.locator('button[data-action=more]').click()
      await expect
        .poll(async () => (await viewCalls(page)).at(-1))
        .toEqual({
          name: 'get_job_logs',
          arguments: { ...early, max_bytes },
        })
    }
    await expect
      .poll(() => texts(page, '.log-lines li'))
      .toEqual(['step 00010: chunk loaded, 512 rows merged into the frame'])
    expect(await grepped.frame.locator('button[data-action=more]').count()).toBe(0)
  })

  it('logs: analyze_workflow_logs counts as the tool answered; a job log file opens its tail', async () => {
    const { data, frame } = await showView(page, 'analyze_workflow_logs', { workflow_id: wf.id })
    expect(await frame.locator('[data-field=error_count]').textContent()).toBe(String(data.error_count))
    expect(await frame.locator('[data-field=files_parsed]').textContent()).toBe(String(data.files_parsed))
    const types = await frame
      .locator('.hbars li')
      .evaluateAll((lis) =>
        lis.map((li) => [li.getAttribute('data-type'), Number(li.querySelector('.count')!.textContent)])
      )
    expect(types).toEqual(data.errors_by_type.map((t: { type: string; count: number }) => [t.type, t.count]))
    await screenshot(page, 'logs-analysis')
    const file = `job_stdio/job_wf${wf.id}_j${wf.jobIds.get('work_6')}_r${wf.runId}_a1.e`
    await frame.locator(`[data-table=files] button[data-file="${file}"]`).click()
    await expect.poll(() => frame.locator('[data-view-part=log] [data-field=path]').textContent()).toBe(file)
  })
})
