import {
  acceptedContent,
  completable,
  inputRequired,
  type McpServer,
  type ServerContext,
} from '@modelcontextprotocol/server'
import { z } from 'zod'
import { PNG_BASE64 } from './media.ts'

const SUGGESTIONS = ['testValue1', 'testValue2', 'paris', 'park']
const user = (text: string) => ({ role: 'user' as const, content: { type: 'text' as const, text } })

/** The suite's prompts (`prompts-*`), and the in-band-input prompt of `input-required-result-non-tool-request`. */
export function registerPrompts(server: McpServer): void {
  server.registerPrompt('test_simple_prompt', { title: 'Simple', description: 'No arguments' }, () => ({
    messages: [user('This is a simple prompt for testing.')],
  }))
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      title: 'With arguments',
      description: 'Two required arguments',
      argsSchema: z.object({
        arg1: completable(z.string().describe('First test argument'), (value) =>
          SUGGESTIONS.filter((s) => s.startsWith(value))
        ),
        arg2: z.string().describe('Second test argument'),
      }),
    },
    ({ arg1, arg2 }) => ({ messages: [user(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`)] })
  )
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      title: 'With a resource',
      description: 'Embeds the named resource',
      argsSchema: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
          },
        },
        user('Please process the embedded resource above.'),
      ],
    })
  )
  server.registerPrompt('test_prompt_with_image', { title: 'With an image', description: 'Includes a PNG' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: PNG_BASE64, mimeType: 'image/png' } },
      user('Please analyze the image above.'),
    ],
  }))
  server.registerPrompt(
    'test_input_required_result_prompt',
    { title: 'Needs context', description: 'Asks for context in-band before rendering' },
    (ctx: ServerContext) => {
      const given = acceptedContent(ctx.mcpReq.inputResponses, 'user_context', z.object({ context: z.string() }))
      if (given) return { messages: [user(`Use the following context: ${given.context}`)] }
      return inputRequired({
        inputRequests: {
          user_context: inputRequired.elicit({
            message: 'What context should the prompt use?',
            requestedSchema: { type: 'object', properties: { context: { type: 'string' } }, required: ['context'] },
          }),
        },
      })
    }
  )
}
