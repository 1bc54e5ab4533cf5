/**
 * A minimal MCP Apps host, in the browser, built on ext-apps' host side: an MCP client
 * (@modelcontextprotocol/client, Streamable HTTP with a bearer key) connected to the Worker, and per
 * tool answer an AppBridge to the view's sandboxed iframe (srcdoc, `sandbox="allow-scripts"`, the
 * CSP built from the resource's declared domains, none here), as Claude or VS Code do. The view's
 * tools/call requests go through the bridge to the same client, and are recorded for the tests.
 * Bundled by test/setup/views-host.ts; the tests drive it through `window.torcHost`.
 */

import { type CallToolResult, Client, StreamableHTTPClientTransport, type Tool } from '@modelcontextprotocol/client'
import {
  AppBridge,
  getToolUiResourceUri,
  type McpUiHostContext,
  type McpUiResourceCsp,
  PostMessageTransport,
  RESOURCE_MIME_TYPE,
} from '@modelcontextprotocol/ext-apps/app-bridge'

type Theme = 'light' | 'dark'

/** Style variables a host passes (a subset of MCP Apps' standard names), per theme. */
const STYLES: Record<Theme, Record<string, string>> = {
  light: {
    '--color-background-primary': '#ffffff',
    '--color-background-secondary': '#f3f3f1',
    '--color-text-primary': '#1f1e1d',
    '--color-text-secondary': '#5e5d59',
    '--color-border-primary': '#d9d8d4',
    '--font-sans': 'system-ui, sans-serif',
  },
  dark: {
    '--color-background-primary': '#262624',
    '--color-background-secondary': '#30302e',
    '--color-text-primary': '#f0efe9',
    '--color-text-secondary': '#b8b6ae',
    '--color-border-primary': '#46453f',
    '--font-sans': 'system-ui, sans-serif',
  },
}

let client: Client
let tools: Tool[] = []
let bridge: AppBridge | undefined
const calls: { name: string; arguments: Record<string, unknown> | undefined }[] = []

/** What a host enforces on the view: nothing beyond the origins the resource declares (none). */
function hostCsp(csp: McpUiResourceCsp | undefined): string {
  const list = (domains: string[] | undefined) => (domains?.length ? ` ${domains.join(' ')}` : '')
  return [
    "default-src 'none'",
    `script-src 'unsafe-inline'${list(csp?.resourceDomains)}`,
    `style-src 'unsafe-inline'${list(csp?.resourceDomains)}`,
    `img-src data:${list(csp?.resourceDomains)}`,
    `font-src data:${list(csp?.resourceDomains)}`,
    `connect-src${list(csp?.connectDomains) || " 'none'"}`,
  ].join('; ')
}

function context(theme: Theme, tool: Tool, width: number): McpUiHostContext {
  document.documentElement.dataset.theme = theme
  return {
    theme,
    styles: { variables: STYLES[theme] as never },
    toolInfo: { tool },
    displayMode: 'inline',
    availableDisplayModes: ['inline'],
    containerDimensions: { width, maxHeight: 20_000 },
    locale: 'en-US',
    platform: 'web',
  }
}

async function connect(mcpUrl: string, key: string): Promise<string[]> {
  client = new Client(
    { name: 'torc-edge-views-test-host', version: '1.0.0' },
    { capabilities: { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: [RESOURCE_MIME_TYPE] } } } as never }
  )
  await client.connect(
    new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { Authorization: `Bearer ${key}` } } })
  )
  tools = (await client.listTools()).tools
  return tools.filter((t) => getToolUiResourceUri(t)).map((t) => t.name)
}

/**
 * Calls `name` as the model would, then renders its view: reads the `ui://` resource, mounts it in
 * a fresh sandboxed iframe and hands it the arguments and the result over the bridge.
 */
async function show(
  name: string,
  args: Record<string, unknown>,
  options: { theme?: Theme; width?: number } = {}
): Promise<{ result: CallToolResult; uri: string; html: string }> {
  const tool = tools.find((t) => t.name === name)
  if (!tool) throw new Error(`${name} is not listed for this key`)
  const uri = getToolUiResourceUri(tool)
  if (!uri) throw new Error(`${name} has no view`)
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  const read = await client.readResource({ uri })
  const content = read.contents[0] as { text: string; mimeType: string; _meta?: { ui?: { csp?: McpUiResourceCsp } } }
  if (content.mimeType !== RESOURCE_MIME_TYPE) throw new Error(`${uri} is ${content.mimeType}`)
  await bridge?.close()
  calls.length = 0
  const width = options.width ?? 680
  const column = document.getElementById('chat')!
  column.style.width = `${width}px`
  const frame = document.createElement('iframe')
  frame.id = 'view'
  frame.title = name
  frame.setAttribute('sandbox', 'allow-scripts')
  column.replaceChildren(frame)
  bridge = new AppBridge(
    client,
    { name: 'torc-edge-views-test-host', version: '1.0.0' },
    { serverTools: {}, openLinks: {}, logging: {} },
    { hostContext: context(options.theme ?? 'light', tool, width) }
  )
  const current = bridge
  current.onsizechange = ({ height }) => {
    if (height) frame.style.height = `${Math.ceil(height)}px`
  }
  const initialized = new Promise<void>((resolve) => {
    current.oninitialized = () => resolve()
  })
  await current.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!))
  current.oncalltool = async (params) => {
    calls.push({ name: params.name, arguments: params.arguments })
    return (await client.callTool(params)) as CallToolResult
  }
  const csp = `<meta http-equiv="Content-Security-Policy" content="${hostCsp(content._meta?.ui?.csp)}">`
  frame.srcdoc = content.text.replace('<head>', `<head>${csp}`)
  await initialized
  await current.sendToolInput({ arguments: args })
  await current.sendToolResult(result)
  return { result, uri, html: content.text }
}

async function setTheme(theme: Theme): Promise<void> {
  const tool = bridge ? tools.find((t) => t.name === document.getElementById('view')?.title) : undefined
  if (!bridge || !tool) return
  const width = Number.parseInt(document.getElementById('chat')!.style.width, 10)
  // Sends ui/notifications/host-context-changed with what changed (theme, style variables).
  bridge.setHostContext(context(theme, tool, width))
}

declare global {
  interface Window {
    torcHost: {
      connect: typeof connect
      show: typeof show
      setTheme: typeof setTheme
      calls: typeof calls
      callTool: (name: string, args: Record<string, unknown>) => Promise<unknown>
    }
  }
}

window.torcHost = {
  connect,
  show,
  setTheme,
  calls,
  callTool: async (name, args) => (await client.callTool({ name, arguments: args })).structuredContent,
}
