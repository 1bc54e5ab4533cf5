import { z } from 'zod'
import type { LedgerNamespace } from './changes/ledger.ts'
import { commaList } from './config-fields.ts'
import { watchSettings } from './config-watch.ts'
import { ToolError } from './errors.ts'
import type { Db } from './watch/db.ts'

/** What torc-edge uses of a service binding (Workers VPC service or any Fetcher). */
export interface ServiceBinding {
  fetch(request: Request): Promise<Response>
}

/** The KV namespace OAuth keeps its state in, as far as torc-edge's own code needs to know it. */
export interface KvBinding {
  get(key: string, options?: unknown): Promise<unknown>
  list(options?: unknown): Promise<unknown>
}

/** The Worker's bindings: string vars and secrets, plus optional service bindings. */
export type WorkerEnv = Record<string, unknown> & {
  /** Workers VPC service (or any service binding) that reaches torc-server. */
  TORC?: ServiceBinding
  /** The same for the output site server. */
  OUTPUT?: ServiceBinding
  /** OAuth state (clients, grants, hashed tokens); OAuth is served only when it is bound. */
  OAUTH_KV?: KvBinding
  /** The change ledger's Durable Objects (src/changes): one apply at a time per workflow. */
  CHANGES?: LedgerNamespace
  /** Watches and their history (src/watch, D1); watch tools and the cron tick need it. */
  WATCHES?: Db
}

const optionalSecret = z
  .string()
  .transform((s) => s.trim())
  .optional()
  .transform((s) => (s ? s : undefined))

const ApiKeyEntry = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}:(read|write):[0-9a-f]{64}$/, {
    message: 'each entry must be "<key-id>:<read|write>:<sha256 hex>"',
  })
  .transform((entry) => {
    const [id, scope, sha256] = entry.split(':') as [string, 'read' | 'write', string]
    return { id, scope, sha256 }
  })

const list = commaList

const ConfigSchema = z.object({
  TORC_API_URL: z
    .url({ message: 'must be an absolute URL such as https://torc.example.org/torc-service/v1' })
    .transform((u) => u.replace(/\/+$/, '')),
  TORC_USERNAME: optionalSecret,
  TORC_PASSWORD: optionalSecret,
  CF_ACCESS_CLIENT_ID: optionalSecret,
  CF_ACCESS_CLIENT_SECRET: optionalSecret,
  TORC_EDGE_API_KEYS: list.pipe(z.array(ApiKeyEntry)),
  TORC_EDGE_WRITES: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  TORC_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(20_000),
  TORC_EDGE_PUBLIC_URL: z.url().optional(),
  TORC_OUTPUT_URL: z
    .url()
    .optional()
    .transform((u) => u?.replace(/\/+$/, '')),
  TORC_OUTPUT_TOKEN: optionalSecret,
  // The login-node agent's action token (site/actions): cluster actions through the same site server.
  TORC_OUTPUT_AGENT_TOKEN: optionalSecret,
  // The HPC profile create_workflow uses for slurm when the call names none (else the agent's `slurm`).
  TORC_HPC_PROFILE: optionalSecret,
  // The pinned release's docs/ and examples/ (get_docs, get_example): any static server of its tree.
  TORC_DOCS_URL: z
    .url({ protocol: /^https?$/, message: 'must be an http(s) base URL of the torc release tree' })
    .default('https://raw.githubusercontent.com/NatLabRockies/torc/v1.0.0')
    .transform((u) => u.replace(/\/+$/, '')),
  // Which Torc user each credential acts as (owner of what it creates, whose workflows it scans):
  // "<key id or identity>:<torc user>" entries; unmapped credentials act as their key id.
  TORC_EDGE_USERS: list.pipe(
    z.array(
      z
        .string()
        .regex(/^[^:\s]{1,200}:[A-Za-z0-9._-]{1,64}$/, { message: 'each entry must be "<key id>:<torc user>"' })
        .transform((entry) => entry.split(':') as [string, string])
    )
  ),
  TORC_EDGE_ALLOWED_HOSTS: list,
  // Compared with the browser's Origin header, so kept as origins (scheme://host[:port], no path).
  TORC_EDGE_ALLOWED_ORIGINS: list.pipe(
    z.array(
      z
        .url({ protocol: /^https?$/, message: 'each entry must be an origin such as https://app.example.org' })
        .transform((u) => new URL(u).origin)
    )
  ),
  TORC_EDGE_OAUTH_ACCESS_TOKEN_TTL: z.coerce.number().int().min(60).max(86_400).default(3600),
  TORC_EDGE_OAUTH_REFRESH_TOKEN_TTL: z.coerce.number().int().min(3600).max(31_536_000).default(2_592_000),
  TORC_EDGE_ACCESS_TEAM_DOMAIN: z
    .url({ protocol: /^https$/, message: 'must be https://<team>.cloudflareaccess.com' })
    .transform((u) => new URL(u).origin)
    .optional(),
  TORC_EDGE_ACCESS_AUD: optionalSecret,
  TORC_EDGE_ACCESS_WRITERS: list.transform((emails) => emails.map((e) => e.toLowerCase())),
  // Watches (src/config-watch.ts): webhook destinations by name, their signing secret, tick bounds.
  ...watchSettings,
})

export type Config = z.output<typeof ConfigSchema>
export type ApiKey = Config['TORC_EDGE_API_KEYS'][number]

/** Parsed configurations by env object: an isolate's bindings and vars do not change while it lives. */
const parsed = new WeakMap<WorkerEnv, Readonly<Config>>()

/**
 * The deployment's configuration, parsed once per env object (every request of an isolate shares
 * it; a new env, as in tests, is parsed anew). A bad deployment names the variable, never its value.
 */
export function parseConfig(env: WorkerEnv): Readonly<Config> {
  const known = parsed.get(env)
  if (known) return known
  const result = ConfigSchema.safeParse(env)
  if (result.success) {
    parsed.set(env, Object.freeze(result.data))
    return result.data
  }
  const issue = result.error.issues[0]
  const name = issue?.path.join('.') ?? 'environment'
  throw new ToolError('internal', `torc-edge is misconfigured: ${name} ${issue?.message ?? 'is invalid'}`)
}
