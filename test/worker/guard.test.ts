import { describe, expect, it } from 'vitest'
import { BASE, keys, workerFetch } from '../helpers/worker-faces.ts'

const listTools = (headers: Record<string, string>, url = `${BASE}/mcp`) =>
  workerFetch(url, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${keys().read}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-11-25',
      ...headers,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  })

describe('DNS rebinding and origin protection', () => {
  it('refuses a forged Host with 403', async () => {
    const res = await listTools({}, 'http://rebound.attacker.example/mcp')
    expect(res.status).toBe(403)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('rebound.attacker.example')
  })

  it('refuses a foreign browser Origin with 403, allows same-origin requests', async () => {
    expect((await listTools({ Origin: 'https://attacker.example' })).status).toBe(403)
    expect((await listTools({ Origin: BASE })).status).toBe(200)
  })
})
