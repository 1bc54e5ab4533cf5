/**
 * The operator's watch settings (wrangler.toml vars and secrets; docs/watch.md), parsed with the
 * rest of the configuration (src/config.ts spreads them in), and the destination names watches use.
 *
 * TORC_EDGE_WEBHOOKS (secret): `name=url` entries, comma-separated. Callers name a destination,
 * never a URL, so a watch can only notify where the operator said. URLs are https, or http to a
 * loopback host (local development and tests).
 */
import { z } from 'zod'
import { commaList } from './config-fields.ts'

/** A destination's name as the operator configures it (TORC_EDGE_WEBHOOKS): never a URL. */
export const DestinationName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'a destination name: lowercase letters, digits, "_" or "-", at most 32')

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

const Webhook = z.string().transform((entry, ctx) => {
  const at = entry.indexOf('=')
  const name = entry.slice(0, at).trim()
  const url = entry.slice(at + 1).trim()
  const parsedName = DestinationName.safeParse(name)
  let target: URL | undefined
  try {
    target = new URL(url)
  } catch {
    target = undefined
  }
  const allowed =
    target && (target.protocol === 'https:' || (target.protocol === 'http:' && LOOPBACK.has(target.hostname)))
  // The message never repeats the entry: a webhook URL is a credential.
  if (at < 1 || !parsedName.success || !allowed) {
    ctx.addIssue({
      code: 'custom',
      message: 'each entry must be "<name>=<https URL>" (name: lowercase letters, digits, "_", "-")',
    })
    return z.NEVER
  }
  return { name, url: target!.href }
})

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback)

export const watchSettings = {
  TORC_EDGE_WEBHOOKS: commaList
    .pipe(z.array(Webhook))
    .refine((hooks) => new Set(hooks.map((h) => h.name)).size === hooks.length, 'a destination name appears twice'),
  // HMAC-SHA256 key of X-Torc-Edge-Signature on every notification (docs/watch.md).
  TORC_EDGE_WEBHOOK_SECRET: z
    .string()
    .transform((s) => s.trim())
    .optional()
    .transform((s) => (s ? s : undefined)),
  // Watches one cron tick checks at most (round-robin, least recently checked first).
  TORC_EDGE_WATCH_PER_TICK: int(1, 1000, 50),
  // Subrequests one tick may make (Torc, D1, the ledger, the agent, webhooks). The Workers paid plan
  // allows 10,000 per invocation (1,000 on older accounts): the default fits both.
  TORC_EDGE_WATCH_SUBREQUESTS: int(50, 100_000, 1000),
  // Torc unreachable this long (minutes) before a watch notifies `unreachable`, once per outage.
  TORC_EDGE_WATCH_UNREACHABLE_MINUTES: int(1, 10_080, 15),
}
