import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { keys, workerFetch } from '../helpers/worker-faces.ts'
import { connect, mcpWith, ORIGIN, refresh, tokenEndpoint } from '../helpers/worker-oauth.ts'

/**
 * Refresh-token rotation with reuse detection (OAuth 2.1 §4.3.1). workers-oauth-provider 1.2.3 on
 * its own keeps accepting the previous refresh token until the new one is used, and each such use
 * retires the holder's current token: a leaked old token kept the grant alive and locked its owner
 * out. src/oauth/refresh-reuse.ts ends the grant instead.
 */
const SUPERSEDED = 'torc-edge:superseded-refresh:'

const sha256Hex = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')

async function grantIds(key: string): Promise<string[]> {
  const res = await workerFetch(`${ORIGIN}/oauth/grants`, { headers: { Authorization: `Bearer ${key}` } })
  return ((await res.json()) as { grants: { id: string }[] }).grants.map((g) => g.id)
}

const grantOf = (token: string) => token.split(':')[1]!

describe('a superseded refresh token presented again ends the grant', () => {
  it('after one rotation the old token is refused and the holder is told by a dead grant, not locked out of a live one', async () => {
    const client = await connect(keys().read)
    const old = client.saved!.refresh_token!
    const rotated = await refresh(client, old)
    expect(rotated.status).toBe(200)
    expect((await mcpWith(rotated.body.access_token)).status).toBe(200)
    expect(await grantIds(keys().read)).toContain(grantOf(old))

    // The replay the issue saw accepted twice (200, 200): refused, and the grant ends with it.
    expect(await refresh(client, old)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(await refresh(client, old)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect((await mcpWith(rotated.body.access_token)).status).toBe(401)
    expect((await mcpWith(client.accessToken)).status).toBe(401)
    expect(await refresh(client, rotated.body.refresh_token)).toMatchObject({ status: 400 })
    expect(await grantIds(keys().read)).not.toContain(grantOf(old))
  })

  it('the thief refreshes first: the owner presenting its own (now superseded) token ends the thief’s grant too', async () => {
    const client = await connect(keys().write)
    const leaked = client.saved!.refresh_token!
    const thief = await refresh(client, leaked)
    expect(thief.status).toBe(200)
    expect((await mcpWith(thief.body.access_token)).status).toBe(200)
    expect(await refresh(client, leaked)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect((await mcpWith(thief.body.access_token)).status).toBe(401)
    expect((await refresh(client, thief.body.refresh_token)).status).toBe(400)
  })

  it('a chain of rotations: any token of the lineage ends the grant, the current one keeps working until then', async () => {
    const client = await connect(keys().read)
    const lineage = [client.saved!.refresh_token!]
    for (let i = 0; i < 3; i++) {
      const next = await refresh(client, lineage.at(-1))
      expect(next.status).toBe(200)
      lineage.push(next.body.refresh_token!)
    }
    const current = await refresh(client, lineage.at(-1))
    expect(current.status).toBe(200)
    expect(await refresh(client, lineage[0])).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect((await mcpWith(current.body.access_token)).status).toBe(401)
  })

  it('a refresh the library refuses supersedes nothing: the token still works afterwards', async () => {
    const owner = await connect(keys().read)
    const other = await connect(keys().read)
    const token = owner.saved!.refresh_token!
    // Another client presenting it: refused (client mismatch), and the token is not marked superseded.
    expect(await refresh(other, token)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect((await tokenEndpoint({ grant_type: 'refresh_token', refresh_token: token })).status).toBe(401)
    expect((await refresh(owner, token)).status).toBe(200)
  })

  it('stores only the hash of each superseded token, naming its grant, for as long as a grant can live', async () => {
    const client = await connect(keys().read)
    const old = client.saved!.refresh_token!
    const before = Math.floor(Date.now() / 1000)
    expect((await refresh(client, old)).status).toBe(200)
    const key = `${SUPERSEDED}${await sha256Hex(old)}`
    expect(await env.OAUTH_KV.get(key)).toBe(grantOf(old))
    const listed = await env.OAUTH_KV.list({ prefix: key })
    const expiration = listed.keys[0]?.expiration ?? 0
    // TORC_EDGE_OAUTH_REFRESH_TOKEN_TTL's default: 30 days.
    expect(expiration).toBeGreaterThanOrEqual(before + 2_592_000 - 5)
    expect(expiration).toBeLessThanOrEqual(before + 2_592_000 + 120)
    const all = await env.OAUTH_KV.list({ prefix: SUPERSEDED })
    for (const { name } of all.keys) expect(name).not.toContain(old.split(':')[2]!)
  })
})
