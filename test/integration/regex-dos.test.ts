import { beforeAll, describe, expect, it } from 'vitest'
import { callBoth, keys, rest } from '../helpers/worker-faces.ts'
import { createWorkflow } from '../helpers/worker-torc.ts'

/**
 * Issue 10 item 6: with a backtracking engine, `(a+)+$` against `a…a!` doubles its time per `a`;
 * these 29 took 7 s, and every other request of the isolate waited. Torc's Rust engine, and ours
 * now, take microseconds. The Worker runs in workerd here, so a blocked isolate shows as a delayed
 * concurrent request.
 */
const EVIL = `${'a'.repeat(29)}!`
const spec = (target: string) =>
  JSON.stringify({
    name: 'redos',
    jobs: [
      { name: target, command: 'true' },
      { name: 'fan_in', command: 'true', depends_on_regexes: ['(a+)+$'] },
    ],
  })

const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const t0 = performance.now()
  const value = await work()
  return { value, ms: performance.now() - t0 }
}

describe('user regexes cannot freeze the Worker (ReDoS)', () => {
  // The first request of an isolate loads the modules; time the regexes, not that.
  beforeAll(async () => {
    expect((await rest('create_workflow', { spec: spec('warm_up'), action: 'validate' })).status).toBe(200)
  })

  it('create_workflow action=validate answers at once and says the pattern matched nothing', async () => {
    const { value, ms } = await timed(() => rest('create_workflow', { spec: spec(EVIL), action: 'validate' }))
    expect(ms).toBeLessThan(1_000)
    expect(value.status).toBe(200)
    expect(value.body.valid).toBe(false)
    expect(value.body.errors).toContain("Job 'fan_in' depends_on_regexes '(a+)+$' did not match any jobs")
    // The same answer through MCP (both eras) as through REST.
    expect(await callBoth('create_workflow', { spec: spec(EVIL), action: 'validate' })).toEqual(value.body)
  })

  it('and, when the name does end in a, says it matched (fan_in depends on it)', async () => {
    const target = 'a'.repeat(29)
    const { value, ms } = await timed(() => rest('get_execution_plan', { spec_or_id: spec(target) }))
    expect(ms).toBeLessThan(1_000)
    const ready = value.body.events.map((e: { jobs_becoming_ready: string[] }) => e.jobs_becoming_ready)
    expect(ready).toEqual([[target], ['fan_in']])
    expect((await callBoth('create_workflow', { spec: spec(target), action: 'validate' })).valid).toBe(true)
  })

  it('get_execution_plan on the adversarial spec answers at once (fan_in matched nothing, so it has no dependency)', async () => {
    const { value: res, ms } = await timed(() => rest('get_execution_plan', { spec_or_id: spec(EVIL) }))
    expect(ms).toBeLessThan(1_000)
    const value = await callBoth('get_execution_plan', { spec_or_id: spec(EVIL) })
    expect(value).toEqual(res.body)
    const ready = value.events.map((e: { jobs_becoming_ready: string[] }) => [...e.jobs_becoming_ready].sort())
    expect(ready).toEqual([['aaaaaaaaaaaaaaaaaaaaaaaaaaaaa!', 'fan_in'].sort()])
  })

  it('a concurrent get_workflow_status (read key) is not delayed by validations running beside it', async () => {
    const wf = await createWorkflow({ name: 'redos-bystander', jobs: [{ name: 'x' }] })
    // Several adversarial validations in flight; the status read must not queue behind them.
    const attacks = Array.from({ length: 4 }, () =>
      timed(() => rest('create_workflow', { spec: spec(EVIL), action: 'validate' }, keys().read))
    )
    const status = await timed(() => rest('get_workflow_status', { workflow_id: wf.id }, keys().read))
    const done = await Promise.all(attacks)
    expect(status.value.status, JSON.stringify(status.value.body)).toBe(200)
    expect(status.value.body).toMatchObject({ name: 'redos-bystander', total_jobs: 1 })
    expect(status.ms).toBeLessThan(1_000)
    for (const attack of done) {
      expect(attack.value.status).toBe(200)
      expect(attack.value.body.valid).toBe(false)
      expect(attack.ms).toBeLessThan(1_000)
    }
  })
})
