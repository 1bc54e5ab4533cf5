import { createExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { auth } from '@modelcontextprotocol/client'
import { describe, expect, it } from 'vitest'
import app from '../../src/index.ts'
import { accessTeam, type Fetch, MCP_URL, mcpOver, ORIGIN, submitConsent, TestClient } from '../helpers/worker-oauth.ts'
import { allTools, readTools } from './oauth-helpers.ts'

/**
 * Signing in to the OAuth consent page through Cloudflare Access instead of with an API key: the
 * scope TORC_EDGE_ACCESS_WRITERS gives an identity, and the assertions that are ignored.
 */
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
