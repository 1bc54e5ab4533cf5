import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkflow, drive, type WorkflowFixture } from '../../scripts/torc-seed.ts'
import { STATUS_COLORS } from '../../src/views/app/status.ts'
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
 * The job graph and the dashboard of a 10,000-job workflow (prep -> 9,998 sweep jobs -> collect;
 * every 100th sweep job fails, so collect is canceled) in a real torc-server: three stage cards,
 * not 10,000 nodes, each named job coloured by its status in Torc, from three tool calls.
 */
const JOBS = 10_000
const SWEEP = JOBS - 2
const sweepName = (i: number) => `sweep_${String(i).padStart(5, '0')}`

describe.runIf(haveChromium())('MCP Apps views at 10,000 jobs', () => {
  let stack: ViewsStack
  let wf: WorkflowFixture
  let page: Page

  beforeAll(async () => {
    stack = await startViewsStack('views-scale')
    const sweep = Array.from({ length: SWEEP }, (_, i) => ({ name: sweepName(i), depends_on: ['prep'] }))
    wf = await createWorkflow(stack.api, {
      name: 'sweep-10k',
      jobs: [{ name: 'prep' }, ...sweep, { name: 'collect', depends_on: sweep.map((j) => j.name) }],
    })
    await drive(
      stack.api,
      wf,
      (name) =>
        name.startsWith('sweep_') && Number(name.slice(6)) % 100 === 7
          ? { status: 'failed', return_code: 1, exec_time_minutes: 2 }
          : { status: 'completed', return_code: 0, exec_time_minutes: 1 },
      { start: false }
    )
    page = (await openHost(stack, stack.keys.read)).page
  }, 600_000)
  afterAll(async () => stack?.stop())

  it('job graph: three stages with their counts, a bounded page, named jobs in their Torc colours', async () => {
    const started = Date.now()
    const { data, frame } = await showView(page, 'get_execution_plan', { spec_or_id: wf.id })
    await frame.locator('.stages[data-coloured=true]').waitFor({ timeout: 60_000 })
    const elapsed = Date.now() - started
    expect(data.total_jobs).toBe(JOBS)
    const stages = await frame
      .locator('li.stage')
      .evaluateAll((cards) =>
        cards.map((c) => [c.getAttribute('data-stage'), c.querySelector('[data-field=stage_jobs]')!.textContent])
      )
    expect(stages).toEqual(
      data.events.map((e: { id: string; jobs_becoming_ready_count: number }) => [
        e.id,
        e.jobs_becoming_ready_count.toLocaleString('en-US'),
      ])
    )
    expect(stages.map(([, n]) => n)).toEqual(['1', SWEEP.toLocaleString('en-US'), '1'])
    // Grouped: the tool names at most 50 jobs per stage and the page stays small.
    const chips = await frame
      .locator('li.chip')
      .evaluateAll((els) =>
        els.map((c) => [
          c.getAttribute('data-job-name'),
          c.getAttribute('data-status'),
          getComputedStyle(c).backgroundColor,
        ])
      )
    expect(chips.length).toBeLessThanOrEqual(1 + 50 + 1)
    const elements = await frame.locator('body').evaluate((b) => b.querySelectorAll('*').length)
    expect(elements).toBeLessThan(1500)
    const named = chips.map(([name]) => name!)
    const torc = new Map<string, string>()
    for (const name of named) {
      // Torc's name filter is a substring match: the exact name is picked from what it returns.
      const found = await stack.api<{ items: { name: string; status: string }[] }>(
        'GET',
        `/jobs?workflow_id=${wf.id}&name=${encodeURIComponent(name)}`
      )
      torc.set(name, found.items.find((j) => j.name === name)!.status)
    }
    for (const [name, status, colour] of chips) {
      expect(status, name!).toBe(torc.get(name!))
      expect(colour, name!).toBe(rgb(STATUS_COLORS[status as keyof typeof STATUS_COLORS].light))
    }
    // The sweep stage's bar is exact though it names 50 jobs: the workflow less the other two stages.
    const sweepBar = await frame
      .locator('li.stage[data-stage=after_prep] .stage-status .seg')
      .evaluateAll((segs) => segs.map((s) => [s.getAttribute('data-status'), Number(s.getAttribute('data-count'))]))
    expect(sweepBar).toEqual([
      ['completed', SWEEP - 100],
      ['failed', 100],
    ])
    expect(chips.find(([name]) => name === sweepName(7))?.[1]).toBe('failed')
    expect(chips.find(([name]) => name === 'collect')?.[1]).toBe('canceled')
    // Three calls through the host: the counts, then the failed and canceled jobs (the rest completed).
    const calls = await viewCalls(page)
    expect(calls).toEqual([
      { name: 'get_workflow_status', arguments: { workflow_id: wf.id } },
      { name: 'list_jobs_by_status', arguments: { workflow_id: wf.id, status: 'failed', limit: 1000, offset: 0 } },
      { name: 'list_jobs_by_status', arguments: { workflow_id: wf.id, status: 'canceled', limit: 1000, offset: 0 } },
    ])
    console.log(`10,000-job graph drawn and coloured in ${elapsed} ms with ${elements} elements`)
    await screenshot(page, 'graph-10k')
  })

  it('dashboard: the counts of 10,000 jobs as the tool answered', async () => {
    const { data, frame } = await showView(page, 'get_workflow_status', { workflow_id: wf.id })
    await settled(frame)
    expect(await frame.locator('[data-field=total]').textContent()).toBe('10,000')
    const counts = data.job_counts_by_status as Record<string, number>
    expect(counts).toMatchObject({ completed: JOBS - 1 - 100, failed: 100, canceled: 1 })
    const legend = await frame
      .locator('article > .status-bar .legend li')
      .evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-status'), li.querySelector('.count')!.textContent]))
    expect(legend).toEqual([
      ['completed', counts.completed!.toLocaleString('en-US')],
      ['failed', '100'],
      ['canceled', '1'],
    ])
    expect(await frame.locator('[data-field=failed_count]').textContent()).toBe('100')
  })
})
