import { env } from 'cloudflare:workers'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { keys } from '../helpers/worker-faces.ts'

/**
 * When Torc itself fails, both faces say so in the one taxonomy, naming no address. Torc down is a
 * closed loopback port; a hung tunnel is a service binding that never answers (the one thing here
 * that stands in for Cloudflare's side).
 */
type Overrides = Record<string, unknown>
const hung = {
  fetch: (req: Request) =>
    new Promise<Response>((_, reject) => req.signal.addEventListener('abort', () => reject(req.signal.reason))),
}
const scenarios: [string, Overrides, { status: number; code: string; message: RegExp }][] = [
  [
    'Torc down',
    { TORC_API_URL: 'http://127.0.0.1:9/torc-service/v1' },
    {
      status: 502,
      code: 'upstream_unavailable',
      message: /^Torc is unreachable \(GET \/workflows\/1\)/,
    },
  ],
  [
    'Torc hung behind the tunnel',
    { TORC: hung, TORC_TIMEOUT_MS: '200' },
    {
      status: 504,
      code: 'upstream_timeout',
      message: /^Torc did not answer GET \/workflows\/1 within 200 ms$/,
    },
  ],
]

const app = createApp()
const call = (overrides: Overrides) => (input: RequestInfo | URL, init?: RequestInit) =>
  Promise.resolve(app.request(new Request(input, init), undefined, { ...env, ...overrides }))

describe('Torc failing, seen through REST and MCP', () => {
  for (const [name, overrides, expected] of scenarios) {
    it(`${name}: REST ${expected.status} ${expected.code}, MCP isError with the same message`, {
      timeout: 30_000,
    }, async () => {
      const res = await call(overrides)('http://edge.test/v1/tools/get_workflow_status', {
        method: 'POST',
        headers: { Authorization: `Bearer ${keys().read}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ workflow_id: 1 }),
      })
      expect(res.status).toBe(expected.status)
      const body = (await res.json()) as { error: { code: string; message: string } }
      expect(body.error.code).toBe(expected.code)
      expect(body.error.message).toMatch(expected.message)

      const client = new Client({ name: 'upstream-test', version: '1.0.0' })
      await client.connect(
        new StreamableHTTPClientTransport(new URL('http://edge.test/mcp'), {
          fetch: call(overrides),
          requestInit: { headers: { Authorization: `Bearer ${keys().read}` } },
        })
      )
      const result = await client.callTool({ name: 'get_workflow_status', arguments: { workflow_id: 1 } })
      await client.close()
      expect(result.isError).toBe(true)
      expect(result.content).toEqual([{ type: 'text', text: `${expected.code}: ${body.error.message}` }])
    })
  }
})
