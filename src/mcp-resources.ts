import {
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  ResourceNotFoundError,
  ResourceTemplate,
} from '@modelcontextprotocol/server'
import { exampleDescription, findExample, findTopic, TOPIC_NAMES } from './docs/library.ts'
import { DOC_TOPICS, LISTED_EXAMPLES } from './docs/manifest.ts'
import { readReleaseFile } from './docs/source.ts'
import { ToolError } from './errors.ts'
import type { ToolContext } from './registry.ts'

/**
 * The pinned release's docs and examples as MCP resources, as torc-mcp-server offers them:
 * torc://docs/{topic} (markdown) and torc://examples/{name} (the spec, YAML first). Listed in
 * resources/list too, with completion of the names. A resource is the whole file (a client attaches
 * it deliberately); the tools get_docs and get_example serve the same text in budgeted parts.
 */
export function registerDocResources(server: McpServer, ctx: Pick<ToolContext, 'config' | 'signal'>): void {
  // The lists are fixed for the deployment's life, as the tools and prompts are.
  server.server.registerCapabilities({ resources: { listChanged: false } })
  const source = { baseUrl: ctx.config.TORC_DOCS_URL, timeoutMs: ctx.config.TORC_TIMEOUT_MS, signal: ctx.signal }
  const startingWith = (names: readonly string[]) => (value: string) => names.filter((n) => n.startsWith(value))

  server.registerResource(
    'torc-docs',
    new ResourceTemplate('torc://docs/{topic}', {
      list: () => ({
        resources: DOC_TOPICS.map((t) => ({
          uri: `torc://docs/${t.topic}`,
          name: `docs/${t.topic}`,
          description: t.description,
          mimeType: 'text/markdown',
        })),
      }),
      complete: { topic: startingWith(TOPIC_NAMES) },
    }),
    {
      title: 'Torc documentation',
      description: "A page of the pinned Torc release's documentation, by topic (see get_docs).",
      mimeType: 'text/markdown',
    },
    (uri, { topic }) =>
      answer(uri, async () => {
        const found = findTopic(String(topic))
        return { mimeType: 'text/markdown', text: await readReleaseFile(found.path, source) }
      })
  )

  server.registerResource(
    'torc-examples',
    new ResourceTemplate('torc://examples/{name}', {
      list: () => ({
        resources: LISTED_EXAMPLES.map((e) => ({
          uri: `torc://examples/${e.name}`,
          name: `examples/${e.name}`,
          description: exampleDescription(e.name),
          mimeType: 'text/plain',
        })),
      }),
      complete: { name: startingWith(LISTED_EXAMPLES.map((e) => e.name)) },
    }),
    {
      title: 'Torc example workflow spec',
      description: 'An example workflow spec of the pinned Torc release, YAML when there is one (see get_example).',
      mimeType: 'text/plain',
    },
    (uri, { name }) =>
      answer(uri, async () => {
        const file = findExample(String(name), 'yaml')
        return { mimeType: 'text/plain', text: await readReleaseFile(file.path, source) }
      })
  )
}

/** One resource read; ToolErrors become the protocol errors a client understands, with the same message. */
async function answer(uri: URL, read: () => Promise<{ mimeType: string; text: string }>): Promise<ReadResourceResult> {
  try {
    const { mimeType, text } = await read()
    return { contents: [{ uri: uri.href, mimeType, text }] }
  } catch (err) {
    if (!(err instanceof ToolError)) throw err
    if (err.code === 'not_found') throw new ResourceNotFoundError(uri.href, err.message)
    if (err.code === 'invalid_input') throw new ProtocolError(ProtocolErrorCode.InvalidParams, err.message)
    throw new ProtocolError(ProtocolErrorCode.InternalError, `${err.code}: ${err.message}`)
  }
}
