import { sha256Hex } from '../hash.ts'
import { logEvent } from '../log.ts'
import { oauthError } from './oauth-error.ts'
import { oauthApi } from './server.ts'
import type { OAuthSite } from './site.ts'

/**
 * Refresh-token rotation with reuse detection (OAuth 2.1 §4.3.1, RFC 9700 §4.14.2), around
 * workers-oauth-provider 1.2.3. The library keeps the grant's previous refresh token valid until
 * the new one is first used (for a client that lost a refresh response) and has no option to turn
 * that off, so a leaked old token refreshes again and again, each time retiring the holder's
 * current one. Here every refresh token the library rotates away is remembered by its hash; one
 * presented again ends the grant, the thief's tokens and the holder's alike. The cost: a client
 * that lost a refresh response signs in again instead of retrying.
 */
const SUPERSEDED = 'torc-edge:superseded-refresh:'

/** The refresh token a token request presents, and its grant (tokens read `<user>:<grant>:<secret>`). */
async function presentedRefreshToken(request: Request) {
  if (request.method !== 'POST') return undefined
  const type = request.headers.get('Content-Type') ?? ''
  if (type.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') return undefined
  const form = new URLSearchParams(await request.clone().text())
  const token = form.get('refresh_token')
  if (form.get('grant_type') !== 'refresh_token' || !token) return undefined
  const [userId, grantId, secret, ...rest] = token.split(':')
  if (!userId || !grantId || !secret || rest.length) return undefined
  return { key: `${SUPERSEDED}${await sha256Hex(token)}`, userId, grantId }
}

/**
 * The token endpoint: `handle` is the library's. A refresh with a token it rotated away before
 * revokes the grant and is refused; a successful refresh records the token it just superseded, for
 * as long as a grant can live (TORC_EDGE_OAUTH_REFRESH_TOKEN_TTL).
 */
export async function tokenWithReuseDetection(
  request: Request,
  site: OAuthSite,
  handle: (request: Request) => Promise<Response>
): Promise<Response> {
  const presented = await presentedRefreshToken(request)
  if (!presented) return handle(request)
  const kv = site.env.OAUTH_KV
  const grantId = await kv.get(presented.key)
  if (grantId !== null) {
    await oauthApi(site).revokeGrant(grantId, presented.userId)
    logEvent('oauth_refresh_reuse', { grant: grantId, action: 'grant_revoked' })
    // What the library answers for a refresh token it does not know: no oracle for the replayer.
    return oauthError(request, 400, 'invalid_grant', 'Invalid refresh token', { Pragma: 'no-cache' })
  }
  const response = await handle(request)
  if (response.status === 200) {
    await kv.put(presented.key, presented.grantId, { expirationTtl: site.tokenTtl.refresh })
  }
  return response
}
