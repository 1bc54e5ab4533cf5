/**
 * A local webhook receiver for the watch tests: a real HTTP server on loopback that records every
 * notification (headers and the exact body) and answers what a test scripted (default 200). The
 * integration project starts it as a globalSetup (it provides `webhookUrl`); the end-to-end flows
 * start their own.
 *
 *   POST /hook/<name>            a notification for destination <name>: recorded
 *   GET  /received               everything recorded, oldest first
 *   POST /script {name, status}  the next answers for <name> (a list of HTTP statuses)
 *   POST /reset                  forget everything
 */
import { createHmac } from 'node:crypto'
import type { TestProject } from 'vitest/node'
import { freePort } from '../../scripts/torc-server.ts'
import { close, listen } from '../../site/listen.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    webhookUrl: string
  }
}

/** The signing secret the watch tests configure (TORC_EDGE_WEBHOOK_SECRET). */
export const WEBHOOK_SECRET = 'watch-test-secret'

export interface Received {
  name: string
  headers: Record<string, string>
  body: string
  at: number
}

export interface Receiver {
  url: string
  received: Received[]
  /** `name=<url>/hook/<name>` entries for TORC_EDGE_WEBHOOKS. */
  destinations(...names: string[]): string
  stop(): Promise<void>
}

export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = []
  const scripted = new Map<string, number[]>()
  const port = await freePort()
  const server = await listen(
    {
      async fetch(req: Request) {
        const url = new URL(req.url)
        const hook = /^\/hook\/([a-z0-9_-]+)$/.exec(url.pathname)
        if (req.method === 'POST' && hook) {
          const name = hook[1]!
          const headers: Record<string, string> = {}
          req.headers.forEach((value, key) => {
            headers[key] = value
          })
          received.push({ name, headers, body: await req.text(), at: Date.now() })
          return new Response(null, { status: scripted.get(name)?.shift() ?? 200 })
        }
        if (req.method === 'GET' && url.pathname === '/received') return Response.json(received)
        if (req.method === 'POST' && url.pathname === '/script') {
          const { name, status } = (await req.json()) as { name: string; status: number[] }
          scripted.set(name, [...(scripted.get(name) ?? []), ...status])
          return new Response(null, { status: 204 })
        }
        if (req.method === 'POST' && url.pathname === '/reset') {
          received.length = 0
          scripted.clear()
          return new Response(null, { status: 204 })
        }
        return new Response('not found', { status: 404 })
      },
    },
    port,
    '127.0.0.1'
  )
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    received,
    destinations: (...names) => names.map((n) => `${n}=${url}/hook/${n}`).join(','),
    stop: () => close(server),
  }
}

/** Whether `signature` is `sha256=<hex HMAC-SHA256(secret, body)>`. */
export const signedBy = (secret: string, body: string, signature: string | undefined) =>
  signature === `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`

export default async function setup(project: TestProject) {
  const receiver = await startReceiver()
  project.provide('webhookUrl', receiver.url)
  return () => receiver.stop()
}
