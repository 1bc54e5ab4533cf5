import type { Config } from '../config.ts'
import type { Caller } from '../registry.ts'

/** The Torc user a call acts as, and why, so answers can say whose workflows these are. */
export interface TorcUser {
  user: string
  why: string
}

/**
 * The Torc user a credential acts as: its TORC_EDGE_USERS mapping; else, for an identity (an OAuth
 * grant made through Cloudflare Access), the email's local part, usually the cluster login name;
 * else TORC_USERNAME (Torc's own basic-auth user); else the `user` argument; else the API key's id.
 * API key ids cannot contain `@`, so an `@` marks an identity.
 */
export function torcUserOf(caller: Caller, config: Config, given?: string | undefined): TorcUser {
  const mapped = config.TORC_EDGE_USERS.find(([id]) => id === caller.id)?.[1]
  if (mapped) return { user: mapped, why: `TORC_EDGE_USERS maps ${caller.id} to ${mapped}` }
  if (caller.id.includes('@')) {
    const user = caller.id.slice(0, caller.id.lastIndexOf('@'))
    return { user, why: `the signed-in identity ${caller.id}` }
  }
  if (config.TORC_USERNAME) return { user: config.TORC_USERNAME, why: "this deployment's Torc user (TORC_USERNAME)" }
  if (given) return { user: given, why: 'the user argument' }
  return {
    user: caller.id,
    why: `the credential's key id; set TORC_EDGE_USERS="${caller.id}:<torc user>" to act as another Torc user`,
  }
}
