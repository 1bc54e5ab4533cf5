import { createRoute, type OpenAPIHono, z as zo } from '@hono/zod-openapi'
import type { Context, Handler, MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import { MAX_REQUEST_BYTES } from './body-limit.ts'
import { ERROR_STATUS, ToolError, toErrorBody } from './errors.ts'
import { type AnyTool, invoke, isVisible, type ToolContext } from './registry.ts'

export const ErrorSchema = zo
  .object({
    error: zo.object({
      code: zo.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS]).describe('Machine-readable error code.'),
      message: zo.string().describe('What went wrong, naming the field or the unreachable service.'),
    }),
  })
  .openapi('Error')

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
})

/** GPT Actions cap an operation description at 300 characters: keep whole sentences that fit. */
export function operationDescription(text: string, max = 300): string {
  if (text.length <= max) return text
  const sentences = text.match(/[^.!?]+[.!?]+(\s|$)/g) ?? [text]
  let out = ''
  for (const sentence of sentences) {
    if ((out + sentence).trim().length > max) break
    out += sentence
  }
  return (out || `${text.slice(0, max - 1)}…`).trim()
}

export const operationId = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase())

/** Per-request tool context, as both faces build it (src/app.ts). */
export type ContextFactory = (c: Context<AppEnv>) => Omit<ToolContext, 'progress'>

/**
 * A write tool answers 403 before its input is validated when the caller may not use it; invoke()
 * makes the refusal (and logs it) without reading the input.
 */
function requireAccess(tool: AnyTool, context: ContextFactory): MiddlewareHandler<AppEnv> {
  return async function requireAccess(c, next) {
    const config = c.get('config')
    if (isVisible(tool, { writesEnabled: config.TORC_EDGE_WRITES, caller: c.get('caller') })) return next()
    const outcome = await invoke(tool, undefined, { ...context(c), progress: async () => {} }, 'rest')
    if (outcome.ok) throw new Error(`${tool.name} ran for a caller who may not see it`)
    return c.json(toErrorBody(outcome.error), outcome.error.status)
  }
}

/**
 * The body is required (the document says so): a request without one is refused naming it, where
 * the validator would read the missing body as `{}`. Reads the (capped) body once; Hono caches it.
 */
const requireBody: MiddlewareHandler<AppEnv> = async function requireBody(c, next) {
  const text = c.req.raw.body ? await c.req.text() : ''
  if (text.trim() !== '') return next()
  const error = new ToolError('invalid_input', 'request body: required, a JSON object (Content-Type: application/json)')
  return c.json(toErrorBody(error), 400)
}

/**
 * The route's answer to input its schema refuses: invoke() validates again, so the refusal says the
 * same as over MCP and is logged like every other call.
 */
function invalidInput(tool: AnyTool, context: ContextFactory) {
  return async (result: { success: boolean; error?: unknown }, c: Context<AppEnv>) => {
    if (result.success) return undefined
    const body: unknown = await c.req.json().catch(() => undefined)
    const outcome = await invoke(tool, body, { ...context(c), progress: async () => {} }, 'rest')
    const error = outcome.ok ? new ToolError('invalid_input', 'invalid input') : outcome.error
    return c.json(toErrorBody(error), error.status)
  }
}

/** One POST route per tool at /v1/tools/<name>, all from the registry: no per-tool code. */
export function mountRest(app: OpenAPIHono<AppEnv>, tools: readonly AnyTool[], context: ContextFactory): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'A torc-edge API key (or an OAuth access token).',
  })
  for (const tool of tools) {
    const route = createRoute({
      method: 'post',
      path: `/v1/tools/${tool.name}`,
      operationId: operationId(tool.name),
      summary: tool.title,
      description: operationDescription(tool.description),
      tags: [tool.annotations.readOnlyHint ? 'read' : 'write'],
      security: [{ bearer: [] }],
      middleware: [requireAccess(tool, context), requireBody] as const,
      'x-openai-isConsequential': !tool.annotations.readOnlyHint,
      request: { body: { required: true, content: { 'application/json': { schema: tool.input } } } },
      responses: {
        200: { description: 'The tool result.', content: { 'application/json': { schema: tool.output } } },
        400: errorResponse('Invalid input; the message names the field.'),
        401: errorResponse('Missing or invalid credential.'),
        403: errorResponse('The credential may not call this tool, or Torc refused the request.'),
        404: errorResponse('The workflow, job or file does not exist.'),
        409: errorResponse('The state changed; preview again.'),
        413: errorResponse(`The request body is over ${MAX_REQUEST_BYTES} bytes.`),
        502: errorResponse('Torc or the output site is unreachable or failed.'),
        504: errorResponse('Torc did not answer in time.'),
      },
    })
    app.openapi(
      route,
      async (c) => {
        const outcome = await invoke(tool, c.req.valid('json'), { ...context(c), progress: async () => {} }, 'rest')
        if (outcome.ok) return c.json(outcome.data, 200)
        return c.json(toErrorBody(outcome.error), outcome.error.status) as never
      },
      invalidInput(tool, context) as never
    )
  }
}

/** The path the fallback is mounted on: a wildcard, not `:name`, which would cost Hono its RegExpRouter. */
export const TOOL_ROUTES = '/v1/tools/*'

/** The one segment after /v1/tools/, decoded like a route parameter; undefined for none or several. */
function toolSegment(path: string): string | undefined {
  const rest = path.slice('/v1/tools/'.length)
  if (rest === '' || rest.includes('/')) return undefined
  try {
    return decodeURIComponent(rest)
  } catch {
    return rest
  }
}

/**
 * What /v1/tools/<name> answers when no tool route did: 405 (Allow: POST) for a tool's name with
 * another method, else the same not-found as MCP's for an unknown tool. Looked up in a Set, so
 * `__proto__` or `constructor` are unknown names like any other. Any other path under /v1/tools/ is
 * no route at all.
 */
export function toolRouteFallback(tools: readonly AnyTool[]): Handler<AppEnv> {
  const names = new Set(tools.map((tool) => tool.name))
  return (c) => {
    const name = toolSegment(c.req.path)
    if (name === undefined) return c.notFound()
    if (!names.has(name)) {
      return c.json(toErrorBody(new ToolError('not_found', `Tool ${name.slice(0, 100)} not found`)), 404)
    }
    c.header('Allow', 'POST')
    const error = new ToolError('method_not_allowed', `${c.req.method} is not allowed on /v1/tools/${name}: use POST`)
    return c.json(toErrorBody(error), 405)
  }
}

/**
 * zod's int() accepts only safe integers (|n| <= 2^53 - 1) but the generator writes no bound unless a
 * schema sets one: every integer of a request body gets the bounds the runtime applies, so the
 * document and the validation agree (a client or fuzzer keeping to the document is never refused).
 */
export function boundIntegers(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) boundIntegers(item)
    return
  }
  if (node === null || typeof node !== 'object') return
  const schema = node as Record<string, unknown>
  const type = schema.type
  if (type === 'integer' || (Array.isArray(type) && type.includes('integer'))) {
    if (schema.maximum === undefined && schema.exclusiveMaximum === undefined) schema.maximum = Number.MAX_SAFE_INTEGER
    if (schema.minimum === undefined && schema.exclusiveMinimum === undefined) schema.minimum = Number.MIN_SAFE_INTEGER
  }
  for (const value of Object.values(schema)) boundIntegers(value)
}
