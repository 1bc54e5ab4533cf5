import type { ClientRegistrationCallbackResult } from '@cloudflare/workers-oauth-provider'
import { logEvent } from '../log.ts'
import { oauthError } from './oauth-error.ts'

/**
 * Dynamic client registration (RFC 7591) is open by design (claude.ai and ChatGPT register
 * themselves), so what one registration may store and how often one address may register are
 * capped here; the library alone accepts up to 1 MiB of metadata per client, without limit.
 */

/** The whole registration document; real clients send well under 2 KiB. */
export const MAX_REGISTRATION_BYTES = 16 * 1024
const MAX_URI = 2000
const MAX_LIST = 10
const MAX_LOCALIZED = 10

/** [field, most characters of each value, most entries when it is a list] */
const FIELD_LIMITS: Record<string, { chars: number; entries?: number }> = {
  client_name: { chars: 200 },
  redirect_uris: { chars: MAX_URI, entries: MAX_LIST },
  client_uri: { chars: MAX_URI },
  logo_uri: { chars: MAX_URI },
  policy_uri: { chars: MAX_URI },
  tos_uri: { chars: MAX_URI },
  jwks_uri: { chars: MAX_URI },
  contacts: { chars: 254, entries: MAX_LIST },
  grant_types: { chars: 100, entries: MAX_LIST },
  response_types: { chars: 100, entries: MAX_LIST },
  scope: { chars: 500 },
  software_id: { chars: 200 },
  software_version: { chars: 200 },
}

function refusal(description: string): ClientRegistrationCallbackResult {
  return { code: 'invalid_client_metadata', description, status: 400 }
}

/** What is wrong with one field's value, if anything (types are the library's to check). */
function fieldProblem(field: string, value: unknown, limit: { chars: number; entries?: number }): string | undefined {
  const values = Array.isArray(value) ? value : [value]
  if (Array.isArray(value) && value.length > (limit.entries ?? 1)) {
    return `${field} has ${value.length} entries (at most ${limit.entries ?? 1})`
  }
  for (const item of values) {
    if (typeof item === 'string' && item.length > limit.chars) {
      return `${field} is too long: ${item.length} characters (at most ${limit.chars})`
    }
  }
  return undefined
}

/**
 * The library's clientRegistrationCallback: refuses, with a 400 naming the field, metadata over the
 * caps above (localized variants such as `client_name#fr` count as their base field).
 */
export function registrationRefusal(metadata: Record<string, unknown>): ClientRegistrationCallbackResult | undefined {
  const size = new TextEncoder().encode(JSON.stringify(metadata)).length
  if (size > MAX_REGISTRATION_BYTES) {
    return refusal(`the registration metadata is ${size} bytes (at most ${MAX_REGISTRATION_BYTES})`)
  }
  const localized = Object.keys(metadata).filter((key) => key.includes('#'))
  if (localized.length > MAX_LOCALIZED) {
    return refusal(`${localized.length} localized fields such as ${localized[0]} (at most ${MAX_LOCALIZED})`)
  }
  for (const [key, value] of Object.entries(metadata)) {
    const limit = FIELD_LIMITS[key.split('#')[0] ?? key]
    const problem = limit && fieldProblem(key, value, limit)
    if (problem) return refusal(problem)
  }
  return undefined
}

/** The Workers Rate Limiting binding (wrangler.toml `[[ratelimits]]`), as far as it is used here. */
interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>
}

const isRateLimiter = (value: unknown): value is RateLimiter =>
  typeof value === 'object' && value !== null && typeof (value as RateLimiter).limit === 'function'

/** The binding's name, and the window its wrangler.toml entry sets (for the message and Retry-After). */
export const REGISTER_LIMIT_BINDING = 'OAUTH_REGISTER_LIMIT'
const PERIOD_S = 60

/**
 * Before the library reads a registration: a declared body over the cap is refused unread (413),
 * and each client address (CF-Connecting-IP, which Cloudflare sets and clients cannot) gets the
 * binding's budget of registrations per minute (429 past it). Without the binding nothing is counted.
 */
export async function registrationGate(request: Request, env: Record<string, unknown>): Promise<Response | undefined> {
  if (request.method !== 'POST') return undefined
  const declared = Number(request.headers.get('Content-Length') ?? 0)
  if (declared > MAX_REGISTRATION_BYTES) {
    const description = `the registration request is ${declared} bytes (at most ${MAX_REGISTRATION_BYTES})`
    return oauthError(request, 413, 'invalid_request', description)
  }
  const limiter = env[REGISTER_LIMIT_BINDING]
  if (!isRateLimiter(limiter)) return undefined
  const address = request.headers.get('CF-Connecting-IP') ?? 'unknown'
  if ((await limiter.limit({ key: `register:${address}` })).success) return undefined
  logEvent('oauth_register_rate_limited', { address })
  const description = `too many client registrations from ${address}; try again in a minute`
  return oauthError(request, 429, 'rate_limited', description, { 'Retry-After': String(PERIOD_S) })
}
