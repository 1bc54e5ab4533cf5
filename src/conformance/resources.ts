import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/server'
import { PNG_BASE64 } from './media.ts'

/**
 * The suite's resources (`resources-*`): a text and a binary resource, a template, and the
 * `test://watched-resource` the 2025 subscribe scenarios name (listed and readable; subscriptions
 * are not offered: a stateless server has no stream to send updates on).
 */
export function registerResources(server: McpServer): void {
  server.registerResource(
    'static-text',
    'test://static-text',
    { title: 'Static text', description: 'A fixed text resource', mimeType: 'text/plain' },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
    })
  )
  server.registerResource(
    'static-binary',
    'test://static-binary',
    { title: 'Static binary', description: 'A fixed PNG', mimeType: 'image/png' },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'image/png', blob: PNG_BASE64 }],
    })
  )
  server.registerResource(
    'template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { title: 'Template', description: 'Substitutes {id}', mimeType: 'application/json' },
    (uri, variables) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ id: variables.id, templateTest: true, data: `Data for ID: ${String(variables.id)}` }),
        },
      ],
    })
  )
  server.registerResource(
    'watched-resource',
    'test://watched-resource',
    { title: 'Watched', description: 'Named by the subscribe scenarios', mimeType: 'text/plain' },
    (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'Watched resource content' }],
    })
  )
}
