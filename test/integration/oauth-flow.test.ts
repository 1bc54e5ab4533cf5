import { auth } from '@modelcontextprotocol/client'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { keys, workerFetch } from '../helpers/worker-faces.ts'
import {
  authorize,
  connect,
  MCP_URL,
  mcpOver,
  mcpWith,
  ORIGIN,
  REDIRECT,
  refresh,
  revoke,
  submitConsent,
  TestClient,
} from '../helpers/worker-oauth.ts'
import { allTools, readTools } from './oauth-helpers.ts'

/**
 * The OAuth flow an MCP client follows, through the whole Worker: discovery from a 401, dynamic
 * client registration, consent, tokens that call tools, refresh, revocation, Client ID Metadata
 * Documents, and the grants a key lists and revokes.
 */
const RESOURCE_METADATA = `${ORIGIN}/.well-known/oauth-protected-resource/mcp`
const realFetch = globalThis.fetch

afterEach(() => {
  vi.restoreAllMocks()
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
