import { auth, Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { expect, vi } from 'vitest'
import { MemoryOAuthProvider } from './oauth-memory.ts'
import { workerFetch } from './worker-faces.ts'

/** OAuth needs https (or loopback http), so OAuth tests talk to the Worker as https://edge.test. */
export const ORIGIN = 'https://edge.test'
export const MCP_URL = new URL(`${ORIGIN}/mcp`)
export const REDIRECT = 'http://127.0.0.1:43117/callback'

export type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>

export const b64url = (bytes: Uint8Array | string) =>
  btoa(typeof bytes === 'string' ? bytes : String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')

/** A documentation address (RFC 3849) of its own for each client: registrations are limited per address. */
const documentationAddress = () =>
  `2001:db8::${[...crypto.getRandomValues(new Uint16Array(2))].map((n) => n.toString(16)).join(':')}`

/** An MCP client's OAuth state, kept in memory; `authorizationUrl` is where it sends the browser. */
export class TestClient extends MemoryOAuthProvider {
  /** Where its requests come from, as Cloudflare's edge reports it (CF-Connecting-IP). */
  readonly address = documentationAddress()
  /** The Worker, in-process, as reached from `address`. */
  readonly fetch: Fetch = (input, init) => {
    const request = new Request(input, init)
    request.headers.set('CF-Connecting-IP', this.address)
    return workerFetch(request)
  }
  readonly clientMetadataUrl?: string
  constructor(options: { metadataUrl?: string; name?: string } = {}) {
    super(REDIRECT, options.name ?? 'torc-edge OAuth test')
    this.clientMetadataUrl = options.metadataUrl
  }
  get clientId(): string {
    return this.info?.client_id ?? this.clientMetadataUrl ?? ''
  }
  get accessToken(): string {
    return this.saved?.access_token ?? ''
  }
}

/** Discovery, registration and the consent form: the authorization code, not yet exchanged. */
export async function authorize(key: string, options: { client?: TestClient; fields?: Record<string, string> } = {}) {
  const client = options.client ?? new TestClient()
  expect(await auth(client, { serverUrl: MCP_URL, fetchFn: client.fetch })).toBe('REDIRECT')
  const fields = { decision: 'approve', api_key: key, ...options.fields }
  const { res, page } = await submitConsent(client.authorizationUrl!, fields)
  expect(res.status, await res.clone().text()).toBe(302)
  const back = new URL(res.headers.get('Location')!)
  expect(`${back.origin}${back.pathname}`).toBe(REDIRECT)
  return { client, page, code: back.searchParams.get('code')!, iss: back.searchParams.get('iss') ?? undefined }
}

/** The whole flow: a client holding an access and a refresh token for /mcp. */
export async function connect(key: string, options: { client?: TestClient; fields?: Record<string, string> } = {}) {
  const { client, code, iss } = await authorize(key, options)
  const exchanged = await auth(client, { serverUrl: MCP_URL, authorizationCode: code, iss, fetchFn: client.fetch })
  expect(exchanged).toBe('AUTHORIZED')
  expect(client.accessToken).toMatch(/^[^:]+:[^:]+:[^:]+$/)
  return client
}

/** The MCP client SDK over Streamable HTTP, authorized by the client's tokens. */
export async function mcpOver(client: TestClient): Promise<Client> {
  const mcp = new Client(
    { name: 'torc-edge-oauth-tests', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } }
  )
  await mcp.connect(new StreamableHTTPClientTransport(MCP_URL, { authProvider: client, fetch: client.fetch }))
  return mcp
}

/** A raw /mcp call with a bearer token: the status and the challenge. */
export async function mcpWith(token: string | undefined, url = MCP_URL.href) {
  const res = await workerFetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-11-25',
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  })
  return { status: res.status, challenge: res.headers.get('WWW-Authenticate') ?? '', body: await res.text() }
}

/** A form post to the token endpoint (code exchange, refresh, revocation). */
export async function tokenEndpoint(params: Record<string, string>) {
  const res = await workerFetch(`${ORIGIN}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  })
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, string> }
}

export const refresh = (client: TestClient, token: string | undefined) =>
  tokenEndpoint({ grant_type: 'refresh_token', refresh_token: token ?? '', client_id: client.clientId })
export const revoke = (client: TestClient, token: string | undefined, hint: 'access_token' | 'refresh_token') =>
  tokenEndpoint({ token: token ?? '', token_type_hint: hint, client_id: client.clientId })

/** Plays the operator's browser: opens the consent page, then posts its form back with the cookie. */
export async function submitConsent(url: URL, fields: Record<string, string>, fetcher: Fetch = workerFetch) {
  const page = await fetcher(url, { headers: { Accept: 'text/html' } })
  const html = await page.text()
  expect(page.status, html).toBe(200)
  expect(page.headers.get('X-Frame-Options')).toBe('DENY')
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1] ?? ''
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const res = await fetcher(url, {
    method: 'POST',
    headers: { Cookie: cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ handle, ...fields }),
    redirect: 'manual',
  })
  return { page: html, res, cookie, handle }
}

/**
 * Cloudflare Access's side (Cloudflare's edge cannot run here): a signing key whose certs the
 * Worker fetches from `team`, and a signer of assertions for `aud` with the given claims.
 */
export async function accessTeam(team: string, aud: string) {
  const realFetch = globalThis.fetch
  const pair = (await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify']
  )) as CryptoKeyPair
  const jwk = { ...((await crypto.subtle.exportKey('jwk', pair.publicKey)) as JsonWebKey), kid: 'kid-1' }
  vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) =>
    new Request(input).url === `${team}/cdn-cgi/access/certs` ? Response.json({ keys: [jwk] }) : realFetch(input, init)
  )
  return async (claims: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000)
    const header = b64url(JSON.stringify({ alg: 'RS256', kid: 'kid-1' }))
    const body = `${header}.${b64url(JSON.stringify({ iss: team, aud: [aud], exp: now + 600, ...claims }))}`
    const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, new TextEncoder().encode(body))
    return `${body}.${b64url(new Uint8Array(signature))}`
  }
}
