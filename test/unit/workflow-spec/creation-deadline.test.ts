/**
 * The creation engine's time budget, rollback and sweep (src/workflow-spec/creation/execute.ts)
 * against a scripted Transport: Torc answering, failing, hanging (a stopped torc-server) and
 * refusing connections (a dead one) on cue, with budgets of a few hundred ms so the deadlines are
 * real timers. The same guarantees against the real torc-server: test/e2e/creation-faults.test.ts.
 */
import { describe, expect, it } from 'vitest'
import type { Transport } from '../../../src/transport.ts'
import {
  type CreationFailed,
  type CreationPlan,
  createInTorc,
  INCOMPLETE_NAME,
  parseSpecValue,
  planCreation,
  sweepIncomplete,
} from '../../../src/workflow-spec/index.ts'

type Reply = Response | 'hang' | 'refuse'
interface Sent {
  method: string
  path: string
  body: unknown
  at: number
}

/** A Transport whose answers come from `script`; a hang ends only when the caller's signal aborts, as fetch does. */
function scripted(script: (req: Sent, log: Sent[]) => Reply | undefined) {
  const log: Sent[] = []
  const t0 = Date.now()
  const transport: Transport = {
    baseUrl: 'http://torc.test/torc-service/v1',
    host: 'torc.test',
    async fetch(pathAndQuery, init) {
      const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined
      const req = { method: init.method ?? 'GET', path: pathAndQuery, body, at: Date.now() - t0 }
      log.push(req)
      const reply = script(req, log) ?? healthy(req)
      if (reply === 'refuse') throw new TypeError('fetch failed: connect ECONNREFUSED')
      if (reply === 'hang') {
        return new Promise<Response>((_, reject) => {
          const signal = init.signal as AbortSignal
          if (signal.aborted) reject(signal.reason)
          signal.addEventListener('abort', () => reject(signal.reason), { once: true })
        })
      }
      return reply
    },
  }
  return { transport, log, elapsed: () => Date.now() - t0 }
}

const WF = 7
const json = (value: unknown, status = 200) => Response.json(value, { status })
const notFound = () => json({ error: { message: `Workflow not found with ID: ${WF}` } }, 404)
let deleted = false

/** What torc-server answers when all is well. */
function healthy(req: Sent): Response {
  const { method, path, body } = req
  if (method === 'POST' && path === '/workflows') {
    deleted = false
    return json({ ...(body as object), id: WF, timestamp: new Date().toISOString() })
  }
  if (method === 'POST' && path === '/bulk_jobs') {
    const jobs = (body as { jobs: object[] }).jobs
    return json({ jobs: jobs.map((j, i) => ({ ...j, id: 1000 + i })) })
  }
  if (method === 'DELETE') {
    deleted = true
    return json({})
  }
  if (method === 'GET' && path.startsWith('/workflows?'))
    return json({ items: [], offset: 0, total_count: 0, has_more: false })
  if (method === 'GET' && path === `/workflows/${WF}`) return deleted ? notFound() : json({ id: WF })
  return json({})
}

/** 6,000 independent jobs: the guard, six bulk_jobs chunks, the unguarding. */
function plan(): CreationPlan {
  const spec = parseSpecValue({
    name: 'sweep',
    jobs: [{ name: 'j_{i}', command: 'x {i}', parameters: { i: '1:6000' } }],
  })
  return planCreation(spec, { user: 'alice', initialize: true })
}

const chunk = (req: Sent, log: Sent[]) =>
  req.method === 'POST' && req.path === '/bulk_jobs' ? log.filter((r) => r.path === '/bulk_jobs').length : 0

async function failure(promise: Promise<unknown>): Promise<CreationFailed> {
  try {
    await promise
  } catch (err) {
    return err as CreationFailed
  }
  throw new Error('the creation succeeded')
}

describe('createInTorc', () => {
  it('guards the workflow before any record and lifts the guard after the last one', async () => {
    const torc = scripted(() => undefined)
    const made = await createInTorc(plan(), torc)
    expect(made.workflow_id).toBe(WF)
    const calls = torc.log.map((r) => `${r.method} ${r.path.split('?')[0]}`)
    expect(calls.slice(0, 4)).toEqual([
      'POST /workflows',
      `PUT /workflows/${WF}/cancel`,
      `POST /workflows/${WF}/archive`,
      'GET /workflows', // the sweep, once our own workflow is guarded
    ])
    expect(torc.log[0]?.body).toMatchObject({ name: INCOMPLETE_NAME, user: 'alice' })
    expect(torc.log[3]?.path).toBe(
      `/workflows?user=alice&name=${encodeURIComponent(INCOMPLETE_NAME)}&offset=0&limit=100`
    )
    expect(calls.slice(-4)).toEqual([
      `PUT /workflows/${WF}`,
      `POST /workflows/${WF}/archive`,
      `POST /workflows/${WF}/reset_status`,
      `POST /workflows/${WF}/initialize_jobs`,
    ])
    expect(torc.log.at(-4)?.body).toEqual({ name: 'sweep', user: 'alice' })
    expect(made.swept).toEqual({ removed: [], recent: [], failed: [] })
  })

  it('deletes the workflow again when a bulk_jobs chunk fails, and checks it is gone', async () => {
    const torc = scripted((req, log) =>
      chunk(req, log) === 3 ? json({ error: 'An internal error occurred' }, 500) : undefined
    )
    const err = await failure(createInTorc(plan(), torc))
    expect(err.code).toBe('upstream_error')
    expect(err.message).toMatch(
      /failed at step 6 of 13 \(POST \/bulk_jobs level 0 batch 3, .* workflow 7 was deleted again \(Torc confirms it is gone\)$/
    )
    expect(err.failure).toMatchObject({
      workflow_id: WF,
      phase: 'guarded',
      clean: true,
      removal: { removed: true, verified: true },
    })
    const after = torc.log.slice(torc.log.findIndex((r) => r.method === 'DELETE'))
    expect(after.map((r) => `${r.method} ${r.path}`)).toEqual([`DELETE /workflows/${WF}`, `GET /workflows/${WF}`])
  })

  it('answers by the deadline when Torc stops answering, naming the guarded workflow it could not delete', async () => {
    let stopped = false
    const torc = scripted((req, log) => {
      if (chunk(req, log) === 3) stopped = true
      return stopped ? 'hang' : undefined
    })
    const budget = { forwardMs: 400, answerMs: 700 }
    const err = await failure(createInTorc(plan(), torc, { budget }))
    expect(torc.elapsed()).toBeGreaterThanOrEqual(650)
    expect(torc.elapsed()).toBeLessThan(850)
    expect(err.code).toBe('upstream_timeout')
    expect(err.message).toContain(`workflow ${WF} could NOT be deleted`)
    expect(err.message).toContain(`named "${INCOMPLETE_NAME}", archived and canceled, so none of its jobs can run`)
    expect(err.message).toContain('the next create_workflow call removes it')
    expect(err.failure).toMatchObject({ phase: 'guarded', clean: true, removal: { removed: false, attempts: 1 } })
    // The hung chunk was given only what was left of the forward time, the DELETE what was left of the answer's.
    const del = torc.log.find((r) => r.method === 'DELETE') as Sent
    expect(del.at).toBeGreaterThanOrEqual(390)
    expect(del.at).toBeLessThan(500)
  })

  it('retries the DELETE with backoff while Torc refuses connections, within the rollback window', async () => {
    let dead = false
    const torc = scripted((req, log) => {
      if (chunk(req, log) === 2) dead = true
      return dead ? 'refuse' : undefined
    })
    const err = await failure(createInTorc(plan(), torc, { budget: { rollbackMs: 1_500 } }))
    expect(err.code).toBe('upstream_unavailable')
    const deletes = torc.log.filter((r) => r.method === 'DELETE')
    expect(deletes.length).toBeGreaterThanOrEqual(3) // at 0, 250, 750 ms, ...
    expect(torc.elapsed()).toBeLessThan(1_800)
    expect(err.message).toContain(`workflow ${WF} could NOT be deleted (DELETE /workflows/${WF}: Torc is unreachable`)
  })

  it('finishes the rollback when Torc comes back within the window', async () => {
    let dead = false
    const torc = scripted((req, log) => {
      if (chunk(req, log) === 2) dead = true
      if (req.method === 'DELETE' && log.filter((r) => r.method === 'DELETE').length === 3) dead = false
      return dead ? 'refuse' : undefined
    })
    const err = await failure(createInTorc(plan(), torc))
    expect(err.failure.removal).toEqual({ removed: true, verified: true, attempts: 3 })
    expect(err.message).toMatch(/workflow 7 was deleted again \(Torc confirms it is gone\)$/)
  })

  it('stops before a step once the forward time is spent, even while Torc answers (slowly)', async () => {
    const slow = scripted(() => undefined)
    const torc = {
      transport: {
        ...slow.transport,
        fetch: async (p: string, init: RequestInit) => {
          await new Promise((r) => setTimeout(r, 60))
          return slow.transport.fetch(p, init)
        },
      },
    }
    const err = await failure(createInTorc(plan(), torc, { budget: { forwardMs: 300 } }))
    expect(err.code).toBe('upstream_timeout')
    expect(err.message).toMatch(/the creation did not finish within its 0.3 s \(Torc answered \d of 13 requests\)/)
    expect(err.failure.removal).toMatchObject({ removed: true, verified: true })
  })

  it('rolls back after the tool call is cancelled (the DELETE does not carry the cancelled signal)', async () => {
    const cancel = new AbortController()
    const torc = scripted((req, log) => {
      if (chunk(req, log) === 2) {
        cancel.abort()
        return 'hang'
      }
      return undefined
    })
    const err = await failure(createInTorc(plan(), torc, { signal: cancel.signal }))
    expect(err.message).toContain('was cancelled')
    expect(err.failure.removal).toMatchObject({ removed: true, verified: true })
  })

  it('says what is left when it fails after the rename: complete, canceled, named as the spec', async () => {
    const torc = scripted((req) => {
      if (req.path.endsWith('/reset_status')) return json({ error: 'database is locked' }, 500)
      if (req.method === 'DELETE') return 'refuse'
      return undefined
    })
    const err = await failure(createInTorc(plan(), torc, { budget: { rollbackMs: 300 } }))
    expect(err.failure).toMatchObject({ phase: 'unguarding', clean: false })
    expect(err.message).toContain('It is complete (named "sweep") but canceled, not initialized')
    expect(err.message).toContain(`\`torc workflows archive false ${WF}\` then \`torc workflows init ${WF}\``)
  })

  it('says a workflow may appear late when the very first request timed out', async () => {
    const torc = scripted(() => 'hang')
    const err = await failure(createInTorc(plan(), torc, { budget: { forwardMs: 200, answerMs: 300 } }))
    expect(err.failure).toMatchObject({ workflow_id: null, phase: 'none', removal: null })
    expect(err.message).toContain(`a workflow made that late is named "${INCOMPLETE_NAME}", has no jobs`)
  })
})

describe('sweepIncomplete', () => {
  const now = Date.parse('2026-06-01T12:00:00.000Z')
  const ago = (s: number) => new Date(now - s * 1000).toISOString()
  const marked = (id: number, age: number, archived: boolean) => ({
    id,
    name: INCOMPLETE_NAME,
    user: 'alice',
    timestamp: ago(age),
    is_archived: archived,
  })

  it('removes the old guarded or empty ones, and leaves the recent, the foreign-looking and its own', async () => {
    const list = [
      marked(11, 600, true), // left by a crash: removed
      marked(12, 20, true), // a creation in progress: left
      marked(13, 600, false), // old, never guarded, no jobs (crash right after POST /workflows): removed
      marked(14, 600, false), // not archived but has jobs: not ours
      marked(15, 600, true), // deleted meanwhile by its own late rollback: counts as removed
      marked(16, 0, true), // the caller's own
    ]
    const torc = scripted((req) => {
      if (req.method === 'GET' && req.path.startsWith('/workflows?'))
        return json({ items: list, offset: 0, total_count: list.length, has_more: false })
      if (req.path.startsWith('/jobs?workflow_id=13'))
        return json({ items: [], offset: 0, total_count: 0, has_more: false })
      if (req.path.startsWith('/jobs?workflow_id=14'))
        return json({ items: [{}], offset: 0, total_count: 5, has_more: true })
      if (req.method === 'DELETE' && req.path === '/workflows/15') return notFound()
      return undefined
    })
    const report = await sweepIncomplete(torc, 'alice', { serverNow: now, excludeId: 16 })
    expect(report).toEqual({
      removed: [11, 13, 15],
      recent: [12],
      failed: [{ workflow_id: 14, reason: 'has jobs but is not archived: not left by torc-edge' }],
    })
    expect(torc.log.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      '/workflows/11',
      '/workflows/13',
      '/workflows/15',
    ])
  })

  it('reports, never throws, when Torc cannot be reached', async () => {
    const torc = scripted(() => 'refuse')
    const report = await sweepIncomplete(torc, 'alice')
    expect(report.removed).toEqual([])
    expect(report.stopped).toMatch(/unreachable/)
  })
})
