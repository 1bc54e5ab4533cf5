import { describe, expect, it } from 'vitest'
import { ToolError } from '../../src/errors.ts'
import { TorcClient } from '../../src/torc/client.ts'
import { JobSchema, WorkflowSchema } from '../../src/torc/schemas.ts'
import { createTransport, type Transport } from '../../src/transport.ts'
import { torcApiUrl } from '../helpers/worker-torc.ts'

/**
 * The real torc-server cannot be made to fail on demand (500s, hangs, garbage), so those cases use
 * a scripted Transport; "down" uses a real closed port and "not found" the real server.
 */
function scripted(respond: (req: Request, n: number) => Response | Promise<Response>) {
  const requests: Request[] = []
  const transport: Transport = {
    baseUrl: 'http://torc.test/torc-service/v1',
    host: 'torc.test',
    async fetch(pathAndQuery, init) {
      const req = new Request(`http://torc.test/torc-service/v1${pathAndQuery}`, init)
      requests.push(req)
      return respond(req, requests.length)
    },
  }
  return { transport, requests }
}

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(ToolError)
  return err as ToolError
}

const json = (body: unknown, status = 200) => Response.json(body, { status })

describe('TorcClient failure modes', () => {
  it('a connection that fails is retried for a GET (with backoff), never for a POST', async () => {
    const flaky = scripted((_, n) => (n < 3 ? Promise.reject(new TypeError('fetch failed')) : json({ ok: 1 })))
    await new TorcClient(flaky.transport, { timeoutMs: 1000, retryDelayMs: 1 }).get('/x', JobSchema.pick({}).loose())
    expect(flaky.requests).toHaveLength(3)
    const down = scripted(() => Promise.reject(new TypeError('fetch failed')))
    const err = await failure(new TorcClient(down.transport, { timeoutMs: 1000, retryDelayMs: 1 }).get('/x', JobSchema))
    expect(err).toMatchObject({
      code: 'upstream_unavailable',
      message: 'Torc is unreachable (GET /x): fetch failed',
    })
    expect(down.requests).toHaveLength(3)
    const post = scripted(() => Promise.reject(new TypeError('fetch failed')))
    await failure(new TorcClient(post.transport, { timeoutMs: 1000, retryDelayMs: 1 }).send('POST', '/x', JobSchema))
    expect(post.requests).toHaveLength(1)
  })

  it('Torc down: upstream_unavailable, the host only in the cause (the log line), after retrying the GET', async () => {
    const client = new TorcClient(createTransport({ baseUrl: 'http://127.0.0.1:1/torc-service/v1' }), {
      timeoutMs: 2000,
      retryDelayMs: 1,
    })
    const err = await failure(client.get('/workflows/1', WorkflowSchema))
    expect(err.code).toBe('upstream_unavailable')
    expect(err.message).not.toContain('127.0.0.1')
    expect((err.cause as Error).message).toContain('127.0.0.1:1')
    expect(err.status).toBe(502)
  })

  it("404 from the real server: not_found in Torc's words", async () => {
    const client = new TorcClient(createTransport({ baseUrl: torcApiUrl() }), { timeoutMs: 5000 })
    const err = await failure(client.get('/workflows/99999999', WorkflowSchema))
    expect(err.code).toBe('not_found')
    expect(err.message).toBe('workflow 99999999 not found')
  })

  it("500: upstream_error with Torc's message, not retried", async () => {
    const { transport, requests } = scripted(() => new Response('An internal error occurred', { status: 500 }))
    const err = await failure(new TorcClient(transport, { timeoutMs: 1000 }).get('/jobs/1', JobSchema))
    expect(err).toMatchObject({ code: 'upstream_error' })
    expect(err.message).toBe('Torc failed GET /jobs/1 (HTTP 500): An internal error occurred')
    expect(requests).toHaveLength(1)
  })

  it('503: a GET is retried with backoff, a POST never', async () => {
    const { transport, requests } = scripted((_, n) =>
      n < 3 ? new Response('busy', { status: 503 }) : json({ ok: 1 })
    )
    const client = new TorcClient(transport, { timeoutMs: 1000, retryDelayMs: 1 })
    await client.get('/x', JobSchema.pick({}).loose())
    expect(requests).toHaveLength(3)
    const post = scripted(() => new Response('busy', { status: 503 }))
    const err = await failure(
      new TorcClient(post.transport, { timeoutMs: 1000, retryDelayMs: 1 }).send('POST', '/x', JobSchema)
    )
    expect(err.code).toBe('upstream_error')
    expect(post.requests).toHaveLength(1)
  })

  it('slow beyond the timeout: upstream_timeout (504)', async () => {
    const { transport } = scripted(
      (req) =>
        new Promise<Response>((_, reject) => req.signal.addEventListener('abort', () => reject(req.signal.reason)))
    )
    const err = await failure(new TorcClient(transport, { timeoutMs: 150, retries: 0 }).get('/jobs/1', JobSchema))
    expect(err.code).toBe('upstream_timeout')
    expect(err.status).toBe(504)
    expect(err.message).toBe('Torc did not answer GET /jobs/1 within 150 ms')
  })

  it('malformed data: upstream_error naming where the body went wrong', async () => {
    const garbage = scripted(() => new Response('<html>proxy error</html>', { status: 200 }))
    const err1 = await failure(new TorcClient(garbage.transport, { timeoutMs: 1000 }).get('/jobs/1', JobSchema))
    expect(err1.message).toBe('Torc returned malformed JSON for GET /jobs/1')
    const wrong = scripted(() => json({ id: 1, workflow_id: 1, name: 'a', command: 'x', status: 'exploded' }))
    const err2 = await failure(new TorcClient(wrong.transport, { timeoutMs: 1000 }).get('/jobs/1', JobSchema))
    expect(err2.code).toBe('upstream_error')
    expect(err2.message).toMatch(/unexpected data for GET \/jobs\/1 at status/)
  })

  it('sends the configured credentials through a service binding, never repeating them in errors', async () => {
    let seen: Headers | undefined
    const binding = {
      fetch: async (req: Request) => {
        seen = req.headers
        return new Response('nope', { status: 401 })
      },
    }
    const transport = createTransport({
      baseUrl: 'http://torc.internal/torc-service/v1',
      binding,
      basicAuth: { user: 'svc', password: 'hunter2-secret' },
      access: { clientId: 'cid.access', clientSecret: 'access-secret-value' },
    })
    const err = await failure(new TorcClient(transport, { timeoutMs: 1000 }).get('/workflows', WorkflowSchema))
    expect(seen?.get('Authorization')).toBe(`Basic ${btoa('svc:hunter2-secret')}`)
    expect(seen?.get('CF-Access-Client-Id')).toBe('cid.access')
    expect(seen?.get('CF-Access-Client-Secret')).toBe('access-secret-value')
    expect(err.code).toBe('forbidden')
    expect(err.message).not.toMatch(/hunter2|access-secret/)
  })

  it('pages list endpoints with bounded concurrency and keeps server order', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({ id: i + 1, workflow_id: 1, name: `j${i + 1}`, command: 'x' }))
    let inFlight = 0
    let peak = 0
    const { transport, requests } = scripted(async (req) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise((resolve) => setTimeout(resolve, 5))
      inFlight--
      const url = new URL(req.url)
      const offset = Number(url.searchParams.get('offset'))
      const limit = Number(url.searchParams.get('limit'))
      const items = rows.slice(offset, offset + limit)
      return json({ items, offset, total_count: rows.length, has_more: offset + items.length < rows.length })
    })
    const client = new TorcClient(transport, { timeoutMs: 1000 })
    const all = await client.list('/jobs', JobSchema, { workflow_id: 1 }, { pageSize: 4, concurrency: 2 })
    expect(all.items.map((j) => j.id)).toEqual(rows.map((r) => r.id))
    expect(all.total).toBe(25)
    expect(requests).toHaveLength(7)
    expect(peak).toBeLessThanOrEqual(2)
    const limited = await client.list('/jobs', JobSchema, { workflow_id: 1 }, { pageSize: 4, limit: 6, offset: 3 })
    expect(limited.items.map((j) => j.id)).toEqual([4, 5, 6, 7, 8, 9])
  })
})
