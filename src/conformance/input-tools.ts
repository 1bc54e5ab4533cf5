import {
  acceptedContent,
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type InputRequests,
  inputRequired,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server'
import { z } from 'zod'
import type { StateSeal } from './request-state.ts'

const noArguments = z.object({})
const text = (value: string): CallToolResult => ({ content: [{ type: 'text', text: value }] })
const Named = z.object({ name: z.string() })
const Confirmed = z.object({ ok: z.boolean() })
const Colour = z.object({ color: z.string() })
const Reply = z.object({ response: z.string().describe("The user's response") })

const askName = () => inputRequired.elicit({ message: 'What is your name?', requestedSchema: Named })
const askConfirmation = () => inputRequired.elicit({ message: 'Please confirm', requestedSchema: Confirmed })
const askCompletion = (prompt: string) =>
  inputRequired.createMessage({ messages: [{ role: 'user', content: { type: 'text', text: prompt } }], maxTokens: 100 })
const Sampled = z.object({ content: z.object({ text: z.string() }) })
const Roots = z.object({ roots: z.array(z.object({ uri: z.string() })) })
/** The client capabilities a 2026-07-28 request declares in its `_meta` envelope. */
const DeclaredCapabilities = z.object({
  [CLIENT_CAPABILITIES_META_KEY]: z
    .object({ elicitation: z.unknown(), sampling: z.unknown(), roots: z.unknown() })
    .partial()
    .optional(),
})

/** The response under `key`, when it has the shape asked for (input responses are untrusted). */
function response<S extends z.ZodType>(ctx: ServerContext, key: string, schema: S): z.output<S> | undefined {
  const parsed = schema.safeParse(ctx.mcpReq.inputResponses?.[key])
  return parsed.success ? parsed.data : undefined
}

/** The round's sealed state; the HTTP front has already refused forged state (request-state.ts). */
async function state(ctx: ServerContext, seal: StateSeal): Promise<Record<string, unknown> | undefined> {
  const raw = ctx.mcpReq.requestState<unknown>()
  return typeof raw === 'string' ? seal.open(raw) : undefined
}

/**
 * Multi-round-trip fixtures (2026-07-28 `input-required-result-*`, `server-stateless`), written
 * once in the SDK's `inputRequired` style. The 2025-era names (`test_sampling`, `test_elicitation`,
 * …) use the same mechanism: on a 2025 request it needs a server-to-client request, which a
 * stateless server cannot receive the answer to, so those fail by design (see the baseline).
 */
export function registerInputTools(server: McpServer, seal: StateSeal): void {
  server.registerTool(
    'test_input_required_result_elicitation',
    { description: 'Asks for the caller name in-band, then greets', inputSchema: noArguments },
    (_args, ctx) => {
      const named = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', Named)
      return named ? text(`Hello, ${named.name}!`) : inputRequired({ inputRequests: { user_name: askName() } })
    }
  )
  server.registerTool(
    'test_input_required_result_sampling',
    { description: 'Asks the client for an LLM completion in-band', inputSchema: noArguments },
    (_args, ctx) => {
      const answer = response(ctx, 'capital_question', Sampled)
      if (answer) return text(`Sampling response: ${answer.content.text}`)
      return inputRequired({ inputRequests: { capital_question: askCompletion('What is the capital of France?') } })
    }
  )
  server.registerTool(
    'test_input_required_result_list_roots',
    { description: 'Asks the client for its roots in-band', inputSchema: noArguments },
    (_args, ctx) => {
      const roots = response(ctx, 'client_roots', Roots)
      if (roots)
        return text(`Client exposed ${roots.roots.length} root(s): ${roots.roots.map((r) => r.uri).join(', ')}`)
      return inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } })
    }
  )
  server.registerTool(
    'test_input_required_result_request_state',
    { description: 'Round-trips sealed requestState next to a confirmation', inputSchema: noArguments },
    async (_args, ctx) => {
      const sealed = await state(ctx, seal)
      if (sealed?.tool === 'request_state' && acceptedContent(ctx.mcpReq.inputResponses, 'confirm', Confirmed)) {
        return text('state-ok: requestState verified and confirmation received')
      }
      return inputRequired({
        inputRequests: { confirm: askConfirmation() },
        requestState: await seal.seal({ tool: 'request_state' }),
      })
    }
  )
  server.registerTool(
    'test_input_required_result_multiple_inputs',
    { description: 'Asks for a name, a completion and the roots in one round', inputSchema: noArguments },
    async (_args, ctx) => {
      const named = acceptedContent(ctx.mcpReq.inputResponses, 'user_name', Named)
      const greeting = response(ctx, 'greeting', Sampled)
      const roots = response(ctx, 'client_roots', Roots)
      if (named && greeting && roots)
        return text(`${greeting.content.text} ${named.name}: ${roots.roots.length} root(s)`)
      return inputRequired({
        inputRequests: {
          user_name: askName(),
          greeting: askCompletion('Generate a greeting'),
          client_roots: inputRequired.listRoots(),
        },
        requestState: await seal.seal({ tool: 'multiple_inputs' }),
      })
    }
  )
  server.registerTool(
    'test_input_required_result_multi_round',
    { description: 'Two elicitation rounds, the round number kept in sealed requestState', inputSchema: noArguments },
    async (_args, ctx) => {
      const sealed = await state(ctx, seal)
      const round = sealed?.tool === 'multi_round' && typeof sealed.round === 'number' ? sealed.round : 0
      if (round === 0) {
        return inputRequired({
          inputRequests: { step1: inputRequired.elicit({ message: 'Step 1: your name?', requestedSchema: Named }) },
          requestState: await seal.seal({ tool: 'multi_round', round: 1 }),
        })
      }
      if (round === 1) {
        const name = acceptedContent(ctx.mcpReq.inputResponses, 'step1', Named)?.name ?? 'unknown'
        return inputRequired({
          inputRequests: {
            step2: inputRequired.elicit({ message: 'Step 2: favourite colour?', requestedSchema: Colour }),
          },
          requestState: await seal.seal({ tool: 'multi_round', round: 2, name }),
        })
      }
      const colour = acceptedContent(ctx.mcpReq.inputResponses, 'step2', Colour)?.color ?? 'unknown'
      return text(`Multi-round complete: ${String(sealed?.name)} likes ${colour}`)
    }
  )
  server.registerTool(
    'test_input_required_result_tampered_state',
    {
      description: 'Seals requestState; a forged one is refused with -32602 before this runs',
      inputSchema: noArguments,
    },
    async (_args, ctx) => {
      if (
        (await state(ctx, seal))?.tool === 'tampered_state' &&
        acceptedContent(ctx.mcpReq.inputResponses, 'confirm', Confirmed)
      ) {
        return text('integrity-ok: requestState verified')
      }
      return inputRequired({
        inputRequests: { confirm: askConfirmation() },
        requestState: await seal.seal({ tool: 'tampered_state' }),
      })
    }
  )
  server.registerTool(
    'test_input_required_result_capabilities',
    { description: 'Asks only for the input kinds the request declares it can answer', inputSchema: noArguments },
    (_args, ctx) => {
      if (ctx.mcpReq.inputResponses !== undefined) return text('Capability-aware input requests fulfilled')
      const declared = DeclaredCapabilities.safeParse(ctx.mcpReq.envelope).data?.[CLIENT_CAPABILITIES_META_KEY]
      const inputRequests: InputRequests = {}
      if (declared?.elicitation !== undefined) inputRequests.user_name = askName()
      if (declared?.sampling !== undefined) inputRequests.greeting = askCompletion('Generate a short greeting')
      if (declared?.roots !== undefined) inputRequests.client_roots = inputRequired.listRoots()
      if (Object.keys(inputRequests).length === 0)
        return text('No declared client capability supports an in-band input request')
      return inputRequired({ inputRequests })
    }
  )
  // server-stateless: needs sampling; called without that capability the SDK answers -32021.
  server.registerTool(
    'test_missing_capability',
    { description: 'Needs the sampling client capability', inputSchema: noArguments },
    (_args, ctx) => {
      if (response(ctx, 'llm_answer', Sampled)) return text('sampling round-trip complete')
      return inputRequired({ inputRequests: { llm_answer: askCompletion('Reply with the single word: pong') } })
    }
  )
  registerLegacyInputTools(server)
}

/** The 2025-11-25 names: the same in-band requests, which only a session could carry on that era. */
function registerLegacyInputTools(server: McpServer): void {
  server.registerTool(
    'test_sampling',
    {
      description: 'Asks the client for an LLM completion',
      inputSchema: z.object({ prompt: z.string().describe('The prompt to send') }),
    },
    ({ prompt }, ctx) => {
      const answer = response(ctx, 'completion', Sampled)
      return answer
        ? text(`LLM response: ${answer.content.text}`)
        : inputRequired({ inputRequests: { completion: askCompletion(prompt) } })
    }
  )
  server.registerTool(
    'test_elicitation',
    {
      description: 'Asks the user for a response',
      inputSchema: z.object({ message: z.string().describe('The message to show') }),
    },
    ({ message }, ctx) => {
      const reply = ctx.mcpReq.inputResponses?.reply
      if (reply !== undefined) return text(`User response: ${JSON.stringify(reply)}`)
      return inputRequired({ inputRequests: { reply: inputRequired.elicit({ message, requestedSchema: Reply }) } })
    }
  )
  server.registerTool(
    'test_elicitation_sep1034_defaults',
    { description: 'Elicits a form whose every primitive field has a default (SEP-1034)', inputSchema: noArguments },
    (_args, ctx) => {
      const reply = ctx.mcpReq.inputResponses?.form
      if (reply !== undefined) return text(`Elicitation completed: ${JSON.stringify(reply)}`)
      return inputRequired({
        inputRequests: {
          form: inputRequired.elicit({
            message: 'Please review and update the form fields with defaults',
            requestedSchema: {
              type: 'object',
              properties: {
                name: { type: 'string', description: 'User name', default: 'John Doe' },
                age: { type: 'integer', description: 'User age', default: 30 },
                score: { type: 'number', description: 'User score', default: 95.5 },
                status: {
                  type: 'string',
                  description: 'User status',
                  enum: ['active', 'inactive', 'pending'],
                  default: 'active',
                },
                verified: { type: 'boolean', description: 'Verification status', default: true },
              },
              required: [],
            },
          }),
        },
      })
    }
  )
  server.registerTool(
    'test_elicitation_sep1330_enums',
    { description: 'Elicits the five enum schema variants (SEP-1330)', inputSchema: noArguments },
    (_args, ctx) => {
      const reply = ctx.mcpReq.inputResponses?.form
      if (reply !== undefined) return text(`Elicitation completed: ${JSON.stringify(reply)}`)
      const choices = ['value1', 'value2', 'value3'] as const
      const titled = choices.map((value, i) => ({ const: value, title: `Choice ${i + 1}` }))
      return inputRequired({
        inputRequests: {
          form: inputRequired.elicit({
            message: 'Please select options from the enum fields',
            requestedSchema: {
              type: 'object',
              properties: {
                untitledSingle: { type: 'string', description: 'Select one', enum: ['option1', 'option2', 'option3'] },
                titledSingle: { type: 'string', description: 'Select one (titled)', oneOf: titled },
                legacyEnum: {
                  type: 'string',
                  description: 'Select one (legacy)',
                  enum: ['opt1', 'opt2', 'opt3'],
                  enumNames: ['One', 'Two', 'Three'],
                },
                untitledMulti: {
                  type: 'array',
                  description: 'Select several',
                  minItems: 1,
                  maxItems: 3,
                  items: { type: 'string', enum: ['option1', 'option2', 'option3'] },
                },
                titledMulti: {
                  type: 'array',
                  description: 'Select several (titled)',
                  minItems: 1,
                  maxItems: 3,
                  items: { anyOf: titled },
                },
              },
              required: [],
            },
          }),
        },
      })
    }
  )
}
