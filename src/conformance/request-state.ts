import { z } from 'zod'

/**
 * Integrity-protected multi-round-trip `requestState` (SEP-2322) for the conformance fixtures:
 * `<base64url JSON>.<base64url HMAC-SHA256>`, with an expiry. The state comes back from the client,
 * so it is attacker-controlled: `open` refuses anything this key did not seal.
 */
export interface StateSeal {
  seal(payload: Record<string, unknown>): Promise<string>
  /** The sealed payload, or undefined when the state was tampered with, expired or malformed. */
  open(state: string): Promise<Record<string, unknown> | undefined>
}

const TTL_MS = 10 * 60_000
const Sealed = z.object({ exp: z.number(), payload: z.record(z.string(), z.unknown()) })

const encoder = new TextEncoder()
const toBase64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
function fromBase64Url(text: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

export function stateSeal(secret: string): StateSeal {
  const key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ])
  return {
    async seal(payload) {
      const body = encoder.encode(JSON.stringify({ exp: Date.now() + TTL_MS, payload }))
      const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await key, body))
      return `${toBase64Url(body)}.${toBase64Url(mac)}`
    },
    async open(state) {
      const [body, mac, extra] = state.split('.')
      if (body === undefined || mac === undefined || extra !== undefined) return undefined
      const bodyBytes = fromBase64Url(body)
      const macBytes = fromBase64Url(mac)
      if (!bodyBytes || !macBytes) return undefined
      if (!(await crypto.subtle.verify('HMAC', await key, macBytes, bodyBytes))) return undefined
      let parsed: unknown
      try {
        parsed = JSON.parse(new TextDecoder().decode(bodyBytes))
      } catch {
        return undefined
      }
      const sealed = Sealed.safeParse(parsed)
      return sealed.success && sealed.data.exp > Date.now() ? sealed.data.payload : undefined
    },
  }
}

/** The methods whose retries may carry requestState (2026-07-28 input_required vocabulary). */
const MRTR_METHODS = new Set(['tools/call', 'prompts/get', 'resources/read'])
const RetriedRequest = z.object({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number()]),
  method: z.string(),
  params: z.object({ requestState: z.string() }).loose(),
})

/**
 * Refuses, before the MCP server sees it, a retried request whose requestState this seal did not
 * mint: a JSON-RPC -32602, as the spec requires. (The SDK's own seam for this,
 * `ServerOptions.requestState.verify`, is set where src/mcp.ts builds the server, which takes no
 * server options from an extension; checking at the HTTP front is equivalent for one-message POSTs.)
 */
export async function refuseForgedState(request: Request, seal: StateSeal): Promise<Response | undefined> {
  if (request.method !== 'POST') return undefined
  let body: unknown
  try {
    body = await request.clone().json()
  } catch {
    return undefined
  }
  const retried = RetriedRequest.safeParse(body)
  if (!retried.success || !MRTR_METHODS.has(retried.data.method)) return undefined
  if (await seal.open(retried.data.params.requestState)) return undefined
  const error = { code: -32602, message: 'Invalid or expired requestState', data: { reason: 'invalid_request_state' } }
  return Response.json({ jsonrpc: '2.0', id: retried.data.id, error })
}
