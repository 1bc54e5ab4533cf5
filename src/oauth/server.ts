import { OAuthAuthorizationServer, type OAuthHelpers } from '@cloudflare/workers-oauth-provider'
import { logEvent } from '../log.ts'
import type { Caller } from '../registry.ts'
import { registrationRefusal } from './registration.ts'
import { GrantProps, OAUTH_PATHS, type OAuthEnv, type OAuthSite, SCOPES } from './site.ts'

/**
 * The authorization server for this request (metadata, registration, token, refresh, revocation,
 * and the helpers behind the consent page): PKCE S256 only, DCR and Client ID Metadata Documents,
 * refresh tokens rotated on use (reuse detection in refresh-reuse.ts), registrations capped
 * (registration.ts), every grant and token bound to `<origin>/mcp`.
 */
export function authorizationServer(site: OAuthSite): OAuthAuthorizationServer<OAuthEnv> {
  return new OAuthAuthorizationServer<OAuthEnv>({
    issuer: site.issuer,
    resources: [site.resource],
    authorizeEndpoint: OAUTH_PATHS.authorize,
    tokenEndpoint: OAUTH_PATHS.token,
    clientRegistrationEndpoint: OAUTH_PATHS.register,
    scopesSupported: [SCOPES.read, SCOPES.write],
    clientIdMetadataDocumentEnabled: true,
    clientRegistrationCallback: ({ clientMetadata }) => registrationRefusal(clientMetadata),
    accessTokenTTL: site.tokenTtl.access,
    refreshTokenTTL: site.tokenTtl.refresh,
    onError({ code, status, internal }) {
      const { category, reason } = internal
      logEvent('oauth_error', { code, status, category, reason })
    },
  })
}

/**
 * The caller an access token acts as (on /mcp and /v1): undefined when it is not a live token this
 * server issued for its resource `<origin>/mcp` (unknown, expired, revoked, or minted for another);
 * 'insufficient_scope' when the token was narrowed below `torc:read`. A write grant acts as a write
 * caller only while its token still carries `torc:write`.
 */
export async function callerForAccessToken(
  site: OAuthSite,
  token: string
): Promise<Caller | 'insufficient_scope' | undefined> {
  const validated = await authorizationServer(site).validateToken(site.resource, token, site.env)
  if (!validated) return undefined
  const props = GrantProps.safeParse(validated.props)
  if (!props.success) return undefined
  const canWrite = props.data.scope === 'write' && validated.scope.includes(SCOPES.write)
  if (!canWrite && !validated.scope.includes(SCOPES.read)) return 'insufficient_scope'
  return { id: props.data.id, scope: canWrite ? 'write' : 'read' }
}

/** The library's helpers (consent, grants, clients) for this request's authorization server. */
export function oauthApi(site: OAuthSite): OAuthHelpers {
  return authorizationServer(site).getOAuthApi(site.env)
}
