import { env } from 'cloudflare:workers'
import { describe, expect, inject, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { DOC_TOPICS, LISTED_EXAMPLES } from '../../src/docs/manifest.ts'
import { forgetReleaseFiles } from '../../src/docs/source.ts'
import { callBoth, keys, rest } from '../helpers/worker-faces.ts'

/**
 * get_docs, list_examples and get_example against a real static server of the pinned release's
 * tree (test/setup/docs-server.ts serves the crate's docs/ and examples/; TORC_DOCS_URL points at
 * it), through REST and MCP. The text each answer carries is compared with what that server serves.
 */
const sourceText = async (path: string) => {
  const res = await fetch(`${inject('docsUrl')}/${path}`)
  expect(res.status, path).toBe(200)
  return res.text()
}
const hits = async (path: string) =>
  ((await (await fetch(`${inject('docsUrl')}/__hits?path=${encodeURIComponent(path)}`)).json()) as { hits: number })
    .hits

/** A tool call on a Worker whose environment differs from the suite's (another docs source, timeout). */
async function callWith(name: string, input: unknown, overrides: Record<string, string>) {
  const res = await createApp().request(
    `http://edge.test/v1/tools/${name}`,
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys().read}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    },
    { ...env, ...overrides }
  )
  return { status: res.status, body: (await res.json()) as any }
}

describe('get_docs', () => {
  it('serves every topic with the release file it maps to, whole when it fits', async () => {
    for (const t of DOC_TOPICS) {
      const { status, body } = await rest('get_docs', { topic: t.topic })
      expect(status, t.topic).toBe(200)
      expect(body).toMatchObject({ topic: t.topic, path: t.path, uri: `torc://docs/${t.topic}`, offset: 0 })
      const text = await sourceText(t.path)
      expect(body.total_chars).toBe(text.length)
      if (!body.truncated) expect(body.content, t.topic).toBe(text)
    }
  })

  it('answers the same through MCP (both eras) and REST, matching topics case-insensitively', async () => {
    const out = await callBoth('get_docs', { topic: 'Job-States' })
    expect(out.topic).toBe('job-states')
    expect(out.content).toBe(await sourceText('docs/src/core/concepts/job-states.md'))
  })

  it('cuts a page over the answer budget at a line end, with a marker, and reads on from next_offset', async () => {
    const text = await sourceText('docs/src/core/reference/cli.md')
    const parts: string[] = []
    let offset = 0
    for (let i = 0; i < 10; i++) {
      const { status, body } = await rest('get_docs', { topic: 'cli', offset })
      expect(status).toBe(200)
      expect(JSON.stringify(body).length).toBeLessThan(65_000)
      if (!body.truncated) {
        expect(body.next_offset).toBeNull()
        parts.push(body.content)
        break
      }
      expect(body.content).toMatch(/\n\n\[cut by torc-edge: characters \d+-\d+ of \d+; call again with offset=\d+/)
      const [shown] = body.content.split('\n\n[cut by torc-edge:')
      expect(shown.endsWith('\n')).toBe(true)
      parts.push(shown)
      offset = body.next_offset
    }
    expect(parts.length).toBeGreaterThan(1)
    expect(parts.join('')).toBe(text)
    expect((await rest('get_docs', { topic: 'cli', offset: text.length + 1 })).body.error.code).toBe('invalid_input')
  })

  it('answers not_found for an unknown topic, naming near matches and every topic', async () => {
    const { status, body } = await rest('get_docs', { topic: 'tutorial' })
    expect(status).toBe(404)
    expect(body.error.code).toBe('not_found')
    expect(body.error.message).toContain('Did you mean tutorials, tutorial-diamond')
    for (const t of DOC_TOPICS) expect(body.error.message).toContain(t.topic)
  })
})

describe('list_examples and get_example', () => {
  it('lists the release examples with the formats their folders hold', async () => {
    const out = await callBoth('list_examples', {})
    expect(out.examples.map((e: { name: string }) => e.name)).toEqual(LISTED_EXAMPLES.map((e) => e.name))
    expect(out.total).toBe(18)
    const formats = Object.fromEntries(
      out.examples.map((e: { name: string; formats: string[] }) => [e.name, e.formats])
    )
    expect(formats.diamond_workflow).toEqual(['yaml', 'json', 'kdl'])
    expect(formats.failure_handler_demo).toEqual(['yaml'])
    expect(formats.sample_workflow).toEqual(['yaml', 'json', 'kdl'])
    expect(out.more_examples).toContain('subgraphs_workflow')
    expect(out.more_examples).not.toContain('diamond_workflow')
  })

  it('serves the preferred format, else the next, across the release folders', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ name: 'diamond_workflow' }, 'examples/yaml/diamond_workflow.yaml'],
      [{ name: 'diamond_workflow', format: 'json' }, 'examples/json/diamond_workflow.json5'],
      [{ name: 'sample_workflow', format: 'json' }, 'examples/json/sample_workflow.json5'],
      [{ name: 'diamond_workflow', format: 'kdl' }, 'examples/kdl/diamond_workflow.kdl'],
      [{ name: 'simple_retry', format: 'kdl' }, 'examples/yaml/simple_retry.yaml'],
      [{ name: 'subgraphs_workflow', format: 'kdl' }, 'examples/subgraphs/subgraphs_workflow.kdl'],
      [{ name: 'mixed_workload' }, 'examples/kdl/mixed_workload.kdl'],
    ]
    for (const [input, path] of cases) {
      const { status, body } = await rest('get_example', input)
      expect(status, path).toBe(200)
      expect(body).toMatchObject({ name: input.name, path, format: path.split('.').pop(), truncated: false })
      expect(body.content).toBe(await sourceText(path))
    }
    const viaMcp = await callBoth('get_example', { name: 'hyperparameter_sweep' })
    expect(viaMcp.description).toBe(LISTED_EXAMPLES.find((e) => e.name === 'hyperparameter_sweep')!.description)
  })

  it('refuses unknown and malformed names, listing the examples there are', async () => {
    const unknown = await rest('get_example', { name: 'no_such_example' })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.message).toContain('diamond_workflow')
    expect(unknown.body.error.message).toContain('chained_allocations')
    const malformed = await rest('get_example', { name: '../yaml/diamond_workflow' })
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.code).toBe('invalid_input')
  })
})

describe('the docs source', () => {
  it('is read once: later answers come from the isolate cache, then from the Cache API', async () => {
    // A base URL no other test reads through, so both caches start empty for it.
    const alias = `alias/cache-${crypto.randomUUID()}`
    const source = { TORC_DOCS_URL: `${inject('docsUrl')}/${alias}` }
    const path = `${alias}/docs/src/core/how-to/cancel-workflow.md`
    const first = await callWith('get_docs', { topic: 'cancel-workflow' }, source)
    expect(first.status).toBe(200)
    expect(first.body.content).toBe(await sourceText('docs/src/core/how-to/cancel-workflow.md'))
    expect(await hits(path)).toBe(1)
    expect((await callWith('get_docs', { topic: 'cancel-workflow' }, source)).body.content).toBe(first.body.content)
    forgetReleaseFiles() // the isolate's copy is gone; workerd's Cache API still has the file
    expect((await callWith('get_docs', { topic: 'cancel-workflow' }, source)).body.content).toBe(first.body.content)
    expect(await hits(path)).toBe(1)
  })

  it('unreachable: upstream_unavailable naming "the docs source", never its URL', async () => {
    const { status, body } = await callWith('get_docs', { topic: 'slurm' }, { TORC_DOCS_URL: 'http://127.0.0.1:9' })
    expect(status).toBe(502)
    expect(body.error.code).toBe('upstream_unavailable')
    expect(body.error.message).toContain('the docs source')
    expect(body.error.message).not.toContain('127.0.0.1')
  })

  it('without the file, too slow, or sending too much: upstream errors that say so', async () => {
    const base = inject('docsUrl')
    const missing = await callWith('get_example', { name: 'diamond_workflow' }, { TORC_DOCS_URL: `${base}/empty` })
    expect(missing.status).toBe(502)
    expect(missing.body.error).toMatchObject({ code: 'upstream_error' })
    expect(missing.body.error.message).toContain('has no examples/yaml/diamond_workflow.yaml')
    const slow = await callWith(
      'get_docs',
      { topic: 'slurm' },
      { TORC_DOCS_URL: `${base}/slow`, TORC_TIMEOUT_MS: '300' }
    )
    expect(slow.status).toBe(504)
    expect(slow.body.error.code).toBe('upstream_timeout')
    expect(slow.body.error.message).not.toContain(base)
    const huge = await callWith('get_docs', { topic: 'slurm' }, { TORC_DOCS_URL: `${base}/huge` })
    expect(huge.body.error).toMatchObject({ code: 'upstream_error' })
    expect(huge.body.error.message).toContain('more than 1048576 bytes')
  })

  it('a deployment names an http(s) base URL or is told it is misconfigured', async () => {
    const res = await callWith('list_examples', {}, { TORC_DOCS_URL: 'file:///srv/torc' })
    expect(res.status).toBe(500)
    expect(res.body.error.message).toContain('TORC_DOCS_URL')
  })
})
