import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { auth, Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { afterEach, describe, expect, inject, it, vi } from 'vitest'
import app from '../../src/index.ts'
import { keys } from '../helpers/worker-faces.ts'
import { accessTeam, MCP_URL, ORIGIN, submitConsent, TestClient } from '../helpers/worker-oauth.ts'
import { torcApi } from '../helpers/worker-torc.ts'

/**
 * Who owns a workflow create_workflow makes: the caller's identity when the credential carries one
 * (an OAuth grant signed in through Cloudflare Access acts as that email), else TORC_USERNAME, else
 * the `user` argument, else the API key's id. Every request goes through the whole Worker (auth,
 * OAuth, MCP or REST) with the environment each case needs, against the real torc-server.
 */
const TEAM = 'https://torc-team.cloudflareaccess.com'
const AUD = 'torc-edge-aud-tag'

type Env = Record<string, unknown>
const fetchWith =
  (extra: Env) =>
  (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
    Promise.resolve(app.request(new Request(input, init), undefined, { ...env, ...extra }, createExecutionContext()))

const SPEC = (name: string) => JSON.stringify({ name, jobs: [{ name: 'only', command: 'echo hi' }] })
const ownerOf = async (id: number) => (await torcApi<{ user: string }>('GET', `/workflows/${id}`)).user

/** The write key's id, as TORC_EDGE_API_KEYS names it (`<id>:<scope>:<sha256>`). */
const writeKeyId = () =>
  inject('apiKeys')
    .split(',')
    .map((e) => e.split(':'))
    .find(([, scope]) => scope === 'write')?.[0]

type Confirm = { tool: string; arguments: Record<string, unknown> }

/** create_workflow previews the creation; its confirm call (confirm_create_workflow) creates it. */
async function restCreate(name: string, extraEnv: Env, user?: string): Promise<number> {
  const call = async (tool: string, args: Record<string, unknown>) => {
    const res = await fetchWith(extraEnv)(`${ORIGIN}/v1/tools/${tool}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys().write}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(args),
    })
    const body = (await res.json()) as { confirm: Confirm | null; applied: { workflow_id: number } | null }
    expect(res.status, JSON.stringify(body)).toBe(200)
    return body
  }
  const preview = await call('create_workflow', {
    spec: SPEC(name),
    action: 'create_workflow',
    ...(user ? { user } : {}),
  })
  expect(preview.confirm?.tool).toBe('confirm_create_workflow')
  const made = await call(preview.confirm!.tool, preview.confirm!.arguments)
  return made.applied!.workflow_id
}

async function mcpCreate(token: string, name: string, extraEnv: Env, user?: string): Promise<number> {
  const client = new Client(
    { name: 'identity-tests', version: '1.0.0' },
    { versionNegotiation: { mode: { pin: '2026-07-28' } } }
  )
  await client.connect(
    new StreamableHTTPClientTransport(MCP_URL, {
      fetch: fetchWith(extraEnv),
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    })
  )
  const preview = await client.callTool({
    name: 'create_workflow',
    arguments: { spec: SPEC(name), action: 'create_workflow', ...(user ? { user } : {}) },
  })
  expect(preview.isError ?? false, JSON.stringify(preview.content)).toBe(false)
  const confirm = (preview.structuredContent as { confirm: Confirm | null }).confirm
  expect(confirm?.tool).toBe('confirm_create_workflow')
  const result = await client.callTool({ name: confirm!.tool, arguments: confirm!.arguments })
  await client.close()
  expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false)
  return (result.structuredContent as { applied: { workflow_id: number } }).applied.workflow_id
}

/**
 * The whole OAuth flow: discovery and registration, the consent page approved by `fields` (an API
 * key) or by the Access identity the `assertion` carries, then the code exchange. Returns the token.
 */
async function oauthToken(options: { assertion?: string; fields?: Record<string, string> }): Promise<string> {
  const client = new TestClient({ name: 'identity tests' })
  const plain = fetchWith({})
  expect(await auth(client, { serverUrl: MCP_URL, fetchFn: plain })).toBe('REDIRECT')
  const consentEnv = {
    TORC_EDGE_ACCESS_TEAM_DOMAIN: TEAM,
    TORC_EDGE_ACCESS_AUD: AUD,
    TORC_EDGE_ACCESS_WRITERS: 'jane.doe@example.org',
  }
  const browser = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init)
    if (options.assertion) request.headers.set('Cf-Access-Jwt-Assertion', options.assertion)
    return fetchWith(consentEnv)(request)
  }
  const { res } = await submitConsent(client.authorizationUrl!, { decision: 'approve', ...options.fields }, browser)
  expect(res.status, await res.clone().text()).toBe(302)
  const back = new URL(res.headers.get('Location')!)
  const exchange = { authorizationCode: back.searchParams.get('code')!, iss: back.searchParams.get('iss') ?? undefined }
  expect(await auth(client, { serverUrl: MCP_URL, ...exchange, fetchFn: plain })).toBe('AUTHORIZED')
  return client.accessToken
}

describe('create_workflow: who owns the new workflow', () => {
  afterEach(() => vi.restoreAllMocks())

  it('an Access identity (OAuth grant) is the owner, over TORC_USERNAME and the user argument', async () => {
    const sign = await accessTeam(TEAM, AUD)
    const token = await oauthToken({ assertion: await sign({ email: 'jane.doe@example.org' }) })
    vi.restoreAllMocks()
    const id = await mcpCreate(token, 'owner-access', { TORC_USERNAME: 'svc_torc' }, 'alice')
    expect(await ownerOf(id)).toBe('jane.doe')
  })

  it('TORC_USERNAME is the owner when the credential carries no identity (API key or a key-made grant)', async () => {
    expect(await ownerOf(await restCreate('owner-configured', { TORC_USERNAME: 'svc_torc' }, 'alice'))).toBe('svc_torc')
    const token = await oauthToken({ fields: { api_key: keys().write } })
    expect(
      await ownerOf(await mcpCreate(token, 'owner-grant-configured', { TORC_USERNAME: 'svc_torc' }, 'alice'))
    ).toBe('svc_torc')
  })

  it('else the user argument, else the API key id', async () => {
    expect(await ownerOf(await restCreate('owner-argument', {}, 'alice'))).toBe('alice')
    const token = await oauthToken({ fields: { api_key: keys().write } })
    expect(await ownerOf(await mcpCreate(token, 'owner-grant-argument', {}, 'bob'))).toBe('bob')
    expect(await ownerOf(await restCreate('owner-key', {}))).toBe(writeKeyId())
  })
})
