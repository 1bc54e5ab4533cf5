import { z } from 'zod'
import type { Config } from '../config.ts'

const CLOCK_SKEW_S = 60

const JwtHeader = z.object({ alg: z.literal('RS256'), kid: z.string().min(1) })
const JwtPayload = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  exp: z.number(),
  nbf: z.number().optional(),
  email: z.string().min(3),
})
const Jwks = z.object({
  keys: z.array(z.looseObject({ kid: z.string(), kty: z.literal('RSA'), n: z.string(), e: z.string() })),
})

/** A verified Cloudflare Access identity. */
export interface AccessIdentity {
  email: string
}

function base64urlBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(
    text
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(text.length / 4) * 4, '=')
  )
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(base64urlBytes(segment)))
  } catch {
    return undefined
  }
}

/** The team's signing keys; Access rotates them every six weeks, so they are fetched when needed. */
async function teamKeys(teamDomain: string): Promise<z.output<typeof Jwks>['keys']> {
  const res = await fetch(`${teamDomain}/cdn-cgi/access/certs`, { signal: AbortSignal.timeout(5000) })
  if (!res.ok) return []
  const parsed = Jwks.safeParse(await res.json())
  return parsed.success ? parsed.data.keys : []
}

/**
 * Validates `Cf-Access-Jwt-Assertion` (RS256, the team's certs, issuer = team domain, audience =
 * the Access application's AUD tag, not expired) when TORC_EDGE_ACCESS_TEAM_DOMAIN and
 * TORC_EDGE_ACCESS_AUD are set. Undefined when Access is not configured or the assertion is
 * missing or invalid: the consent page then asks for an API key instead.
 */
export async function verifyAccessJwt(
  config: Config,
  assertion: string | undefined
): Promise<AccessIdentity | undefined> {
  const team = config.TORC_EDGE_ACCESS_TEAM_DOMAIN
  const aud = config.TORC_EDGE_ACCESS_AUD
  if (!team || !aud || !assertion) return undefined
  const [h, p, s] = assertion.split('.')
  if (!h || !p || !s) return undefined
  const header = JwtHeader.safeParse(decodeJson(h))
  const payload = JwtPayload.safeParse(decodeJson(p))
  if (!header.success || !payload.success) return undefined
  const jwk = (await teamKeys(team)).find((k) => k.kid === header.data.kid)
  if (!jwk) return undefined
  const key = await crypto.subtle.importKey('jwk', jwk, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, [
    'verify',
  ])
  const signed = new TextEncoder().encode(`${h}.${p}`)
  if (!(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, base64urlBytes(s), signed))) return undefined
  const claims = payload.data
  const now = Math.floor(Date.now() / 1000)
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud
  if (claims.iss !== team || !audiences.includes(aud)) return undefined
  if (claims.exp + CLOCK_SKEW_S < now || (claims.nbf ?? 0) - CLOCK_SKEW_S > now) return undefined
  return { email: claims.email.toLowerCase() }
}
