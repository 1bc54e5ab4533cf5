import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { BASE, keys, workerFetch } from '../helpers/worker-faces.ts'

/** A tools/list request over MCP (2025-11-25 wire) with the read key and these extra headers. */
const toolsList = (headers: Record<string, string>): RequestInit => ({
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
const listTools = (headers: Record<string, string>, url = `${BASE}/mcp`) => workerFetch(url, toolsList(headers))

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

describe('origin branches', () => {
  const loopbackEnv = { ...env, TORC_EDGE_ALLOWED_HOSTS: '127.0.0.1,localhost,[::1]' }
  const call = (url: string, origin: string, bindings: object) =>
    createApp().request(url, toolsList({ Origin: origin }), bindings)

  it('admits a loopback page calling a loopback server, on any port and loopback name', async () => {
    for (const [url, origin] of [
      ['http://127.0.0.1:8787/mcp', 'http://localhost:6274'],
      ['http://localhost:8787/mcp', 'http://127.0.0.1:5173'],
      ['http://[::1]:8787/mcp', 'http://localhost:6274'],
    ] as const) {
      expect((await call(url, origin, loopbackEnv)).status, `${origin} -> ${url}`).toBe(200)
    }
  })

  it('refuses a loopback page calling a deployment that is not on loopback', async () => {
    expect((await call(`${BASE}/mcp`, 'http://localhost:6274', env)).status).toBe(403)
  })

  it('refuses a non-loopback page calling a loopback server (DNS rebinding from a web page)', async () => {
    expect((await call('http://127.0.0.1:8787/mcp', 'http://localhost.attacker.example', loopbackEnv)).status).toBe(403)
  })

  it('admits exactly the origins in TORC_EDGE_ALLOWED_ORIGINS (entries normalized to origins)', async () => {
    const listed = { ...env, TORC_EDGE_ALLOWED_ORIGINS: 'https://console.example.org/, https://other.example:8443' }
    expect((await call(`${BASE}/mcp`, 'https://console.example.org', listed)).status).toBe(200)
    expect((await call(`${BASE}/mcp`, 'https://other.example:8443', listed)).status).toBe(200)
    for (const origin of [
      'https://other.example',
      'http://console.example.org',
      'https://sub.console.example.org',
      'null',
    ]) {
      const res = await call(`${BASE}/mcp`, origin, listed)
      expect(res.status, origin).toBe(403)
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
        'TORC_EDGE_ALLOWED_ORIGINS'
      )
    }
  })

  it('names a malformed TORC_EDGE_ALLOWED_ORIGINS entry as a configuration error', async () => {
    const res = await call(`${BASE}/mcp`, BASE, { ...env, TORC_EDGE_ALLOWED_ORIGINS: 'console.example.org' })
    expect(res.status).toBe(500)
    const { error } = (await res.json()) as { error: { code: string; message: string } }
    expect(error.code).toBe('internal')
    expect(error.message).toContain('TORC_EDGE_ALLOWED_ORIGINS')
  })

  it('serves the host of TORC_EDGE_PUBLIC_URL and refuses others', async () => {
    const publicEnv = { ...env, TORC_EDGE_ALLOWED_HOSTS: '', TORC_EDGE_PUBLIC_URL: 'https://torc.example.org' }
    expect((await call('https://torc.example.org/mcp', 'https://torc.example.org', publicEnv)).status).toBe(200)
    expect((await call('https://torc-edge.workers.dev/mcp', 'https://torc-edge.workers.dev', publicEnv)).status).toBe(
      403
    )
  })
})
