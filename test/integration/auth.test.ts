import { describe, expect, it, vi } from 'vitest'
import { tools } from '../../src/tools/index.ts'
import { BASE, keys, mcpClient, rest, workerFetch } from '../helpers/worker-faces.ts'

const protectedRoutes = [
  ...tools.map((t) => ({ method: 'POST', path: `/v1/tools/${t.name}` })),
  { method: 'POST', path: '/mcp' },
  { method: 'GET', path: '/mcp' },
  { method: 'DELETE', path: '/mcp' },
]

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
})

describe('inbound auth on every route', () => {
  for (const route of protectedRoutes) {
    it(`${route.method} ${route.path}: 401 with a challenge without a key, and with a wrong key`, async () => {
      for (const authorization of [undefined, 'Bearer tek_not-a-real-key', `Basic ${btoa('a:b')}`]) {
        const res = await workerFetch(`${BASE}${route.path}`, {
          method: route.method,
          headers: {
            'Content-Type': 'application/json',
            Accept: 'application/json, text/event-stream',
            ...(authorization ? { Authorization: authorization } : {}),
          },
          body: route.method === 'POST' ? (route.path === '/mcp' ? initialize : '{}') : undefined,
        })
        expect(res.status).toBe(401)
        expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer /)
        const body = (await res.json()) as { error: { code: string } }
        expect(body.error.code).toBe('unauthorized')
      }
    })
  }

  it('leaves /health and /openapi.json public', async () => {
    expect((await workerFetch(`${BASE}/health`)).status).toBe(200)
    expect((await workerFetch(`${BASE}/openapi.json`)).status).toBe(200)
  })
})

describe('read-only by default', () => {
  const writeTools = tools.filter((t) => !t.annotations.readOnlyHint && !t.writes)

  it('a read key sees only read-only tools over MCP', async () => {
    const client = await mcpClient({ key: keys().read })
    const listed = (await client.listTools()).tools.map((t) => t.name)
    expect(listed).toEqual(tools.filter((t) => t.annotations.readOnlyHint || t.writes).map((t) => t.name))
    await client.close()
  })

  it('a read key calling a write tool over REST gets 403', async () => {
    expect(writeTools.length).toBeGreaterThan(0)
    for (const tool of writeTools) {
      const res = await rest(tool.name, {}, keys().read)
      expect(res.status).toBe(403)
      expect(res.body.error.message).toMatch(/write scope/)
    }
  })

  it('for a read key over MCP a write tool does not exist: calling it is a protocol error', async () => {
    const client = await mcpClient({ key: keys().read })
    await expect(client.callTool({ name: 'cancel_workflow', arguments: { workflow_id: 1 } })).rejects.toThrow(
      'Tool cancel_workflow not found'
    )
    await client.close()
  })
})

describe('/mcp', () => {
  for (const method of ['GET', 'DELETE']) {
    it(`${method} answers 405 to an authenticated client (stateless: no stream, no session)`, async () => {
      const res = await workerFetch(`${BASE}/mcp`, {
        method,
        headers: { Authorization: `Bearer ${keys().read}`, Accept: 'text/event-stream' },
      })
      expect(res.status).toBe(405)
      expect(res.headers.get('Allow')).toContain('POST')
    })
  }
})

describe('one structured log line per tool call, whatever happens', () => {
  async function logged(call: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await call()
      return log.mock.calls
        .map((c) => String(c[0]))
        .filter((l) => l.includes('"tool_call"'))
        .map((l) => JSON.parse(l))
    } finally {
      log.mockRestore()
    }
  }
  const mcpCall =
    (name: string, args: Record<string, unknown>, key = keys().write) =>
    async () => {
      const client = await mcpClient({ key })
      await client.callTool({ name, arguments: args })
      await client.close()
    }
  const raw = (body: string) => () =>
    workerFetch(`${BASE}/v1/tools/get_workflow_status`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys().read}`, 'Content-Type': 'application/json' },
      body,
    })

  const cases: [string, () => Promise<unknown>, Record<string, unknown>][] = [
    [
      'a REST call Torc answers 404',
      () => rest('get_workflow_status', { workflow_id: 424242 }, keys().read),
      { face: 'rest', outcome: 'not_found', caller: 'test-read' },
    ],
    [
      'REST input the schema refuses',
      () => rest('get_workflow_status', { workflow_id: 'five' }),
      { face: 'rest', outcome: 'invalid_input' },
    ],
    [
      'a REST body that is not JSON',
      raw('{"workflow_id": '),
      { face: 'rest', outcome: 'invalid_input', tool: 'get_workflow_status' },
    ],
    [
      'MCP arguments the schema refuses',
      mcpCall('get_workflow_status', { workflow_id: 'five' }),
      { face: 'mcp', outcome: 'invalid_input' },
    ],
    [
      'a write refused over REST',
      () => rest('cancel_workflow', { workflow_id: 1 }, keys().read),
      { face: 'rest', outcome: 'forbidden', tool: 'cancel_workflow' },
    ],
  ]
  for (const [name, call, expected] of cases) {
    it(name, async () => {
      const lines = await logged(call)
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatchObject({ event: 'tool_call', tool: 'get_workflow_status', ...expected })
      expect(typeof lines[0]!.duration_ms).toBe('number')
      expect(JSON.stringify(lines[0])).not.toContain(keys().read)
      expect(JSON.stringify(lines[0])).not.toContain(keys().write)
    })
  }
})
