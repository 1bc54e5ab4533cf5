import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client'
import { expect, vi } from 'vitest'
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

/** An MCP client's OAuth state, kept in memory; `authorizationUrl` is where it sends the browser. */
export class TestClient implements OAuthClientProvider {
  info?: StoredOAuthClientInformation
  saved?: StoredOAuthTokens
  verifier = ''
  discovery?: OAuthDiscoveryState
  authorizationUrl?: URL
  readonly clientMetadataUrl?: string
  readonly name: string
  constructor(options: { metadataUrl?: string; name?: string } = {}) {
    this.clientMetadataUrl = options.metadataUrl
    this.name = options.name ?? 'torc-edge OAuth test'
  }
  get redirectUrl() {
    return REDIRECT
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: this.name, redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none' }
  }
  clientInformation() {
    return this.info
  }
  saveClientInformation(info: StoredOAuthClientInformation) {
    this.info = info
  }
  tokens() {
    return this.saved
  }
  saveTokens(tokens: StoredOAuthTokens) {
    this.saved = tokens
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier
  }
  codeVerifier() {
    return this.verifier
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state
  }
  discoveryState() {
    return this.discovery
  }
  get clientId(): string {
    return this.info?.client_id ?? this.clientMetadataUrl ?? ''
  }
  get accessToken(): string {
    return this.saved?.access_token ?? ''
  }
}

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
