import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import app from '../../src/index.ts'
import { keys } from '../helpers/worker-faces.ts'

/**
 * CORS for browser MCP clients: /mcp (and the OAuth endpoints) answer preflights before
 * authentication for origins the deployment admits, and expose the headers discovery needs; foreign
 * origins get 403 and no CORS headers. The production Worker (src/index.ts, OAuth mounted), https
 * so that OAuth is on.
 */
const EDGE = 'https://edge.test'
const CONSOLE = 'https://console.example.org'
const corsEnv = { ...env, TORC_EDGE_ALLOWED_ORIGINS: `${CONSOLE}/` }
const send = (url: string, init: RequestInit, bindings: object = corsEnv) => app.request(url, init, bindings)

const preflight = (url: string, origin: string, bindings?: object) =>
  send(
    url,
    {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,content-type,mcp-protocol-version',
      },
    },
    bindings
  )

const listTools = (origin: string, key?: string) =>
  send(`${EDGE}/mcp`, {
    method: 'POST',
    headers: {
      Origin: origin,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-11-25',
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  })

const list = (header: string | null) => (header ?? '').split(',').map((h) => h.trim().toLowerCase())

describe('CORS preflight on /mcp', () => {
  it('is answered before authentication for an origin in TORC_EDGE_ALLOWED_ORIGINS', async () => {
    const res = await preflight(`${EDGE}/mcp`, CONSOLE)
    expect(res.status).toBe(204)
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(CONSOLE)
    expect(list(res.headers.get('Access-Control-Allow-Methods'))).toContain('post')
    expect(list(res.headers.get('Access-Control-Allow-Headers'))).toEqual(
      expect.arrayContaining([
        'authorization',
        'content-type',
        'mcp-protocol-version',
        'mcp-session-id',
        'last-event-id',
      ])
    )
    expect(list(res.headers.get('Vary'))).toContain('origin')
    // Bearer tokens only: a cross-origin page never gets to send cookies.
    expect(res.headers.get('Access-Control-Allow-Credentials')).toBeNull()
  })

  it('is refused (403, no CORS headers) for any other origin', async () => {
    for (const origin of [
      'https://attacker.example',
      'https://console.example.org.attacker.example',
      'http://console.example.org',
      'null',
    ]) {
      const res = await preflight(`${EDGE}/mcp`, origin)
      expect(res.status, origin).toBe(403)
      expect(res.headers.get('Access-Control-Allow-Origin'), origin).toBeNull()
    }
  })

  it('admits a loopback page calling a loopback server (the MCP Inspector web UI against npm run dev)', async () => {
    const loopbackEnv = { ...env, TORC_EDGE_ALLOWED_HOSTS: '127.0.0.1,localhost' }
    const res = await preflight('http://127.0.0.1:8787/mcp', 'http://localhost:6274', loopbackEnv)
    expect(res.status).toBe(204)
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe('http://localhost:6274')
  })
})

describe('CORS on /mcp answers', () => {
  it('lets an allowed page read the 401 challenge (WWW-Authenticate names the OAuth metadata)', async () => {
    const res = await listTools(CONSOLE)
    expect(res.status).toBe(401)
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(CONSOLE)
    expect(list(res.headers.get('Access-Control-Expose-Headers'))).toEqual(
      expect.arrayContaining(['www-authenticate', 'mcp-protocol-version'])
    )
    expect(res.headers.get('WWW-Authenticate')).toContain(
      `resource_metadata="${EDGE}/.well-known/oauth-protected-resource/mcp"`
    )
  })

  it('lets an allowed page read a successful answer', async () => {
    const res = await listTools(CONSOLE, keys().read)
    expect(res.status).toBe(200)
    expect(res.headers.get('Access-Control-Allow-Origin')).toBe(CONSOLE)
    expect(await res.text()).toContain('list_workflows')
  })

  it('is absent where no browser client needs it (REST, OpenAPI, health)', async () => {
    const rest = await send(`${EDGE}/v1/tools/list_workflows`, {
      method: 'POST',
      headers: { Origin: CONSOLE, Authorization: `Bearer ${keys().read}`, 'Content-Type': 'application/json' },
      body: '{}',
    })
    expect(rest.status).toBe(200)
    expect(rest.headers.get('Access-Control-Allow-Origin')).toBeNull()
    for (const path of ['/openapi.json', '/health']) {
      const res = await send(`${EDGE}${path}`, { headers: { Origin: CONSOLE } })
      expect(res.headers.get('Access-Control-Allow-Origin'), path).toBeNull()
    }
    const restPreflight = await preflight(`${EDGE}/v1/tools/list_workflows`, CONSOLE)
    expect(restPreflight.headers.get('Access-Control-Allow-Origin')).toBeNull()
  })
})

describe('CORS on the OAuth endpoints a browser client calls', () => {
  const endpoints = [
    '/.well-known/oauth-protected-resource/mcp',
    '/.well-known/oauth-authorization-server',
    '/oauth/token',
    '/oauth/register',
  ]

  it('answers the preflight for an allowed origin', async () => {
    for (const path of endpoints) {
      const res = await preflight(`${EDGE}${path}`, CONSOLE)
      expect(res.status, path).toBeLessThan(300)
      expect(res.headers.get('Access-Control-Allow-Origin'), path).toBe(CONSOLE)
    }
    const metadata = await send(`${EDGE}/.well-known/oauth-protected-resource/mcp`, { headers: { Origin: CONSOLE } })
    expect(metadata.status).toBe(200)
    expect(metadata.headers.get('Access-Control-Allow-Origin')).toBe(CONSOLE)
  })

  it('refuses a foreign origin before the OAuth library sees it', async () => {
    for (const path of endpoints) {
      const res = await preflight(`${EDGE}${path}`, 'https://attacker.example')
      expect(res.status, path).toBe(403)
      expect(res.headers.get('Access-Control-Allow-Origin'), path).toBeNull()
    }
  })
})
