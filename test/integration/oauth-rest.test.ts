import { describe, expect, it } from 'vitest'
import { keys, workerFetch } from '../helpers/worker-faces.ts'
import { connect, ORIGIN, refresh, revoke, submitConsent, tokenEndpoint } from '../helpers/worker-oauth.ts'

/**
 * OAuth access tokens on the REST face (GPT Actions with per-user sign-in). ChatGPT cannot run
 * here: the GPT Action is played by its requests as OpenAI documents them (a confidential client
 * registered by the operator, client_secret_post, no `resource`, no PKCE), against the real Worker.
 */
const GPT_CALLBACK = 'https://chatgpt.com/aip/g-0123456789abcdef/oauth/callback'
const WRITE_TOOL = 'cancel_workflow'

async function rest(tool: string, token: string, input: unknown = {}) {
  const res = await workerFetch(`${ORIGIN}/v1/tools/${tool}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(input),
  })
  return { status: res.status, body: (await res.json()) as any, challenge: res.headers.get('WWW-Authenticate') ?? '' }
}

/** The operator registers the GPT as a confidential client (src/oauth/README.md). */
async function registerGpt() {
  const res = await workerFetch(`${ORIGIN}/oauth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'CF-Connecting-IP': '2001:db8::6a7' },
    body: JSON.stringify({
      client_name: 'Torc GPT',
      redirect_uris: [GPT_CALLBACK],
      token_endpoint_auth_method: 'client_secret_post',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    }),
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { client_id: string; client_secret: string }
}

/** What ChatGPT does when a user first calls the action: authorize (in their browser), then exchange. */
async function gptSignIn(key: string, fields: Record<string, string> = {}) {
  const gpt = await registerGpt()
  const state = crypto.randomUUID()
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: gpt.client_id,
    redirect_uri: GPT_CALLBACK,
    state,
    scope: 'torc:read torc:write',
  })
  const { res } = await submitConsent(new URL(`${ORIGIN}/authorize?${query}`), {
    decision: 'approve',
    api_key: key,
    ...fields,
  })
  expect(res.status, await res.clone().text()).toBe(302)
  const back = new URL(res.headers.get('Location')!)
  expect(`${back.origin}${back.pathname}`).toBe(GPT_CALLBACK)
  expect(back.searchParams.get('state')).toBe(state)
  const tokens = await tokenEndpoint({
    grant_type: 'authorization_code',
    code: back.searchParams.get('code')!,
    redirect_uri: GPT_CALLBACK,
    client_id: gpt.client_id,
    client_secret: gpt.client_secret,
  })
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200)
  return { gpt, tokens: tokens.body }
}

describe('OAuth access tokens on /v1 (GPT Actions)', () => {
  it('a GPT Action signed in with a read key calls read tools; write tools are refused; refresh works', async () => {
    const { gpt, tokens } = await gptSignIn(keys().read)
    // No `resource` was sent: the token is for this deployment's resource, which /v1 accepts.
    expect(tokens.resource).toBe(`${ORIGIN}/mcp`)
    expect(tokens.scope).toBe('torc:read')
    const listed = await rest('list_workflows', tokens.access_token!, { limit: 5 })
    expect(listed.status, JSON.stringify(listed.body)).toBe(200)
    expect(listed.body).toHaveProperty('workflows')
    const refused = await rest(WRITE_TOOL, tokens.access_token!)
    expect(refused.status).toBe(403)
    expect(refused.body.error.message).toContain('write scope')

    const refreshed = await tokenEndpoint({
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token!,
      client_id: gpt.client_id,
      client_secret: gpt.client_secret,
    })
    expect(refreshed.status).toBe(200)
    expect((await rest('list_workflows', refreshed.body.access_token!, { limit: 1 })).status).toBe(200)
    // The secret is required: a confidential client's refresh without it fails.
    const noSecret = {
      grant_type: 'refresh_token',
      refresh_token: refreshed.body.refresh_token!,
      client_id: gpt.client_id,
    }
    expect((await tokenEndpoint(noSecret)).status).toBe(401)
  })

  it('a write grant passes the scope check on write tools; the read-only box takes it away again', async () => {
    const write = await gptSignIn(keys().write)
    expect(write.tokens.scope).toBe('torc:read torc:write')
    const passed = await rest(WRITE_TOOL, write.tokens.access_token!)
    // Past authorization: the input is what is wrong now.
    expect(passed.status, JSON.stringify(passed.body)).toBe(400)
    expect(passed.body.error.code).toBe('invalid_input')

    const narrowed = await gptSignIn(keys().write, { read_only: 'on' })
    expect(narrowed.tokens.scope).toBe('torc:read')
    expect((await rest(WRITE_TOOL, narrowed.tokens.access_token!)).status).toBe(403)
    expect((await rest('list_workflows', narrowed.tokens.access_token!, { limit: 1 })).status).toBe(200)
  })

  it('an MCP client’s token works on /v1 too; revoked or unknown tokens get 401; API keys keep working', async () => {
    const client = await connect(keys().read)
    expect((await rest('list_workflows', client.accessToken, { limit: 1 })).status).toBe(200)
    expect((await revoke(client, client.accessToken, 'access_token')).status).toBe(200)
    const revoked = await rest('list_workflows', client.accessToken, { limit: 1 })
    expect(revoked.status).toBe(401)
    expect(revoked.body.error.message).toContain('OAuth access token')
    // /v1 names no protected-resource metadata (that describes /mcp); GPT Actions read the OpenAPI document.
    expect(revoked.challenge).toBe('Bearer realm="torc-edge", error="invalid_token"')
    expect((await refresh(client, client.saved!.refresh_token)).status).toBe(200)

    const forged = await rest('list_workflows', 'key.test-read:nosuchgrant:nosuchsecret', { limit: 1 })
    expect(forged.status).toBe(401)
    expect((await rest('list_workflows', keys().read, { limit: 1 })).status).toBe(200)
    expect((await rest(WRITE_TOOL, keys().read)).status).toBe(403)
    expect((await rest(WRITE_TOOL, keys().write)).status).toBe(400)
  })
})

describe('the OpenAPI document publishes the OAuth flow', () => {
  it('an oauth2 authorizationCode scheme with this origin’s endpoints, alongside bearer, on every operation', async () => {
    const doc = (await (await workerFetch(`${ORIGIN}/openapi.json`)).json()) as any
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.components.securitySchemes.oauth).toMatchObject({
      type: 'oauth2',
      flows: {
        authorizationCode: {
          authorizationUrl: `${ORIGIN}/authorize`,
          tokenUrl: `${ORIGIN}/oauth/token`,
          refreshUrl: `${ORIGIN}/oauth/token`,
          scopes: { 'torc:read': expect.any(String), 'torc:write': expect.any(String) },
        },
      },
    })
    for (const [path, item] of Object.entries(doc.paths) as [string, any][]) {
      const scope = path.endsWith(`/${WRITE_TOOL}`) ? 'torc:write' : undefined
      expect(item.post.security[0], path).toEqual({ bearer: [] })
      expect(item.post.security[1].oauth, path).toHaveLength(1)
      if (scope) expect(item.post.security[1].oauth, path).toEqual([scope])
      if (path.endsWith('/list_workflows')) expect(item.post.security[1].oauth).toEqual(['torc:read'])
    }
  })
})
