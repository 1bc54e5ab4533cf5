import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client'

/**
 * An MCP client's OAuth state, kept in memory (a public client, PKCE, no secret): the in-workerd
 * tests and the browser test drive the SDK's auth() with it; `authorizationUrl` is where the SDK
 * sends the user's browser.
 */
export class MemoryOAuthProvider implements OAuthClientProvider {
  info?: StoredOAuthClientInformation
  saved?: StoredOAuthTokens
  verifier = ''
  discovery?: OAuthDiscoveryState
  authorizationUrl?: URL
  readonly redirect: string
  readonly name: string

  constructor(redirect: string, name: string) {
    this.redirect = redirect
    this.name = name
  }
  get redirectUrl() {
    return this.redirect
  }
  get clientMetadata(): OAuthClientMetadata {
    return { client_name: this.name, redirect_uris: [this.redirect], token_endpoint_auth_method: 'none' }
  }
  clientInformation() {
    return this.info
  }
  saveClientInformation(info: StoredOAuthClientInformation) {
    this.info = info
  }
  tokens() {
    return this.saved
  }
  saveTokens(tokens: StoredOAuthTokens) {
    this.saved = tokens
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier
  }
  codeVerifier() {
    return this.verifier
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state
  }
  discoveryState() {
    return this.discovery
  }
}
