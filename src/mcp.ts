import { createMcpHandler, McpServer, type StandardSchemaWithJSON } from '@modelcontextprotocol/server'
import type { z } from 'zod'
import { MAX_REQUEST_BYTES } from './body-limit.ts'
import { logEvent } from './log.ts'
import { answerToolCall, render } from './mcp-answer.ts'
import { registerDocResources } from './mcp-resources.ts'
import { prompts } from './prompts.ts'
import { type AnyTool, invoke, isVisible, type ToolContext } from './registry.ts'
import { VERSION } from './version.ts'
import { registerViews, viewMeta } from './views/register.ts'

const INSTRUCTIONS =
  'torc-edge drives Torc HPC workflows remotely. Start with list_workflows or get_workflow_status; ' +
  'for failures use list_failed_jobs, then get_job_details. Tools that change state preview first ' +
  '(dry_run defaults to true): show the preview and ask before applying.'

type JsonSchemaOptions = Parameters<NonNullable<z.ZodObject['~standard']['jsonSchema']>['input']>[0]
type Converted = Record<string, unknown>

/** JSON Schemas of the registry's zod schemas, converted once per isolate (they never change). */
const converted = new WeakMap<z.ZodObject, Map<string, Converted>>()
const wrappers = new WeakMap<z.ZodObject, StandardSchemaWithJSON>()

function jsonOf(schema: z.ZodObject, io: 'input' | 'output', options: JsonSchemaOptions): Converted {
  const byTarget = converted.get(schema) ?? new Map<string, Converted>()
  converted.set(schema, byTarget)
  const key = `${io}:${JSON.stringify(options)}`
  let json = byTarget.get(key)
  if (!json) {
    json = schema['~standard'].jsonSchema[io](options) as Converted
    byTarget.set(key, json)
  }
  return json
}

/**
 * A registry schema as the SDK sees it: its JSON Schema (converted once, not on every request's
 * fresh server), and a validation that accepts anything, because invoke() validates input and
 * output itself: so every call reaches invoke() and is refused there like over REST, with the same
 * message and log line, and no result is parsed twice.
 */
function forSdk(schema: z.ZodObject): StandardSchemaWithJSON {
  let wrapper = wrappers.get(schema)
  if (!wrapper) {
    wrapper = {
      '~standard': {
        version: 1,
        vendor: 'torc-edge',
        validate: (value: unknown) => ({ value }),
        jsonSchema: {
          input: (options: JsonSchemaOptions) => jsonOf(schema, 'input', options),
          output: (options: JsonSchemaOptions) => jsonOf(schema, 'output', options),
        },
      },
    } as StandardSchemaWithJSON
    wrappers.set(schema, wrapper)
  }
  return wrapper
}

/**
 * The SDK keeps tools and prompts in plain objects and looks a requested name up as `registry[name]`,
 * so `__proto__`, `constructor` or `toString` found Object.prototype's members and answered
 * "Tool … disabled". Without a prototype every name that was not registered is "not found".
 */
function withoutPrototypes(server: McpServer): McpServer {
  for (const key of [
    '_registeredTools',
    '_registeredPrompts',
    '_registeredResources',
    '_registeredResourceTemplates',
  ]) {
    const registry: unknown = Reflect.get(server, key)
    if (registry === null || typeof registry !== 'object')
      throw new Error(`the MCP SDK has no ${key}: see withoutPrototypes`)
    Object.setPrototypeOf(registry, null)
  }
  return server
}

/** Registers more on each per-request server (used only by the conformance build's fixtures). */
export type McpExtension = (server: McpServer) => void

/**
 * A fresh McpServer holding the tools this caller may see: built per request, nothing shared. For a
 * tools/call (`only` is its tool's name) it holds that tool alone, since the request can use nothing
 * else: registering all of them, the prompts, resources and views was most of an MCP call's own cost.
 */
function buildServer(
  tools: readonly AnyTool[],
  ctx: Omit<ToolContext, 'progress'>,
  extend?: McpExtension,
  only?: string
): McpServer {
  const server = withoutPrototypes(
    new McpServer(
      { name: 'torc-edge', title: 'Torc (edge)', version: VERSION },
      // The lists are fixed for a deployment's life (and each request has its own server): no
      // list_changed notification will ever come, so none is promised.
      { instructions: INSTRUCTIONS, capabilities: { tools: { listChanged: false }, prompts: { listChanged: false } } }
    )
  )
  const access = { writesEnabled: ctx.config.TORC_EDGE_WRITES, caller: ctx.caller }
  const visible = tools.filter((tool) => (only === undefined || tool.name === only) && isVisible(tool, access))
  for (const tool of visible) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: forSdk(tool.input),
        outputSchema: forSdk(tool.output),
        annotations: { title: tool.title, ...tool.annotations },
        _meta: viewMeta(tool.view),
      },
      async (args, extra) => {
        const token = extra.mcpReq._meta?.progressToken
        const progress: ToolContext['progress'] = async (value, total, message) => {
          if (token === undefined) return
          await extra.mcpReq.notify({
            method: 'notifications/progress',
            params: { progressToken: token, progress: value, total, message },
          })
        }
        const signal = AbortSignal.any([ctx.signal, extra.mcpReq.signal])
        return render(tool, await invoke(tool, args, { ...ctx, signal, progress }, 'mcp'))
      }
    )
  }
  if (only !== undefined) {
    extend?.(server)
    return server
  }
  const names = new Set(visible.map((t) => t.name))
  for (const prompt of prompts) {
    if (!prompt.requires.every((name) => names.has(name))) continue
    server.registerPrompt(
      prompt.name,
      { title: prompt.title, description: prompt.description, argsSchema: prompt.args },
      (args) => ({
        description: prompt.description,
        messages: [{ role: 'user', content: { type: 'text', text: prompt.render(args as Record<string, string>) } }],
      })
    )
  }
  registerDocResources(server, ctx)
  registerViews(server)
  extend?.(server)
  return server
}

/** The body of a POST, parsed, or its text when it is not JSON (the SDK answers that); else undefined. */
async function readBody(request: Request): Promise<{ json: unknown } | { text: string } | undefined> {
  if (request.method !== 'POST' || !request.body) return undefined
  const text = await request.text()
  try {
    return { json: JSON.parse(text) }
  } catch {
    return { text }
  }
}

/** What the SDK refused or failed out of band (a bad Accept header, a broken stream): one log line. */
const reportMcpError = (error: Error) => logEvent('mcp_error', { message: error.message })

/** The tool a single tools/call request names. */
function calledTool(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined
  const { method, params } = body as { method?: unknown; params?: { name?: unknown } }
  return method === 'tools/call' && typeof params?.name === 'string' ? params.name : undefined
}

/** Serves one HTTP request on /mcp: 2026-07-28 stateless and 2025-era clients, GET/DELETE answer 405. */
export async function serveMcp(
  request: Request,
  tools: readonly AnyTool[],
  ctx: Omit<ToolContext, 'progress'>,
  extend?: McpExtension,
  /** Every request through the SDK, even a plain tool call (test/unit/mcp-answer.test.ts compares the two). */
  options: { sdkOnly?: boolean } = {}
): Promise<Response> {
  const body = await readBody(request)
  const parsed = body && 'json' in body ? body.json : undefined
  const answered = options.sdkOnly ? undefined : await answerToolCall(request, parsed, tools, ctx)
  if (answered) return answered
  const only = calledTool(parsed)
  const build = () => buildServer(tools, ctx, extend, only)
  const handler = createMcpHandler(build, {
    legacy: 'stateless',
    // src/app.ts refuses larger bodies first (in the error envelope); the same number, so never a second cap.
    maxRequestBodySize: MAX_REQUEST_BYTES,
    onerror: reportMcpError,
  })
  if (body === undefined) return handler.fetch(request)
  // The body was read here once: the SDK gets it parsed, or (not JSON) as the text it would have read.
  if ('json' in body) return handler.fetch(request, { parsedBody: body.json })
  return handler.fetch(new Request(request, { body: body.text }))
}
