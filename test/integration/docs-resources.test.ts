import { describe, expect, inject, it } from 'vitest'
import { DOC_TOPICS, LISTED_EXAMPLES } from '../../src/docs/manifest.ts'
import { type Era, mcpClient } from '../helpers/worker-faces.ts'

/**
 * torc://docs/{topic} and torc://examples/{name}: the resources torc-mcp-server offers, served from
 * the same docs source as get_docs (test/setup/docs-server.ts), through both protocol eras.
 */
const sourceText = async (path: string) => (await fetch(`${inject('docsUrl')}/${path}`)).text()

describe.each<Era>(['modern', 'legacy'])('docs resources (%s)', (era) => {
  it('offers two templates, lists every topic and listed example, and promises no list changes', async () => {
    const client = await mcpClient({ era, key: inject('readKey') })
    expect(client.getServerCapabilities()?.resources).toEqual({ listChanged: false })
    const { resourceTemplates } = await client.listResourceTemplates()
    expect(resourceTemplates.map((t) => [t.name, t.uriTemplate])).toEqual([
      ['torc-docs', 'torc://docs/{topic}'],
      ['torc-examples', 'torc://examples/{name}'],
    ])
    const { resources } = await client.listResources()
    const docs = resources.filter((r) => r.uri.startsWith('torc://docs/'))
    expect(docs.map((r) => [r.uri, r.name, r.mimeType])).toEqual(
      DOC_TOPICS.map((t) => [`torc://docs/${t.topic}`, `docs/${t.topic}`, 'text/markdown'])
    )
    const examples = resources.filter((r) => r.uri.startsWith('torc://examples/'))
    expect(examples.map((r) => [r.uri, r.name, r.mimeType])).toEqual(
      LISTED_EXAMPLES.map((e) => [`torc://examples/${e.name}`, `examples/${e.name}`, 'text/plain'])
    )
    await client.close()
  })

  it('reads a whole page (even one the tool serves in parts) and an example, YAML first', async () => {
    const client = await mcpClient({ era, key: inject('readKey') })
    const cli = await client.readResource({ uri: 'torc://docs/cli' })
    expect(cli.contents).toEqual([
      { uri: 'torc://docs/cli', mimeType: 'text/markdown', text: await sourceText('docs/src/core/reference/cli.md') },
    ])
    const example = await client.readResource({ uri: 'torc://examples/zip_parameter_mode' })
    expect(example.contents).toEqual([
      {
        uri: 'torc://examples/zip_parameter_mode',
        mimeType: 'text/plain',
        text: await sourceText('examples/yaml/zip_parameter_mode.yaml'),
      },
    ])
    await client.close()
  })

  it('refuses an unknown topic or example, naming the ones there are', async () => {
    const client = await mcpClient({ era, key: inject('readKey') })
    await expect(client.readResource({ uri: 'torc://docs/no-such-topic' })).rejects.toThrow(/workflow-spec/)
    await expect(client.readResource({ uri: 'torc://examples/nope' })).rejects.toThrow(/diamond_workflow/)
    await client.close()
  })

  it('completes topic and example names', async () => {
    const client = await mcpClient({ era, key: inject('readKey') })
    const topics = await client.complete({
      ref: { type: 'ref/resource', uri: 'torc://docs/{topic}' },
      argument: { name: 'topic', value: 'tutorial-' },
    })
    expect(topics.completion.values).toEqual(DOC_TOPICS.map((t) => t.topic).filter((t) => t.startsWith('tutorial-')))
    const names = await client.complete({
      ref: { type: 'ref/resource', uri: 'torc://examples/{name}' },
      argument: { name: 'name', value: 'hyper' },
    })
    expect(names.completion.values).toEqual(['hyperparameter_sweep', 'hyperparameter_sweep_shared_params'])
    await client.close()
  })
})
