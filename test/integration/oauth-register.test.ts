import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { workerFetch } from '../helpers/worker-faces.ts'
import { ORIGIN, REDIRECT } from '../helpers/worker-oauth.ts'

/**
 * Dynamic client registration is open, so its size and rate are capped (src/oauth/registration.ts):
 * field sizes refused with a 400 naming the field, bodies over 16 KiB refused, and 10 registrations
 * per minute per client address through the Workers Rate Limiting binding of wrangler.toml (which
 * miniflare runs here as Cloudflare runs it: per location, in one process).
 */
const address = () =>
  `2001:db8::${[...crypto.getRandomValues(new Uint16Array(3))].map((n) => n.toString(16)).join(':')}`
const CLAUDE_LIKE = {
  client_name: 'Claude',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
}

async function register(metadata: unknown, from = address(), init: RequestInit = {}) {
  const res = await workerFetch(`${ORIGIN}/oauth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': from },
    body: JSON.stringify(metadata),
    ...init,
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, string> }
}

describe('registration field caps', () => {
  it('a real client’s metadata registers', async () => {
    const ok = await register(CLAUDE_LIKE)
    expect(ok.status).toBe(201)
    expect(ok.body.client_name).toBe('Claude')
  })

  it('each over-size field is refused with a 400 naming it, and nothing is stored', async () => {
    const long = (n: number) => 'x'.repeat(n)
    const cases: [Record<string, unknown>, string][] = [
      [{ client_name: long(201) }, 'client_name is too long: 201 characters (at most 200)'],
      [{ redirect_uris: Array.from({ length: 11 }, (_, i) => `${REDIRECT}/${i}`) }, 'redirect_uris has 11 entries'],
      [{ redirect_uris: [`${REDIRECT}?${long(2000)}`] }, 'redirect_uris is too long'],
      [{ client_uri: `https://client.example/${long(2000)}` }, 'client_uri is too long'],
      [{ logo_uri: `https://client.example/${long(2000)}.png` }, 'logo_uri is too long'],
      [{ contacts: Array.from({ length: 11 }, (_, i) => `ops${i}@client.example`) }, 'contacts has 11 entries'],
      [{ 'client_name#fr': long(300) }, 'client_name#fr is too long'],
      [Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`client_name#x${i}`, 'n'])), 'localized fields'],
    ]
    const before = (await env.OAUTH_KV.list({ prefix: 'client:' })).keys.length
    for (const [fields, message] of cases) {
      const refused = await register({ ...CLAUDE_LIKE, ...fields })
      expect(refused.status, message).toBe(400)
      expect(refused.body.error).toBe('invalid_client_metadata')
      expect(refused.body.error_description).toContain(message)
    }
    expect((await env.OAUTH_KV.list({ prefix: 'client:' })).keys.length).toBe(before)
  })

  it('the 1 MB client_name of the issue is refused unread (413), and so is a streamed body over 16 KiB', async () => {
    const huge = await register({ ...CLAUDE_LIKE, client_name: 'x'.repeat(1024 * 1024) })
    expect(huge.status).toBe(413)
    expect(huge.body).toMatchObject({ error: 'invalid_request' })
    expect(huge.body.error_description).toContain('at most 16384')

    // No Content-Length (chunked): the library reads it, the registration callback measures it.
    const text = JSON.stringify({ ...CLAUDE_LIKE, software_statement: 'x'.repeat(20_000) })
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text))
        controller.close()
      },
    })
    const streamed = await register(undefined, address(), { body: stream })
    expect(streamed.status).toBe(400)
    expect(streamed.body.error_description).toMatch(/registration metadata is \d+ bytes \(at most 16384\)/)
  })
})

describe('registration rate limit (Workers Rate Limiting binding OAUTH_REGISTER_LIMIT)', () => {
  it('50 registrations at once from one address: 10 are stored, the rest get 429 with Retry-After', async () => {
    const from = address()
    const results = await Promise.all(Array.from({ length: 50 }, () => register(CLAUDE_LIKE, from)))
    const created = results.filter((r) => r.status === 201)
    const limited = results.filter((r) => r.status === 429)
    expect(created).toHaveLength(10)
    expect(limited).toHaveLength(40)
    expect(limited[0]!.body.error).toBe('rate_limited')
    expect(limited[0]!.body.error_description).toContain(from)
    expect(limited[0]!.headers.get('Retry-After')).toBe('60')
    // Another address is not affected.
    expect((await register(CLAUDE_LIKE)).status).toBe(201)
  })
})
