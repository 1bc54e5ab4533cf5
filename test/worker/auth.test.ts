import { describe, expect, it, vi } from 'vitest'
import { tools } from '../../src/tools/index.ts'
import { BASE, keys, mcpClient, rest, workerFetch } from '../helpers/worker-faces.ts'

const protectedRoutes = [
  ...tools.map((t) => ({ method: 'POST', path: `/v1/tools/${t.name}` })),
  { method: 'POST', path: '/mcp' },
  { method: 'GET', path: '/mcp' },
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

  it.skipIf(writeTools.length === 0)('a read key calling a write tool over REST gets 403', async () => {
    for (const tool of writeTools) {
      const res = await rest(tool.name, {}, keys().read)
      expect(res.status).toBe(403)
      expect(res.body.error.message).toMatch(/write scope/)
    }
  })

  it('logs one structured line per tool call, without the key', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await rest('get_workflow_status', { workflow_id: 424242 }, keys().read)
      const lines = log.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('"tool_call"'))
      expect(lines).toHaveLength(1)
      const line = JSON.parse(lines[0]!)
      expect(line).toMatchObject({ tool: 'get_workflow_status', caller: 'test-read', face: 'rest', outcome: 'not_found' })
      expect(typeof line.duration_ms).toBe('number')
      expect(lines[0]).not.toContain(keys().read)
    } finally {
      log.mockRestore()
    }
  })
})
