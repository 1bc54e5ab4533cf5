import {
  AuthorizationError,
  type AuthRequest,
  CimdFetchError,
  type OAuthHelpers,
} from '@cloudflare/workers-oauth-provider'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from '../app-env.ts'
import { findApiKey } from '../auth.ts'
import { logEvent } from '../log.ts'
import { ConsentPage, ErrorPage, PAGE_CSP, REFERRER_POLICY } from './consent-page.tsx'
import { accessSigner, keySigner, type Signer } from './identity.ts'
import { oauthApi } from './server.ts'
import { type OAuthSite, scopesFor } from './site.ts'

/** Every page this endpoint renders: no scripts or framing, referrers only to this origin. */
function pageHeaders(c: Context<AppEnv>): void {
  c.header('Content-Security-Policy', PAGE_CSP)
  c.header('Referrer-Policy', REFERRER_POLICY)
}

function sendHeaders(c: Context<AppEnv>, headers: Headers): void {
  headers.forEach((value, name) => {
    c.header(name, value, { append: name.toLowerCase() === 'set-cookie' })
  })
  pageHeaders(c)
}

function redirect(headers: Headers, location: string): Response {
  headers.set('Location', location)
  return new Response(null, { status: 302, headers })
}

/**
 * Expected failures: redirect to the client only when the library validated its redirect URI,
 * otherwise render locally. Anything else is a bug or an outage and surfaces as a 500.
 */
function authorizeError(c: Context<AppEnv>, error: unknown): Response | Promise<Response> {
  if (error instanceof AuthorizationError && error.redirectTo) return c.redirect(error.redirectTo, 302)
  if (error instanceof AuthorizationError || error instanceof CimdFetchError) {
    const message =
      error instanceof AuthorizationError
        ? error.description
        : "The app's metadata document could not be fetched or is invalid."
    pageHeaders(c)
    return c.html(<ErrorPage message={message} />, 400)
  }
  throw error
}

async function renderConsent(
  c: Context<AppEnv>,
  oauth: OAuthHelpers,
  request: AuthRequest,
  view: { handle?: string; signer?: Signer; error?: string; status?: ContentfulStatusCode }
): Promise<Response> {
  const details = await oauth.describeConsent(request)
  let handle = view.handle
  if (!handle) {
    const consent = await oauth.beginConsent(request)
    handle = consent.handle
    sendHeaders(c, consent.headers)
  } else {
    sendHeaders(c, new Headers({ 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY' }))
  }
  const page = <ConsentPage details={details} handle={handle} signer={view.signer} error={view.error} />
  return c.html(page, view.status ?? 200)
}

/** GET /authorize: validates the request (client, redirect URI, PKCE S256, resource) and asks. */
export async function showConsent(c: Context<AppEnv>, site: OAuthSite): Promise<Response> {
  const oauth = oauthApi(site)
  try {
    const request = await oauth.parseAuthRequest(c.req.raw)
    return await renderConsent(c, oauth, request, { signer: await accessSigner(c) })
  } catch (error) {
    return authorizeError(c, error)
  }
}

/**
 * CSRF, beside the form's browser-bound handle and the Origin guard: a browser that sends
 * Sec-Fetch-Site (every current one) must say the post came from this origin, i.e. from our page.
 * Clients that send none (scripts, the tests' fetch) carry no ambient browser state to abuse.
 */
function postedFromThisOrigin(c: Context<AppEnv>): boolean {
  const site = c.req.header('Sec-Fetch-Site')
  return site === undefined || site === 'same-origin'
}

/**
 * POST /authorize: Deny redirects `access_denied` to the client. Allow needs the Access identity
 * or a valid API key; a wrong key shows the page again (the handle is not used up). The grant
 * carries the signer as props and the signer's scopes, narrowed to read when asked.
 */
export async function approve(c: Context<AppEnv>, site: OAuthSite): Promise<Response> {
  if (!postedFromThisOrigin(c)) {
    pageHeaders(c)
    return c.html(<ErrorPage message="The consent form was posted from another site." />, 403)
  }
  const oauth = oauthApi(site)
  const form = await c.req.parseBody()
  const handle = typeof form.handle === 'string' ? form.handle : ''
  try {
    if (form.decision !== 'approve') {
      const denied = await oauth.denyConsent(c.req.raw, handle)
      return new Response(null, { status: 302, headers: denied.headers })
    }
    const apiKey = typeof form.api_key === 'string' ? form.api_key.trim() : ''
    const caller = apiKey ? await findApiKey(c.get('config').TORC_EDGE_API_KEYS, apiKey) : undefined
    const signer = (await accessSigner(c)) ?? (caller ? keySigner(caller) : undefined)
    if (!signer) {
      const error = apiKey
        ? 'That is not a torc-edge API key of this deployment.'
        : 'Paste a torc-edge API key to approve.'
      const request = await oauth.parseAuthRequest(c.req.raw).catch(() => undefined)
      if (!request) {
        pageHeaders(c)
        return c.html(<ErrorPage message={error} />, 401)
      }
      return await renderConsent(c, oauth, request, { handle, error, status: 401 })
    }
    const granted: Signer = form.read_only ? { ...signer, caller: { ...signer.caller, scope: 'read' } } : signer
    const approved = await oauth.approveConsent(c.req.raw, handle, { scope: scopesFor(granted.caller) })
    const { redirectTo } = await oauth.completeAuthorization({
      request: approved.request,
      userId: granted.userId,
      metadata: { via: granted.via },
      scope: approved.request.scope,
      props: granted.caller,
    })
    const { id, scope } = granted.caller
    logEvent('oauth_grant', { caller: id, scope, via: granted.via })
    return redirect(approved.headers, redirectTo)
  } catch (error) {
    return authorizeError(c, error)
  }
}
