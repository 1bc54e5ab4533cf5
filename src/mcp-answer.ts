import {
  type CallToolResult,
  isJsonContentType,
  isLegacyRequest,
  JSONRPC_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server'
import { type AnyTool, invoke, isVisible, type Outcome, type ToolContext } from './registry.ts'

/**
 * Text next to the structured result (a one-line summary, then the JSON for clients that read only
 * text), and any files the tool hands over as embedded resources the client can save.
 */
export function render(tool: AnyTool, outcome: Outcome): CallToolResult {
  if (!outcome.ok) {
    return { isError: true, content: [{ type: 'text', text: `${outcome.error.code}: ${outcome.error.message}` }] }
  }
  const summary = tool.summarize?.(outcome.data)
  const files = tool.resources?.(outcome.data) ?? []
  // A file handed over as a resource is not repeated in the text: clients that read only text are
  // told where it is, and structuredContent keeps every field.
  const carried = new Map(files.map((f) => [f.text, f.uri]))
  const json = carried.size
    ? JSON.stringify(outcome.data, (_key, value: unknown) =>
        typeof value === 'string' && carried.has(value) ? `(the embedded resource ${carried.get(value)})` : value
      )
    : JSON.stringify(outcome.data)
  return {
    content: [
      { type: 'text', text: summary ? `${summary}\n${json}` : json },
      ...files.map((resource) => ({ type: 'resource' as const, resource })),
    ],
    structuredContent: outcome.data,
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
const only = (value: Record<string, unknown>, keys: readonly string[]) =>
  Object.keys(value).every((k) => keys.includes(k))

/**
 * The tool a request calls when it is nothing but a plain 2025-era tools/call that asks for no
 * progress, of a tool this caller sees, sent as the SDK's transport requires (it accepts JSON and
 * an event stream, its body is JSON, its protocol version is one the SDK serves); else undefined.
 */
async function plainToolCall(
  request: Request,
  body: unknown,
  tools: readonly AnyTool[],
  ctx: Omit<ToolContext, 'progress'>
): Promise<{ tool: AnyTool; id: string | number; args: Record<string, unknown> } | undefined> {
  const accept = request.headers.get('accept') ?? ''
  const version = request.headers.get('mcp-protocol-version')
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) return undefined
  if (!isJsonContentType(request.headers.get('content-type'))) return undefined
  if (version !== null && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return undefined
  if (!isPlainObject(body) || !only(body, ['jsonrpc', 'id', 'method', 'params'])) return undefined
  const { jsonrpc, id, method, params } = body
  if (jsonrpc !== JSONRPC_VERSION || method !== 'tools/call') return undefined
  if (!(typeof id === 'string' || Number.isSafeInteger(id))) return undefined
  if (!isPlainObject(params) || !only(params, ['name', 'arguments', '_meta'])) return undefined
  const { name, arguments: args = {}, _meta: meta = {} } = params
  // Any _meta (a progress token, a related task, trace context) is the SDK's to act on.
  if (!isPlainObject(args) || !isPlainObject(meta) || Object.keys(meta).length > 0) return undefined
  const access = { writesEnabled: ctx.config.TORC_EDGE_WRITES, caller: ctx.caller }
  const tool = tools.find((t) => t.name === name && isVisible(t, access))
  if (!tool || !(await isLegacyRequest(request, body))) return undefined
  return { tool, id: id as string | number, args }
}

/**
 * A plain 2025-era tool call (see plainToolCall) answered here as one JSON body: the answer the
 * SDK's stateless transport and server give it (test/unit/mcp-answer.test.ts compares the two
 * request by request), without building either for the request, which was about 0.7 ms of a small
 * tool call in workerd. Undefined for every other request: the SDK serves those.
 */
export async function answerToolCall(
  request: Request,
  body: unknown,
  tools: readonly AnyTool[],
  ctx: Omit<ToolContext, 'progress'>
): Promise<Response | undefined> {
  const call = await plainToolCall(request, body, tools, ctx)
  if (!call) return undefined
  const outcome = await invoke(call.tool, call.args, { ...ctx, progress: async () => {} }, 'mcp')
  return Response.json({ result: render(call.tool, outcome), jsonrpc: JSONRPC_VERSION, id: call.id })
}
