import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from './app-env.ts'
import { requireApiKey } from './auth.ts'
import { limitBody } from './body-limit.ts'
import { durableLedger } from './changes/ledger.ts'
import { parseConfig } from './config.ts'
import { ToolError, toErrorBody, toToolError } from './errors.ts'
import { hostAndOriginGuard, mcpCors } from './guard.ts'
import { health } from './health.ts'
import { logEvent } from './log.ts'
import { type McpExtension, serveMcp } from './mcp.ts'
import { documentTools, openApiDocument } from './openapi.ts'
import { agentClient } from './output/agent.ts'
import { OutputClient } from './output/client.ts'
import { logToolCall, type ToolContext } from './registry.ts'
import { mountRest, TOOL_ROUTES, toolRouteFallback } from './rest.ts'
import { tools } from './tools/index.ts'
import { TorcClient } from './torc/client.ts'
import { outputTransport, torcTransport } from './transport.ts'
import { WatchStore } from './watch/store.ts'

/** What every tool call gets, built per request from the parsed config and the caller. */
function toolContext(c: Context<AppEnv>): Omit<ToolContext, 'progress'> {
  const config = c.get('config')
  const signal = c.req.raw.signal
  const output = outputTransport(config, c.env)
  return {
    config,
    caller: c.get('caller'),
    signal,
    ledger: c.env.CHANGES ? durableLedger(c.env.CHANGES) : undefined,
    torc: new TorcClient(torcTransport(config, c.env), { timeoutMs: config.TORC_TIMEOUT_MS, signal }),
    output: output && new OutputClient(output, config.TORC_TIMEOUT_MS),
    agent: agentClient(config, c.env),
    watches: c.env.WATCHES ? new WatchStore(c.env.WATCHES) : undefined,
  }
}

export interface AppOptions {
  /** Adds to each per-request MCP server (the conformance build's fixtures); never set in production. */
  extendMcp?: McpExtension
  /** Replaces API-key/OAuth authentication (the conformance build's anonymous caller); never set in production. */
  authenticate?: MiddlewareHandler<AppEnv>
}

export function createApp(options: AppOptions = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>()

  app.use('*', async function loadConfig(c, next) {
    c.set('config', parseConfig(c.env))
    await next()
  })
  app.use('*', hostAndOriginGuard())
  app.get('/health', health)
  // ?tools=all (or a comma-separated list of names) instead of the default set, which fits GPT Actions.
  app.get('/openapi.json', (c) => {
    const asked = c.req.query('tools')
    const choice = asked === undefined ? 'default' : asked === 'all' ? 'all' : asked.split(',').filter(Boolean)
    const unknown = Array.isArray(choice) ? documentTools(choice).unknown : []
    if (unknown.length) {
      return c.json(
        toErrorBody(new ToolError('invalid_input', `invalid input: tools: no tool named ${unknown.join(', ')}`)),
        400
      )
    }
    const url = new URL(c.req.url).origin
    return c.json(openApiDocument(app, { writes: c.get('config').TORC_EDGE_WRITES, url, tools: choice }))
  })

  const authenticate = options.authenticate ?? requireApiKey()
  // Browser clients: CORS on /mcp, the preflight answered before authentication.
  app.use('/mcp', mcpCors())
  app.use('/mcp', authenticate)
  app.use('/v1/*', authenticate)
  // One body cap for both faces, after authentication: no stranger makes the Worker buffer a body.
  app.use('/mcp', limitBody())
  app.use('/v1/*', limitBody())
  app.all('/mcp', (c) => serveMcp(c.req.raw, tools, toolContext(c), options.extendMcp))
  mountRest(app, tools, toolContext)
  app.all(TOOL_ROUTES, toolRouteFallback(tools))

  app.notFound((c) => c.json(toErrorBody(new ToolError('not_found', `no route ${c.req.method} ${c.req.path}`)), 404))
  app.onError((err, c) => {
    if (err instanceof HTTPException && err.status < 500) {
      const error = new ToolError('invalid_input', err.message || 'bad request')
      // A body that is not JSON never reaches invoke(): log the call here.
      const tool = /^\/v1\/tools\/([a-z_]+)$/.exec(c.req.path)?.[1]
      if (tool) logToolCall(tool, c.get('caller'), 'rest', { ok: false, error }, 0)
      return c.json(toErrorBody(error), err.status as 400)
    }
    const error = toToolError(err)
    logEvent('request_error', { path: c.req.path, code: error.code, message: err.message })
    return c.json(toErrorBody(error), error.status)
  })
  return app
}
