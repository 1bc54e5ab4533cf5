import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { auth, Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client'
import { type BrowserContext, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyEntry, mintApiKey } from '../../scripts/api-key.ts'
import { installTorc } from '../../scripts/torc-install.ts'
import { createWorkflow, torcApiAt } from '../../scripts/torc-seed.ts'
import { freePort, type RunningTorc, startTorcServer } from '../../scripts/torc-server.ts'
import { type RunningWorker, startWorker } from '../../scripts/wrangler-dev.ts'
import { tools } from '../../src/tools/index.ts'
import { MemoryOAuthProvider } from '../helpers/oauth-memory.ts'
import { requirePrerequisite } from '../setup/prerequisites.ts'

/**
 * The OAuth flow as an operator lives it: the MCP TypeScript client (its OAuthClientProvider,
 * auth() and the Streamable HTTP transport) registers with the Worker under `wrangler dev` and
 * produces the authorize URL; Debian's headless Chromium opens it, the operator pastes an API key
 * and presses Allow; the redirect reaches the client's loopback listener; the client finishes auth,
 * lists and calls tools against a real torc-server, refreshes, and is refused once the grant ends.
 */
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]
const haveChromium = requirePrerequisite(
  `Chromium (${CHROMIUM})`,
  existsSync(CHROMIUM),
  "install Debian's chromium (apt-get install -y chromium), see .ci/run"
)

/** What a read grant lists (read-only tools, and tools that write only for some inputs), in registry order. */
const readTools = tools.filter((t) => t.annotations.readOnlyHint || t.writes).map((t) => t.name)
const allTools = tools.map((t) => t.name)

/** The client's redirect URI: a loopback listener, as a desktop MCP client runs one. */
class Callback {
  private server: Server
  private waiting?: (hit: { url: URL; headers: IncomingHttpHeaders }) => void
  constructor() {
    this.server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('You can close this window.')
      this.waiting?.({ url: new URL(req.url ?? '/', this.url), headers: req.headers })
    })
  }
  url = ''
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callback`
  }
  next(): Promise<{ url: URL; headers: IncomingHttpHeaders }> {
    return new Promise((resolve) => {
      this.waiting = resolve
    })
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

/** The MCP client's OAuth state, in memory; the browser is sent to whatever URL auth() produces. */
class BrowserClient extends MemoryOAuthProvider {
  constructor(redirect: string) {
    super(redirect, 'torc-edge browser e2e')
  }
}

describe.runIf(haveChromium)('OAuth consent in a real browser (headless Chromium, wrangler dev)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'torc-edge-oauth-browser-'))
  const write = mintApiKey('ops', 'write').key
  let torc: RunningTorc
  let worker: RunningWorker
  let browser: BrowserContext
  let callback: Callback
  let mcpUrl: URL

  beforeAll(async () => {
    installTorc()
    torc = await startTorcServer()
    worker = await startWorker({
      port: await freePort(),
      stdio: 'ignore',
      persistTo: join(scratch, 'wrangler-state'),
      vars: {
        TORC_API_URL: torc.apiUrl,
        TORC_EDGE_WRITES: 'true',
        TORC_EDGE_ALLOWED_HOSTS: 'localhost,127.0.0.1,[::1]',
        TORC_EDGE_API_KEYS: keyEntry('ops', 'write', write),
      },
    })
    mcpUrl = new URL(`${worker.url}/mcp`)
    await createWorkflow(torcApiAt(torc.apiUrl), { name: 'consented', jobs: [{ name: 'a' }] })
    browser = await chromium.launchPersistentContext(join(scratch, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    })
    callback = new Callback()
    await callback.listen()
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    await callback?.close()
    await worker?.stop()
    await torc?.stop()
    rmSync(scratch, { recursive: true, force: true })
  })

  const newMcp = () =>
    new Client(
      { name: 'torc-edge-browser-e2e', version: '1.0.0' },
      { versionNegotiation: { mode: { pin: '2026-07-28' } } }
    )

  /**
   * connect() meets the 401, discovers, registers and hands the authorize URL to the provider;
   * the browser completes the consent page; finishAuth() exchanges the code; a new connect works.
   */
  async function signIn(client: BrowserClient, options: { readOnly?: boolean } = {}) {
    const first = new StreamableHTTPClientTransport(mcpUrl, { authProvider: client })
    await expect(newMcp().connect(first)).rejects.toBeInstanceOf(UnauthorizedError)
    const authorizeUrl = client.authorizationUrl!
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${worker.url}/authorize`)

    const page = await browser.newPage()
    try {
      await page.goto(authorizeUrl.href)
      await page.fill('#api_key', write)
      if (options.readOnly) await page.check('input[name=read_only]')
      const returned = callback.next()
      const posted = page.waitForResponse(
        (r) => r.url().startsWith(`${worker.url}/authorize`) && r.request().method() === 'POST'
      )
      await page.click('button[value=approve]')
      const answer = await posted
      const body = answer.status() === 302 ? '' : await answer.text()
      expect(answer.status(), `POST /authorize answered ${answer.status()} ${body}`).toBe(302)
      // The real Origin reaches the guard (Referrer-Policy same-origin), and the browser marks the post same-origin.
      const sent = await answer.request().allHeaders()
      expect(sent.origin).toBe(worker.url)
      expect(sent['sec-fetch-site']).toBe('same-origin')
      const hit = await returned
      // Referrers stay home: the client's redirect URI (another origin) learns nothing of the consent page.
      expect(hit.headers.referer).toBeUndefined()
      expect(hit.url.searchParams.get('iss')).toBe(worker.url)
      await first.finishAuth(hit.url.searchParams)
    } finally {
      await page.close()
    }
    const mcp = newMcp()
    await mcp.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: client }))
    return mcp
  }

  const mcpWith = (token: string | undefined) =>
    fetch(mcpUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        'MCP-Protocol-Version': '2025-11-25',
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    }).then((r) => r.status)

  const refreshWith = async (client: BrowserClient, token: string | undefined) => {
    const res = await fetch(`${worker.url}/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: token ?? '',
        client_id: client.info!.client_id,
      }),
    })
    return { status: res.status, body: (await res.json()) as Record<string, string> }
  }

  it('Allow with an API key: tools listed and called, token refreshed, refused after the grant is revoked', async () => {
    const client = new BrowserClient(callback.url)
    const mcp = await signIn(client)
    expect((await mcp.listTools()).tools.map((t) => t.name)).toEqual(allTools)
    const listed = await mcp.callTool({ name: 'list_workflows', arguments: { limit: 5 } })
    expect(listed.isError ?? false, JSON.stringify(listed.content)).toBe(false)
    expect(JSON.stringify(listed.structuredContent)).toContain('consented')

    const before = { ...client.saved! }
    expect(await auth(client, { serverUrl: mcpUrl })).toBe('AUTHORIZED')
    expect(client.saved!.refresh_token).not.toBe(before.refresh_token)
    expect((await mcp.callTool({ name: 'list_workflows', arguments: { limit: 5 } })).isError ?? false).toBe(false)

    const headers = { Authorization: `Bearer ${write}` }
    const grants = (await (await fetch(`${worker.url}/oauth/grants`, { headers })).json()) as {
      grants: { id: string; client_id: string }[]
    }
    const grant = grants.grants.find((g) => g.client_id === client.info!.client_id)!
    expect((await fetch(`${worker.url}/oauth/grants/${grant.id}`, { method: 'DELETE', headers })).status).toBe(200)
    expect(await mcpWith(client.saved!.access_token)).toBe(401)
    await expect(mcp.listTools()).rejects.toThrow()
    expect((await refreshWith(client, client.saved!.refresh_token)).status).toBe(400)
    await mcp.close().catch(() => {})
  })

  it('the read-only box: a write key grants read, write tools are not listed; a replayed refresh token ends the grant', async () => {
    const client = new BrowserClient(callback.url)
    const mcp = await signIn(client, { readOnly: true })
    expect((await mcp.listTools()).tools.map((t) => t.name)).toEqual(readTools)
    expect(readTools.length).toBeLessThan(allTools.length)

    const superseded = client.saved!.refresh_token
    expect(await auth(client, { serverUrl: mcpUrl })).toBe('AUTHORIZED')
    expect(await mcpWith(client.saved!.access_token)).toBe(200)
    // Someone replays the superseded refresh token: refused, and the whole grant ends (theft detected).
    expect(await refreshWith(client, superseded)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } })
    expect(await mcpWith(client.saved!.access_token)).toBe(401)
    expect((await refreshWith(client, client.saved!.refresh_token)).status).toBe(400)
    await mcp.close().catch(() => {})
  })
})
