import { type CallToolResult, fromJsonSchema, type McpServer } from '@modelcontextprotocol/server'
import { z } from 'zod'
import { PNG_BASE64, WAV_BASE64 } from './media.ts'

const noArguments = z.object({})
const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] })
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * The suite's content fixtures (`tools-call-*`): every content type, a tool error, request-scoped
 * logging and progress, and the 2026-07-28 `server-stateless` probes that need no client input.
 */
export function registerContentTools(server: McpServer): void {
  server.registerTool(
    'test_simple_text',
    { description: 'Answers with one text block', inputSchema: noArguments },
    () => text('This is a simple text response for testing.')
  )
  server.registerTool(
    'test_image_content',
    { description: 'Answers with one PNG image block', inputSchema: noArguments },
    () => ({
      content: [{ type: 'image', data: PNG_BASE64, mimeType: 'image/png' }],
    })
  )
  server.registerTool(
    'test_audio_content',
    { description: 'Answers with one WAV audio block', inputSchema: noArguments },
    () => ({
      content: [{ type: 'audio', data: WAV_BASE64, mimeType: 'audio/wav' }],
    })
  )
  server.registerTool(
    'test_embedded_resource',
    { description: 'Answers with an embedded text resource', inputSchema: noArguments },
    () => ({
      content: [
        {
          type: 'resource',
          resource: {
            uri: 'test://embedded-resource',
            mimeType: 'text/plain',
            text: 'This is an embedded resource content.',
          },
        },
      ],
    })
  )
  server.registerTool(
    'test_multiple_content_types',
    { description: 'Answers with text, an image and an embedded JSON resource', inputSchema: noArguments },
    () => ({
      content: [
        { type: 'text', text: 'Multiple content types test:' },
        { type: 'image', data: PNG_BASE64, mimeType: 'image/png' },
        {
          type: 'resource',
          resource: {
            uri: 'test://mixed-content-resource',
            mimeType: 'application/json',
            text: JSON.stringify({ test: 'data', value: 123 }),
          },
        },
      ],
    })
  )
  server.registerTool(
    'test_error_handling',
    { description: 'Always fails: an isError tool result', inputSchema: noArguments },
    () => {
      throw new Error('This tool intentionally returns an error for testing')
    }
  )
  server.registerTool(
    'test_tool_with_logging',
    { description: 'Sends three log notifications on the response stream while it runs', inputSchema: noArguments },
    async (_args, ctx) => {
      for (const step of ['Tool execution started', 'Tool processing data', 'Tool execution completed']) {
        await ctx.mcpReq.notify({ method: 'notifications/message', params: { level: 'info', data: step } })
        await pause(20)
      }
      return text('Tool with logging executed successfully')
    }
  )
  server.registerTool(
    'test_tool_with_progress',
    { description: 'Reports progress 0, 50, 100 when the request carries a progress token', inputSchema: noArguments },
    async (_args, ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken
      if (progressToken === undefined) return text('no progress token')
      for (const progress of [0, 50, 100]) {
        await ctx.mcpReq.notify({
          method: 'notifications/progress',
          params: { progressToken, progress, total: 100, message: `step ${progress}` },
        })
        if (progress < 100) await pause(20)
      }
      return text(String(progressToken))
    }
  )
  // server-stateless (2026-07-28): a plain call whose stream must carry no server-to-client request,
  // and a log call that must stay silent because the request set no _meta logLevel.
  server.registerTool(
    'test_streaming_elicitation',
    { description: 'Completes without asking the client anything', inputSchema: noArguments },
    () => text('result frames only')
  )
  server.registerTool(
    'test_logging_tool',
    { description: 'Logs through the request-scoped, logLevel-gated channel', inputSchema: noArguments },
    async (_args, ctx) => {
      await ctx.mcpReq.log('info', 'test_logging_tool ran')
      return text('logged (delivered only when the request set _meta logLevel)')
    }
  )
  registerSchemaTools(server)
}

/**
 * Input schemas advertised verbatim: JSON Schema 2020-12 keywords (`json-schema-2020-12`) and a
 * SEP-2243 `x-mcp-header` parameter mirrored into an `Mcp-Param-*` request header.
 */
function registerSchemaTools(server: McpServer): void {
  const contact = fromJsonSchema<Record<string, unknown>>({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    $defs: {
      address: {
        $anchor: 'addressDef',
        type: 'object',
        properties: { street: { type: 'string' }, city: { type: 'string' } },
      },
    },
    properties: {
      name: { type: 'string' },
      address: { $ref: '#/$defs/address' },
      contactMethod: { type: 'string', enum: ['phone', 'email'] },
      phone: { type: 'string' },
      email: { type: 'string' },
    },
    allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
    if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
    then: { required: ['phone'] },
    else: { required: ['email'] },
    additionalProperties: false,
  })
  server.registerTool(
    'json_schema_2020_12_tool',
    { description: 'A contact form in JSON Schema 2020-12', inputSchema: contact },
    (args) => text(`called with ${JSON.stringify(args)}`)
  )
  // An extension keyword, so not part of the JSON Schema type: passed as a variable, not a literal.
  const mirrored = { type: 'string', description: 'mirrored into Mcp-Param-Region', 'x-mcp-header': 'Region' } as const
  const region = fromJsonSchema<{ region?: string; level?: number }>({
    type: 'object',
    properties: {
      region: mirrored,
      level: { type: 'integer', description: 'not mirrored' },
    },
  })
  server.registerTool(
    'test_x_mcp_header',
    { description: 'Declares an x-mcp-header parameter (SEP-2243)', inputSchema: region },
    (args) => text(`region=${args.region ?? '<none>'}`)
  )
}
