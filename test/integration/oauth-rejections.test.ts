import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { OAuthAuthorizationServer } from '@cloudflare/workers-oauth-provider'
import { auth } from '@modelcontextprotocol/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { keys, workerFetch } from '../helpers/worker-faces.ts'
import {
  authorize,
  b64url,
  connect,
  MCP_URL,
  mcpWith,
  ORIGIN,
  REDIRECT,
  tokenEndpoint,
} from '../helpers/worker-oauth.ts'

/**
 * What the OAuth server refuses: a token minted for another resource, a reused authorization code,
 * a missing or wrong PKCE verifier (and any challenge but S256), and an expired access token.
 */
afterEach(() => {
  vi.useRealTimers()
})

describe('rejections', () => {
  it('an access token minted for another resource is refused at /mcp and /v1', async () => {
    const other = 'https://other.test/mcp'
    const server = new OAuthAuthorizationServer<Cloudflare.Env>({
      issuer: ORIGIN,
      resources: [MCP_URL.href, other],
      authorizeEndpoint: '/authorize',
      tokenEndpoint: '/oauth/token',
      scopesSupported: ['torc:read', 'torc:write'],
    })
    const api = server.getOAuthApi(env)
    const registered = await api.createClient({ redirectUris: [REDIRECT], tokenEndpointAuthMethod: 'none' })
    const verifier = 'v'.repeat(64)
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: registered.clientId,
      redirect_uri: REDIRECT,
      code_challenge: b64url(new Uint8Array(digest)),
      code_challenge_method: 'S256',
      resource: other,
      scope: 'torc:read torc:write',
    })
    const { redirectTo } = await api.completeAuthorization({
      request: await api.parseAuthRequest(new Request(`${ORIGIN}/authorize?${query}`)),
      userId: 'key.test-write',
      metadata: {},
      scope: ['torc:read', 'torc:write'],
      props: { id: 'test-write', scope: 'write' },
    })
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: new URL(redirectTo).searchParams.get('code')!,
      code_verifier: verifier,
      client_id: registered.clientId,
      redirect_uri: REDIRECT,
    })
    const exchanged = await server.fetch(
      new Request(`${ORIGIN}/oauth/token`, { method: 'POST', body }),
      env,
      createExecutionContext()
    )
    const token = (await exchanged.json()) as { access_token: string; resource: string }
    expect(token.resource).toBe(other)
    const refused = await mcpWith(token.access_token)
    expect(refused.status).toBe(401)
    expect(refused.challenge).toContain('error="invalid_token"')
    // Nor at /v1, which takes the same tokens as /mcp (this deployment's resource) and no others.
    const rest = await workerFetch(`${ORIGIN}/v1/tools/list_workflows`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token.access_token}`, 'Content-Type': 'application/json' },
      body: '{}',
    })
    expect(rest.status).toBe(401)
    // And this Worker will not start an authorization for a resource it does not serve.
    const foreign = await workerFetch(`${ORIGIN}/authorize?${query}`, { redirect: 'manual' })
    expect(foreign.status).toBe(302)
    expect(new URL(foreign.headers.get('Location')!).searchParams.get('error')).toBe('invalid_target')
  })

  it('a reused authorization code is refused and ends the grant it made', async () => {
    const { client, code, iss } = await authorize(keys().read)
    expect(await auth(client, { serverUrl: MCP_URL, authorizationCode: code, iss, fetchFn: client.fetch })).toBe(
      'AUTHORIZED'
    )
    const replay = await tokenEndpoint({
      grant_type: 'authorization_code',
      code,
      code_verifier: client.verifier,
      client_id: client.clientId,
      redirect_uri: REDIRECT,
    })
    expect(replay).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect((await mcpWith(client.accessToken)).status).toBe(401)
  })

  it('PKCE: a missing or wrong verifier is refused, and only S256 challenges are accepted', async () => {
    const { client, code } = await authorize(keys().read)
    const exchange = { grant_type: 'authorization_code', code, client_id: client.clientId, redirect_uri: REDIRECT }
    expect(await tokenEndpoint(exchange)).toMatchObject({ status: 400, body: { error: 'invalid_request' } })
    const wrong = await tokenEndpoint({ ...exchange, code_verifier: 'w'.repeat(64) })
    expect(wrong).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })

    const url = new URL(client.authorizationUrl!)
    url.searchParams.set('code_challenge_method', 'plain')
    const plain = await workerFetch(url, { redirect: 'manual' })
    expect(plain.status).toBe(302)
    expect(new URL(plain.headers.get('Location')!).searchParams.get('error')).toBe('invalid_request')
    url.searchParams.delete('code_challenge')
    url.searchParams.delete('code_challenge_method')
    const missing = await workerFetch(url, { redirect: 'manual' })
    expect(new URL(missing.headers.get('Location')!).searchParams.get('error')).toBe('invalid_request')
  })

  it('an expired access token is refused', async () => {
    const client = await connect(keys().read)
    expect((await mcpWith(client.accessToken)).status).toBe(200)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 3600_000 + 120_000)
    const expired = await mcpWith(client.accessToken)
    expect(expired.status).toBe(401)
    expect(expired.challenge).toContain('error="invalid_token"')
  })
})
