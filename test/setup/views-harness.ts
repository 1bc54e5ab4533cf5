/**
 * The stack the MCP Apps view tests run against: a real torc-server, the site server over a
 * temporary output directory, the Worker under `wrangler dev` (writes on; a read key and a write
 * key), the test host page (test/setup/views-host.ts) and Debian's headless Chromium. Only
 * Cloudflare's edge is not real here. Screenshots go to .cache/views-screenshots (not committed).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CallToolResult } from '@modelcontextprotocol/client'
import { type Browser, chromium, type FrameLocator, type Page } from 'playwright-core'
import { keyEntry, mintApiKey } from '../../scripts/api-key.ts'
import { type RunningSite, startSiteServer } from '../../scripts/site-server.ts'
import { installTorc } from '../../scripts/torc-install.ts'
import { ROOT } from '../../scripts/torc-paths.ts'
import { type TorcApi, torcApiAt } from '../../scripts/torc-seed.ts'
import { freePort, type RunningTorc, startTorcServer } from '../../scripts/torc-server.ts'
import { type RunningWorker, startWorker } from '../../scripts/wrangler-dev.ts'
import { requirePrerequisite } from './prerequisites.ts'
import { type RunningHost, startViewsHost } from './views-host.ts'

export const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

/** Whether the view tests can run; under CI a missing Chromium fails the file, naming it. */
export const haveChromium = () =>
  requirePrerequisite(
    `Chromium (${CHROMIUM})`,
    existsSync(CHROMIUM),
    "install Debian's chromium package (apt-get install -y chromium), see .ci/run"
  )

export const SCREENSHOTS = join(ROOT, '.cache', 'views-screenshots')

export interface ViewsStack {
  torc: RunningTorc
  site: RunningSite
  worker: RunningWorker
  host: RunningHost
  browser: Browser
  api: TorcApi
  outputDir: string
  keys: { read: string; write: string }
  /** Every request the pages made, by URL: the views must make none of their own. */
  requests: string[]
  /** Console errors of any page or frame (CSP violations show up here). */
  consoleErrors: string[]
  stop(): Promise<void>
}

export async function startViewsStack(name: string): Promise<ViewsStack> {
  installTorc()
  const scratch = mkdtempSync(join(tmpdir(), `torc-edge-${name}-`))
  const outputDir = join(scratch, 'output')
  mkdirSync(join(outputDir, 'job_stdio'), { recursive: true })
  const keys = { read: mintApiKey('viewer', 'read').key, write: mintApiKey('operator', 'write').key }
  const torc = await startTorcServer()
  const site = await startSiteServer(outputDir, { log: () => undefined })
  const worker = await startWorker({
    port: await freePort(),
    stdio: 'ignore',
    persistTo: join(scratch, 'wrangler-state'),
    vars: {
      TORC_API_URL: torc.apiUrl,
      TORC_EDGE_WRITES: 'true',
      TORC_EDGE_ALLOWED_HOSTS: 'localhost,127.0.0.1,[::1]',
      TORC_EDGE_API_KEYS: [keyEntry('viewer', 'read', keys.read), keyEntry('operator', 'write', keys.write)].join(','),
      TORC_OUTPUT_URL: site.url,
      TORC_OUTPUT_TOKEN: site.token,
    },
  })
  const host = await startViewsHost()
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })
  mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    torc,
    site,
    worker,
    host,
    browser,
    api: torcApiAt(torc.apiUrl),
    outputDir,
    keys,
    requests: [],
    consoleErrors: [],
    async stop() {
      await browser.close()
      await host.stop()
      await worker.stop()
      await site.stop()
      await torc.stop()
      rmSync(scratch, { recursive: true, force: true })
    },
  }
}

/** A host page in a chat-column-sized window, connected to the Worker over MCP with `key`. */
export async function openHost(stack: ViewsStack, key: string, width = 760): Promise<{ page: Page; tools: string[] }> {
  const context = await stack.browser.newContext({ viewport: { width, height: 1000 }, deviceScaleFactor: 1 })
  const page = await context.newPage()
  page.on('request', (request) => stack.requests.push(request.url()))
  page.on('console', (message) => {
    if (message.type() === 'error') stack.consoleErrors.push(message.text())
  })
  page.on('pageerror', (error) => stack.consoleErrors.push(String(error)))
  await page.goto(stack.host.url)
  const tools = await page.evaluate(([url, k]) => window.torcHost.connect(url!, k!), [`${stack.worker.url}/mcp`, key])
  return { page, tools }
}

export interface Shown {
  result: CallToolResult
  data: Record<string, any>
  uri: string
  html: string
  frame: FrameLocator
}

/** Calls `tool` through the host page and waits until its view has drawn the answer. */
export async function showView(
  page: Page,
  tool: string,
  args: Record<string, unknown>,
  options: { theme?: 'light' | 'dark'; width?: number } = {}
): Promise<Shown> {
  const shown = await page.evaluate(([t, a, o]) => window.torcHost.show(t as string, a as never, o as never), [
    tool,
    args,
    options,
  ] as const)
  const frame = page.frameLocator('#view')
  await frame.locator('[data-view-part]').first().waitFor()
  return { ...shown, data: shown.result.structuredContent as Record<string, any>, frame }
}

/** Waits for the view's sections that load through further tool calls. */
export async function settled(frame: FrameLocator, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while ((await frame.locator('[aria-busy="true"]').count()) > 0) {
    if (Date.now() > deadline) throw new Error('the view was still loading after its tool calls')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The tool calls the view made through the host since it was shown. */
export const viewCalls = (page: Page) =>
  page.evaluate(() => window.torcHost.calls.map((c) => ({ name: c.name, arguments: c.arguments ?? {} })))

/** Keeps a picture of the view (the iframe, whole height) as a test artifact. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = join(SCREENSHOTS, `${name}.png`)
  await page.waitForTimeout(150)
  await page.locator('#view').screenshot({ path: file })
  return file
}

/** "#c62828" -> "rgb(198, 40, 40)", as getComputedStyle reports colours. */
export function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16)
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`
}
