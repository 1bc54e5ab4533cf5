import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { OAuthAuthorizationServer } from '@cloudflare/workers-oauth-provider'
import { auth } from '@modelcontextprotocol/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import app from '../../src/index.ts'
import { tools } from '../../src/tools/index.ts'
import { keys, workerFetch } from '../helpers/worker-faces.ts'
import {
  accessTeam,
  authorize,
  b64url,
  connect,
  type Fetch,
  MCP_URL,
  mcpOver,
  mcpWith,
  ORIGIN,
  REDIRECT,
  refresh,
  revoke,
  submitConsent,
  TestClient,
  tokenEndpoint,
} from '../helpers/worker-oauth.ts'

const RESOURCE_METADATA = `${ORIGIN}/.well-known/oauth-protected-resource/mcp`

/** What a read grant lists (read-only tools, and tools that write only for some inputs), in registry order. */
const readTools = tools.filter((t) => t.annotations.readOnlyHint || t.writes).map((t) => t.name)
const allTools = tools.map((t) => t.name)
const realFetch = globalThis.fetch

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('discovery', () => {
  it('a 401 on /mcp names the protected-resource metadata; both metadata documents describe the server', async () => {
    const unauthenticated = await mcpWith(undefined)
    expect(unauthenticated.status).toBe(401)
    expect(unauthenticated.challenge).toContain(`resource_metadata="${RESOURCE_METADATA}"`)
    expect(unauthenticated.challenge).toContain('scope="torc:read"')
    expect(JSON.parse(unauthenticated.body)).toMatchObject({ error: { code: 'unauthorized' } })

    for (const url of [RESOURCE_METADATA, `${ORIGIN}/.well-known/oauth-protected-resource`]) {
      const prm = (await (await workerFetch(url)).json()) as Record<string, unknown>
      expect(prm).toMatchObject({
        resource: MCP_URL.href,
        authorization_servers: [ORIGIN],
        scopes_supported: ['torc:read'],
      })
    }
    const asUrl = `${ORIGIN}/.well-known/oauth-authorization-server`
    const as = (await (await workerFetch(asUrl)).json()) as Record<string, unknown>
    expect(as).toMatchObject({
      issuer: ORIGIN,
      authorization_endpoint: `${ORIGIN}/authorize`,
      token_endpoint: `${ORIGIN}/oauth/token`,
      registration_endpoint: `${ORIGIN}/oauth/register`,
      revocation_endpoint: `${ORIGIN}/oauth/token`,
      code_challenge_methods_supported: ['S256'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
      scopes_supported: ['torc:read', 'torc:write'],
    })
    expect(as.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token']))
  })

  it('API keys keep working on /mcp at the same origin', async () => {
    expect((await mcpWith(keys().read)).status).toBe(200)
  })
})

describe('the authorization flow (dynamic client registration)', () => {
  it('registers, asks for consent, issues tokens that call tools, refreshes with rotation, revokes', async () => {
    const client = await connect(keys().write)
    const mcp = await mcpOver(client)
    expect((await mcp.listTools()).tools.map((t) => t.name)).toEqual(allTools)
    const listed = await mcp.callTool({ name: 'list_workflows', arguments: { limit: 5 } })
    expect(listed.isError ?? false, JSON.stringify(listed.content)).toBe(false)
    expect(listed.structuredContent).toHaveProperty('workflows')
    await mcp.close()

    const first = { ...client.saved! }
    expect(await auth(client, { serverUrl: MCP_URL, fetchFn: client.fetch })).toBe('AUTHORIZED')
    const second = { ...client.saved! }
    expect(second.access_token).not.toBe(first.access_token)
    expect(second.refresh_token).not.toBe(first.refresh_token)
    expect((await mcpWith(second.access_token)).status).toBe(200)
    const third = await refresh(client, second.refresh_token)
    expect(third.status).toBe(200)
    expect(third.body.refresh_token).not.toBe(second.refresh_token)
    // (A superseded refresh token presented again ends the grant: oauth-refresh.test.ts.)

    expect((await revoke(client, third.body.access_token, 'access_token')).status).toBe(200)
    const revoked = await mcpWith(third.body.access_token)
    expect(revoked.status).toBe(401)
    expect(revoked.challenge).toContain('error="invalid_token"')
    // Revoking the refresh token ends the grant: its other tokens stop working too.
    expect((await revoke(client, third.body.refresh_token, 'refresh_token')).status).toBe(200)
    expect((await mcpWith(second.access_token)).status).toBe(401)
    expect((await refresh(client, third.body.refresh_token)).status).toBe(400)
  })

  it('a grant made with the read key, or narrowed to read, cannot see or call write tools', async () => {
    for (const connected of [
      await connect(keys().read),
      await connect(keys().write, { fields: { read_only: 'on' } }),
    ]) {
      const mcp = await mcpOver(connected)
      expect((await mcp.listTools()).tools.map((t) => t.name)).toEqual(readTools)
      await mcp.close()
    }
  })

  it('Deny sends access_denied back to the client; a wrong key shows the page again', async () => {
    const client = new TestClient()
    expect(await auth(client, { serverUrl: MCP_URL, fetchFn: client.fetch })).toBe('REDIRECT')
    const wrong = await submitConsent(client.authorizationUrl!, { decision: 'approve', api_key: 'tek_wrong' })
    expect(wrong.res.status).toBe(401)
    expect(await wrong.res.text()).toContain('not a torc-edge API key')
    const denied = await workerFetch(client.authorizationUrl!, {
      method: 'POST',
      headers: { Cookie: wrong.cookie, Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ handle: wrong.handle, decision: 'deny' }),
      redirect: 'manual',
    })
    expect(denied.status).toBe(302)
    const back = new URL(denied.headers.get('Location')!)
    expect(back.searchParams.get('error')).toBe('access_denied')
    expect(back.searchParams.get('iss')).toBe(ORIGIN)
  })

  it('the consent page shows the client, where tokens go, and escapes what the client chose', async () => {
    const client = new TestClient({ name: '<script>alert(1)</script>' })
    expect(await auth(client, { serverUrl: MCP_URL, fetchFn: client.fetch })).toBe('REDIRECT')
    const page = await workerFetch(client.authorizationUrl!)
    const html = await page.text()
    expect(html).not.toContain('<script>alert(1)</script>')
    expect(html).toContain('&lt;script&gt;')
    expect(html).toContain('127.0.0.1')
    expect(html).toContain('an app on your computer')
    expect(page.headers.get('Content-Security-Policy')).toContain("frame-ancestors 'none'")
  })
})

describe('Client ID Metadata Documents', () => {
  it('a client identified by its metadata URL authorizes without registering', async () => {
    const cimdUrl = 'https://client.example/torc-edge/client.json'
    const document = {
      client_id: cimdUrl,
      client_name: 'CIMD test client',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }
    const fetched: string[] = []
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = new Request(input).url
      if (!url.startsWith('https://client.example/')) return realFetch(input, init)
      fetched.push(url)
      return Response.json(document)
    })
    const client = new TestClient({ metadataUrl: cimdUrl })
    const { page } = await authorize(keys().read, { client })
    expect(fetched).toContain(cimdUrl)
    expect(client.info?.client_id ?? cimdUrl).toBe(cimdUrl)
    expect(page).toContain('Published by <strong>client.example</strong>')
  })
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

describe('grant management', () => {
  it('lists the grants made with a key and revokes one, which ends its tokens', async () => {
    const client = await connect(keys().write)
    type Listed = { grants: { id: string; client_id: string; client_name?: string; scope: string[] }[] }
    const list = async (key: string) =>
      (await (
        await workerFetch(`${ORIGIN}/oauth/grants`, { headers: { Authorization: `Bearer ${key}` } })
      ).json()) as Listed
    expect((await workerFetch(`${ORIGIN}/oauth/grants`)).status).toBe(401)
    expect((await list(keys().read)).grants.some((g) => g.client_id === client.clientId)).toBe(false)
    const auth = { Authorization: `Bearer ${keys().write}` }
    const grant = (await list(keys().write)).grants.find((g) => g.client_id === client.clientId)!
    expect(grant).toMatchObject({ client_name: 'torc-edge OAuth test', scope: ['torc:read', 'torc:write'] })
    const revoked = await workerFetch(`${ORIGIN}/oauth/grants/${grant.id}`, { method: 'DELETE', headers: auth })
    expect(await revoked.json()).toEqual({ revoked: grant.id })
    expect((await mcpWith(client.accessToken)).status).toBe(401)
    const again = await workerFetch(`${ORIGIN}/oauth/grants/${grant.id}`, { method: 'DELETE', headers: auth })
    expect(again.status).toBe(404)
  })
})

describe('Cloudflare Access sign-in', () => {
  const team = 'https://torc-team.cloudflareaccess.com'
  const aud = 'torc-edge-aud-tag'
  const accessEnv = {
    ...env,
    TORC_EDGE_ACCESS_TEAM_DOMAIN: team,
    TORC_EDGE_ACCESS_AUD: aud,
    TORC_EDGE_ACCESS_WRITERS: 'Ops@Example.org',
  }

  const behindAccess =
    (assertion: string): Fetch =>
    (input, init) => {
      const request = new Request(input, init)
      request.headers.set('Cf-Access-Jwt-Assertion', assertion)
      return Promise.resolve(app.request(request, undefined, accessEnv, createExecutionContext()))
    }

  it('the Access identity signs in instead of an API key, with the scope TORC_EDGE_ACCESS_WRITERS gives it', async () => {
    const sign = await accessTeam(team, aud)
    const cases = [
      ['ops@example.org', allTools],
      ['guest@example.org', readTools],
    ] as const
    for (const [email, expected] of cases) {
      const client = new TestClient()
      expect(await auth(client, { serverUrl: MCP_URL, fetchFn: client.fetch })).toBe('REDIRECT')
      const fetcher = behindAccess(await sign({ email }))
      const { page, res } = await submitConsent(client.authorizationUrl!, { decision: 'approve' }, fetcher)
      expect(page).toContain(`Signed in through Cloudflare Access as <strong>${email}</strong>`)
      expect(page).not.toContain('name="api_key"')
      expect(res.status).toBe(302)
      const back = new URL(res.headers.get('Location')!)
      const exchange = { authorizationCode: back.searchParams.get('code')!, iss: back.searchParams.get('iss')! }
      expect(await auth(client, { serverUrl: MCP_URL, ...exchange, fetchFn: client.fetch })).toBe('AUTHORIZED')
      const mcp = await mcpOver(client)
      expect((await mcp.listTools()).tools.map((t) => t.name)).toEqual(expected)
      await mcp.close()
    }
    const grants = await behindAccess(await sign({ email: 'ops@example.org' }))(`${ORIGIN}/oauth/grants`)
    expect(((await grants.json()) as { grants: unknown[] }).grants).toHaveLength(1)
  })

  it('an assertion for another audience, expired, or signed by another key is ignored: a key is asked for', async () => {
    const impostor = await accessTeam(team, aud)
    const sign = await accessTeam(team, aud) // publishes its key in place of the impostor's
    const forged = await impostor({ email: 'ops@example.org' })
    const client = new TestClient()
    expect(await auth(client, { serverUrl: MCP_URL, fetchFn: client.fetch })).toBe('REDIRECT')
    for (const assertion of [
      await sign({ email: 'ops@example.org', aud: ['another-app'] }),
      await sign({ email: 'ops@example.org', exp: Math.floor(Date.now() / 1000) - 3600 }),
      forged,
    ]) {
      const page = await (await behindAccess(assertion)(client.authorizationUrl!)).text()
      expect(page).toContain('name="api_key"')
    }
  })
})
