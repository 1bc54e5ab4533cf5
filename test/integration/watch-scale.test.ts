/**
 * What a tick costs against the real torc-server, counted by the tick itself (every Torc call, D1
 * round trip and ledger call is a subrequest): for 1, 100 and 1,000 watched workflows, for a
 * watched workflow of 5,000 jobs, and for recovering that workflow after 100 OOM kills. Prints the
 * figures (they are the closing note).
 */
import { env } from 'cloudflare:workers'
import { beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/watch/db.ts'
import { resolvePolicy, WatchPolicySchema } from '../../src/watch/policy.ts'
import { WatchStore } from '../../src/watch/store.ts'
import { createWorkflow, drive, stopRunner, torcApi } from '../helpers/worker-torc.ts'
import { freshWatches, runTick } from './watch-helpers.ts'

const policy = resolvePolicy(WatchPolicySchema.parse({}))
const store = () => new WatchStore(env.WATCHES as unknown as Db)
const figures: string[] = []

/** A workflow of one ready job (nothing runs it): each check of it is a plain status check. */
async function smallWorkflow(i: number): Promise<number> {
  const wf = await torcApi<{ id: number }>('POST', '/workflows', { name: `watch-scale-${i}`, user: 'tester' })
  await torcApi('POST', '/bulk_jobs', { jobs: [{ workflow_id: wf.id, name: 'one', command: 'echo one' }] })
  await torcApi('POST', `/workflows/${wf.id}/initialize_jobs`)
  return wf.id
}

let small: number[] = []

beforeAll(async () => {
  const ids: number[] = []
  // Eight at a time: the torc-server of the run is shared with other tests.
  for (let i = 0; i < 1000; i += 8) ids.push(...(await Promise.all([...Array(8)].map((_, j) => smallWorkflow(i + j)))))
  small = ids
}, 600_000)

describe('subrequests per tick (TORC_EDGE_WATCH_PER_TICK 50, budget 1,000)', () => {
  it.each([1, 100, 1000])('%i watched workflows', async (n) => {
    await freshWatches()
    for (const id of small.slice(0, n))
      await store().create({ workflow_id: id, owner: 'bench', policy, workflow_name: 'x', now: Date.now() })
    const first = await runTick()
    const checked = Math.min(n, 50)
    expect(first.checks).toHaveLength(checked)
    expect(first.spent.torc).toBe(checked)
    expect(first.spent.d1).toBe(checked + 2)
    expect(first.spent.ledger).toBe(0)
    // Round-robin: the next tick takes the next least recently checked.
    const second = await runTick()
    const both = new Set([...first.checks, ...second.checks].map((c) => c.workflow_id))
    expect(both.size).toBe(Math.min(n, 100))
    figures.push(
      `${n} watched: ${first.spent.torc} Torc calls, ${first.spent.d1} ` +
        `D1 round trips, ${first.total} subrequests per tick`
    )
  })

  it('a watched workflow of 5,000 jobs costs one Torc call a tick; recovering 100 OOM kills costs a bounded number', async () => {
    await freshWatches()
    const jobs = [...Array(5000)].map((_, i) => ({ name: `j${i}`, resources: 'work' }))
    const wf = await createWorkflow({
      name: 'watch-scale-big',
      resources: { work: { num_cpus: 1, memory: '1g', runtime: 'PT30M' } },
      jobs,
    })
    await store().create({ workflow_id: wf.id, owner: 'bench', policy, workflow_name: 'big', now: Date.now() })
    const running = await runTick()
    expect(running.spent.torc).toBe(1)
    figures.push(`5,000-job workflow, running: ${running.spent.torc} Torc call, ${running.total} subrequests`)

    await drive(
      wf,
      (name) => {
        const oom = Number(name.slice(1)) < 100
        return oom
          ? { status: 'failed', return_code: 137, exec_time_minutes: 2, peak_memory_bytes: Math.round(1.2 * 1024 ** 3) }
          : { status: 'completed', return_code: 0, exec_time_minutes: 2, peak_memory_bytes: 512 * 1024 ** 2 }
      },
      { start: false }
    )
    await stopRunner(wf)
    const recovering = await runTick()
    expect(recovering.checks[0]).toMatchObject({ decision: 'recover' })
    const after = await torcApi<{ jobs_by_status: Record<string, number> }>('GET', `/workflows/${wf.id}/status`)
    expect(after.jobs_by_status).toMatchObject({ ready: 100, completed: 4900 })
    // Two plans (preview, then under the lock) of ~12 reads each, 100 resets, a few writes.
    expect(recovering.spent.torc).toBeLessThan(160)
    expect(recovering.total).toBeLessThanOrEqual(1000)
    figures.push(
      `5,000-job workflow, recovering 100 OOM kills: ${recovering.spent.torc} ` +
        `Torc calls, ${recovering.spent.ledger} ledger calls, ` +
        `${recovering.spent.d1} D1 round trips, ${recovering.total} subrequests`
    )
    console.info(`watch tick costs (real torc-server):\n  ${figures.join('\n  ')}`)
  }, 300_000)
})
