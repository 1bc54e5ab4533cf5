/**
 * The one structured log line: `{"event": …, …fields}` as JSON on stdout (Workers Logs and
 * `wrangler tail` index it). Every field passes redact() first, so no credential reaches the log
 * whoever wrote the field: bearer and basic tokens, torc-edge API keys, OAuth tokens, passwords,
 * Cloudflare Access secrets, URL userinfo and token-like query parameters.
 */

const REDACTED = '[redacted]'

/** A field with one of these names is a secret whatever it holds. */
const SECRET_NAME = /authorization|cookie|passw(or)?d|secret|token|api[-_]?key|credential|signature/i

/** Secrets inside text: each pattern's first group (if any) is kept, the rest becomes [redacted]. */
const SECRET_TEXT: readonly RegExp[] = [
  /(\b(?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=:-]+/gi,
  /()\btek_[A-Za-z0-9_-]{8,}/g, // torc-edge API keys (scripts/api-key.ts)
  /()\b[\w-]{1,64}:[\w-]{1,64}:[A-Za-z0-9_-]{24,}\b/g, // OAuth tokens this Worker issues: user:grant:secret
  /(\/\/)[^/\s:@]+:[^/\s@]*(?=@)/g, // URL userinfo
  /([?&;](?:access_token|refresh_token|id_token|token|code|key|api_key|apikey|secret|client_secret|password|sig|signature|auth)=)[^&#\s"']*/gi,
  /((?:cf-access-client-secret|client_secret|password|passwd|secret|api[-_]?key|token)["']?\s*[:=]\s*["']?)[^\s"'&,;}]+/gi,
]

export function redactText(text: string): string {
  let out = text
  for (const pattern of SECRET_TEXT) out = out.replace(pattern, `$1${REDACTED}`)
  return out
}

/** A copy of `value` fit to log: secrets out, Errors as their message, depth bounded. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value)
  if (value instanceof Error) return redactText(value.message)
  if (value === null || typeof value !== 'object') return value
  if (depth >= 6) return '[deep]'
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1))
  const out: Record<string, unknown> = {}
  for (const [name, field] of Object.entries(value)) {
    out[name] = SECRET_NAME.test(name) && field !== undefined && field !== null ? REDACTED : redact(field, depth + 1)
  }
  return out
}

/** Writes one structured line for `event`. */
export function logEvent(event: string, fields: Record<string, unknown> = {}): void {
  const { event: _, ...rest } = redact(fields) as Record<string, unknown>
  console.log(JSON.stringify({ event, ...rest }))
}
