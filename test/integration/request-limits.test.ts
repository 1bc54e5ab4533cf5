import { describe, expect, it } from 'vitest'
import { MAX_REQUEST_BYTES } from '../../src/body-limit.ts'
import { BASE, keys, mcpClient, workerFetch } from '../helpers/worker-faces.ts'

/**
 * What both faces refuse before any tool runs: bodies over the one cap, a missing body, a method a
 * tool route does not take, and tool names that are members of Object.prototype. All in-process
 * through the Worker's default export, against the real torc-server.
 */
const auth = () => ({ Authorization: `Bearer ${keys().read}` })
const mcpHeaders = () => ({
  ...auth(),
  'Content-Type': 'application/json',
  Accept: 'application/json, text/event-stream',
  'MCP-Protocol-Version': '2025-11-25',
})
/** A JSON body of `size` bytes that each face would otherwise accept (the padding is an ignored member). */
const padded = (base: Record<string, unknown>, size: number) => {
  const head = JSON.stringify({ ...base, pad: '' })
  return `${head.slice(0, -2)}${'x'.repeat(size - head.length)}"}`
}
const mcpCall = (name: string) =>
  JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } })

/**
 * A body of `total` bytes that the stream makes only when read, in 64 KiB chunks, counting them:
 * no Content-Length, as a chunked upload arrives.
 */
function chunked(prefix: string, total: number) {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
  let sent = 0
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) {
        const head = new TextEncoder().encode(prefix)
        sent += head.length
        controller.enqueue(head)
      } else if (sent >= total) controller.close()
      else {
        sent += chunk.length
        controller.enqueue(chunk)
      }
    },
  })
  return { stream, sent: () => sent }
}

async function errorOf(res: Response): Promise<{ code: string; message: string }> {
  return ((await res.json()) as { error: { code: string; message: string } }).error
}

describe('one body cap for both faces', () => {
  const over = MAX_REQUEST_BYTES + 1

  it('is 4 MiB, the MCP SDK default', () => {
    expect(MAX_REQUEST_BYTES).toBe(4 * 1024 * 1024)
  })

  it('REST: a body just under the cap is served, one byte over is 413 too_large in the envelope', async () => {
    const send = (size: number) =>
      workerFetch(`${BASE}/v1/tools/list_workflows`, {
        method: 'POST',
        headers: { ...auth(), 'Content-Type': 'application/json' },
        body: padded({ limit: 1 }, size),
      })
    expect((await send(MAX_REQUEST_BYTES)).status).toBe(200)
    const res = await send(over)
    expect(res.status).toBe(413)
    expect(await errorOf(res)).toEqual({ code: 'too_large', message: expect.stringContaining('4194304 bytes') })
    const big = await send(20 * 1024 * 1024)
    expect(big.status).toBe(413)
  })

  it('MCP: the same 413 and the same envelope', async () => {
    const body = padded(JSON.parse(mcpCall('list_workflows')), over)
    const res = await workerFetch(`${BASE}/mcp`, { method: 'POST', headers: mcpHeaders(), body })
    expect(res.status).toBe(413)
    expect(await errorOf(res)).toEqual({ code: 'too_large', message: expect.stringContaining('4194304 bytes') })
  })

  it('a chunked body (no Content-Length) is counted as it arrives and refused without reading it all', async () => {
    for (const [path, headers] of [
      ['/v1/tools/list_workflows', { ...auth(), 'Content-Type': 'application/json' }],
      ['/mcp', mcpHeaders()],
    ] as const) {
      const body = chunked('{"limit":1,"pad":"', 64 * 1024 * 1024)
      const res = await workerFetch(`${BASE}${path}`, { method: 'POST', headers, body: body.stream })
      expect(res.status, path).toBe(413)
      expect((await errorOf(res)).code).toBe('too_large')
      // Read up to the cap plus what was already in flight, never the 64 MiB.
      expect(body.sent()).toBeLessThan(MAX_REQUEST_BYTES + 1024 * 1024)
    }
  })

  it('a small chunked body is served as if it had a length', async () => {
    const text = new TextEncoder().encode(JSON.stringify({ limit: 1 }))
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(text.slice(0, 3))
        controller.enqueue(text.slice(3))
        controller.close()
      },
    })
    const res = await workerFetch(`${BASE}/v1/tools/list_workflows`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
      body: stream,
    })
    expect(res.status).toBe(200)
  })
})

describe('REST request shape', () => {
  it('a missing body is 400 naming the body, as the OpenAPI document requires one', async () => {
    const res = await workerFetch(`${BASE}/v1/tools/list_workflows`, { method: 'POST', headers: auth() })
    expect(res.status).toBe(400)
    const error = await errorOf(res)
    expect(error.code).toBe('invalid_input')
    expect(error.message).toMatch(/request body/)
    const typed = await workerFetch(`${BASE}/v1/tools/list_workflows`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json' },
    })
    expect(typed.status).toBe(400)
    expect((await errorOf(typed)).message).toMatch(/request body/)
  })

  it('other methods on a tool route are 405 with Allow: POST; an unknown tool stays 404', async () => {
    for (const method of ['TRACE', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await workerFetch(`${BASE}/v1/tools/list_workflows`, { method, headers: auth() })
      expect(res.status, method).toBe(405)
      expect(res.headers.get('Allow')).toBe('POST')
      expect(await errorOf(res)).toEqual({ code: 'method_not_allowed', message: expect.stringContaining('POST') })
    }
    const unknown = await workerFetch(`${BASE}/v1/tools/no_such_tool`, { method: 'GET', headers: auth() })
    expect(unknown.status).toBe(404)
    expect(await errorOf(unknown)).toEqual({ code: 'not_found', message: 'Tool no_such_tool not found' })
    // An encoded name is decoded as a route parameter would be; a deeper or empty path is no route.
    const encoded = await workerFetch(`${BASE}/v1/tools/list%5Fworkflows`, { method: 'GET', headers: auth() })
    expect(encoded.status).toBe(405)
    for (const path of ['/v1/tools/list_workflows/x', '/v1/tools/', '/v1/tools/a%2Fb/c']) {
      const res = await workerFetch(`${BASE}${path}`, { method: 'POST', headers: auth(), body: '{}' })
      expect(res.status, path).toBe(404)
      expect(await errorOf(res), path).toEqual({ code: 'not_found', message: `no route POST ${path}` })
    }
  })
})

describe('tool names that are members of Object.prototype', () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'no_such_tool']

  it('MCP: every one is the same "not found" as an unknown tool, never "disabled"', async () => {
    const client = await mcpClient({ key: keys().read })
    for (const name of names) {
      const error = await client.callTool({ name, arguments: {} }).then(
        () => undefined,
        (e: unknown) => e as { code?: number; message: string }
      )
      expect(error, name).toMatchObject({ code: -32602, message: expect.stringContaining(`Tool ${name} not found`) })
    }
    await client.close()
    // The 2025 wire, raw, as a client that sends the name unencoded sees it.
    const res = await workerFetch(`${BASE}/mcp`, { method: 'POST', headers: mcpHeaders(), body: mcpCall('__proto__') })
    expect(await res.text()).toContain('Tool __proto__ not found')
  })

  it('REST: the same not-found message, 404', async () => {
    for (const name of names) {
      const res = await workerFetch(`${BASE}/v1/tools/${name}`, {
        method: 'POST',
        headers: { ...auth(), 'Content-Type': 'application/json' },
        body: '{}',
      })
      expect(res.status, name).toBe(404)
      expect(await errorOf(res)).toEqual({ code: 'not_found', message: `Tool ${name} not found` })
    }
  })
})
