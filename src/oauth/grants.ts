import type { GrantSummary, OAuthHelpers } from '@cloudflare/workers-oauth-provider'
import type { Context } from 'hono'
import type { AppEnv } from '../app-env.ts'
import { unauthorized } from '../auth.ts'
import { ToolError, toErrorBody } from '../errors.ts'
import { logEvent } from '../log.ts'
import { requestSigner, type Signer } from './identity.ts'
import { oauthApi } from './server.ts'
import type { OAuthSite } from './site.ts'

const MAX_GRANTS = 200

/** One grant as the operator sees it; never a token. */
export interface GrantView {
  id: string
  client_id: string
  client_name?: string
  scope: string[]
  resource?: string
  created_at: string
  expires_at?: string
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString()

/** A registered client's name; a metadata-document client is named by its URL, not fetched again here. */
async function clientName(oauth: OAuthHelpers, clientId: string): Promise<string | undefined> {
  if (clientId.startsWith('https://')) return undefined
  try {
    return (await oauth.lookupClient(clientId))?.clientName
  } catch {
    return undefined
  }
}

async function grantsOf(oauth: OAuthHelpers, signer: Signer): Promise<GrantSummary[]> {
  const grants: GrantSummary[] = []
  let cursor: string | undefined
  do {
    const page = await oauth.listUserGrants(signer.userId, { limit: 100, ...(cursor ? { cursor } : {}) })
    grants.push(...page.items)
    cursor = page.cursor
  } while (cursor && grants.length < MAX_GRANTS)
  return grants.slice(0, MAX_GRANTS)
}

async function signerOr401(c: Context<AppEnv>): Promise<Signer | Response> {
  const signer = await requestSigner(c)
  return signer ?? unauthorized(c, 'send "Authorization: Bearer <torc-edge API key>": grants are listed per key')
}

/** GET /oauth/grants: the OAuth grants made with this API key (or Access identity), newest first. */
export async function listGrants(c: Context<AppEnv>, site: OAuthSite): Promise<Response> {
  const signer = await signerOr401(c)
  if (signer instanceof Response) return signer
  const oauth = oauthApi(site)
  const grants = (await grantsOf(oauth, signer)).sort((a, b) => b.createdAt - a.createdAt)
  const views = await Promise.all(
    grants.map(async (g): Promise<GrantView> => {
      const name = await clientName(oauth, g.clientId)
      const resource = typeof g.resource === 'string' ? g.resource : g.resource?.join(' ')
      return {
        id: g.id,
        client_id: g.clientId,
        ...(name ? { client_name: name } : {}),
        scope: g.scope,
        ...(resource ? { resource } : {}),
        created_at: iso(g.createdAt),
        ...(g.expiresAt ? { expires_at: iso(g.expiresAt) } : {}),
      }
    })
  )
  c.header('Cache-Control', 'no-store')
  return c.json({ grants: views })
}

/** DELETE /oauth/grants/:id: revokes one grant and every token issued under it. */
export async function revokeGrant(c: Context<AppEnv>, site: OAuthSite, id: string): Promise<Response> {
  const signer = await signerOr401(c)
  if (signer instanceof Response) return signer
  const oauth = oauthApi(site)
  const grants = await grantsOf(oauth, signer)
  if (!grants.some((g) => g.id === id)) {
    return c.json(toErrorBody(new ToolError('not_found', `no grant ${id} made with this credential`)), 404)
  }
  await oauth.revokeGrant(id, signer.userId)
  logEvent('oauth_grant_revoked', { grant: id, by: signer.caller.id })
  return c.json({ revoked: id })
}
