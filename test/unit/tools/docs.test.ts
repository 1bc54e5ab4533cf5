/**
 * get_docs, list_examples and get_example (src/tools/docs.ts) against a scripted docs source: the
 * Worker's fetch of TORC_DOCS_URL answered by a ScriptedTorc (stubbed global fetch; Node has no
 * service to stand in for raw.githubusercontent.com). Long pages in parts, unknown names, the
 * in-isolate cache, and what the source's failures become. Against a real static server of the
 * release: test/integration/docs.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { forgetReleaseFiles } from '../../../src/docs/source.ts'
import { invoke } from '../../../src/registry.ts'
import { getDocs, getExample, listExamples } from '../../../src/tools/docs.ts'
import { ScriptedTorc, scriptedContext } from '../../helpers/scripted-torc.ts'
import { data, failure, quietToolLogs } from './harness.ts'

quietToolLogs()

let docs: ScriptedTorc
beforeEach(() => {
  forgetReleaseFiles()
  docs = new ScriptedTorc()
  vi.stubGlobal('fetch', (url: string, init: RequestInit) => docs.fetch(url.slice(docs.baseUrl.length), init))
})
afterEach(() => vi.unstubAllGlobals())

const call = (tool: Parameters<typeof invoke>[0], input: unknown) =>
  invoke(tool, input, scriptedContext(docs, { env: { TORC_DOCS_URL: docs.baseUrl, TORC_TIMEOUT_MS: '100' } }), 'rest')
const text = (body: string, status = 200) => new Response(body, { status })
const SLURM = '/docs/src/specialized/hpc/slurm.md'

describe('get_docs', () => {
  it('reads a topic (case-insensitive) as markdown, once per isolate', async () => {
    docs.on('GET', SLURM, text('# Slurm\n\nSchedulers and allocations.\n'))
    const out = data(await call(getDocs, { topic: 'SLURM' }))
    expect(out).toMatchObject({
      topic: 'slurm',
      path: 'docs/src/specialized/hpc/slurm.md',
      uri: 'torc://docs/slurm',
      content: '# Slurm\n\nSchedulers and allocations.\n',
      truncated: false,
      next_offset: null,
    })
    data(await call(getDocs, { topic: 'slurm' }))
    expect(docs.calls()).toEqual([`GET ${SLURM}`])
  })

  it('a long page comes in parts, cut at line ends; next_offset reads on to the end', async () => {
    const page = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'-'.repeat(40)}`).join('\n')
    docs.on('GET', SLURM, text(page))
    const first = data(await call(getDocs, { topic: 'slurm' }))
    expect(first).toMatchObject({ offset: 0, total_chars: page.length, truncated: true })
    expect(first.content).toMatch(
      /\[cut by torc-edge: characters 0-\d+ of \d+; call again with offset=\d+ for the rest\]$/
    )
    let at = first.next_offset
    let rest = first.content.slice(0, first.content.indexOf('\n\n[cut by'))
    while (at !== null) {
      const part = data(await call(getDocs, { topic: 'slurm', offset: at }))
      rest += part.truncated ? part.content.slice(0, part.content.indexOf('\n\n[cut by')) : part.content
      at = part.next_offset
    }
    expect(rest).toBe(page)
    expect(failure(await call(getDocs, { topic: 'slurm', offset: page.length + 5 }))).toMatchObject({
      code: 'invalid_input',
      message: `offset: ${page.length + 5} is past the end (${page.length} characters)`,
    })
  })

  it('an unknown topic is not_found with near matches and every topic, without a fetch', async () => {
    const out = failure(await call(getDocs, { topic: 'quick' }))
    expect(out.code).toBe('not_found')
    expect(out.message).toMatch(/^no docs topic "quick"\. Did you mean quick-start, quick-start-local, quick-start-hpc/)
    expect(out.message).toContain('Topics: workflow-spec, dependencies,')
    expect(docs.sent).toEqual([])
  })

  const faults = [
    {
      what: 'a 404 (the wrong tree)',
      answer: text('no', 404),
      code: 'upstream_error',
      says: 'TORC_DOCS_URL must serve',
    },
    { what: 'a 503', answer: text('busy', 503), code: 'upstream_unavailable', says: 'answered HTTP 503' },
    {
      what: 'a refused connection',
      answer: { fault: 'refused' },
      code: 'upstream_unavailable',
      says: 'check TORC_DOCS_URL',
    },
    { what: 'a hang', answer: { fault: 'hang' }, code: 'upstream_timeout', says: 'did not answer within 100 ms' },
    {
      what: 'over 1 MiB',
      answer: text('x'.repeat(1024 * 1024 + 1)),
      code: 'upstream_error',
      says: 'more than 1048576 bytes',
    },
  ]
  it.each(faults)('the docs source answering $what is $code, never naming its URL', async ({ answer, code, says }) => {
    docs.on('GET', SLURM, answer)
    const out = failure(await call(getDocs, { topic: 'slurm' }))
    expect(out.code).toBe(code)
    expect(out.message).toContain(says)
    expect(out.message).not.toContain('torc.internal')
  })

  it('a failed read is not cached: the next call reads again', async () => {
    docs.on('GET', SLURM, text('# Slurm\n'))
    docs.on('GET', SLURM, text('busy', 503), 1)
    expect(failure(await call(getDocs, { topic: 'slurm' })).code).toBe('upstream_unavailable')
    expect(data(await call(getDocs, { topic: 'slurm' })).content).toBe('# Slurm\n')
  })
})

describe('list_examples and get_example', () => {
  it('list_examples needs no source: names, formats and the unlisted ones', async () => {
    const out = data(await call(listExamples, {}))
    expect(out.total).toBe(out.examples.length)
    expect(out.examples).toContainEqual(
      expect.objectContaining({
        name: 'diamond_workflow',
        formats: ['yaml', 'json', 'kdl'],
        uri: 'torc://examples/diamond_workflow',
      })
    )
    expect(out.more_examples.length).toBeGreaterThan(0)
    expect(docs.sent).toEqual([])
  })

  it('serves the preferred format, and its description', async () => {
    docs.on('GET', '/examples/kdl/diamond_workflow.kdl', text('workflow "diamond" {}\n'))
    const out = data(await call(getExample, { name: 'diamond_workflow', format: 'kdl' }))
    expect(out).toMatchObject({
      format: 'kdl',
      path: 'examples/kdl/diamond_workflow.kdl',
      content: 'workflow "diamond" {}\n',
    })
    expect(out.description).toMatch(/fans out/)
  })

  it('a name with a path in it is refused before any fetch; an unknown one is not_found listing the names', async () => {
    const bad = failure(await call(getExample, { name: '../secrets' }))
    expect(bad.code).toBe('invalid_input')
    expect(bad.message).toMatch(/^invalid input: name: only letters, digits/)
    const unknown = failure(await call(getExample, { name: 'no_such_example' }))
    expect(unknown.code).toBe('not_found')
    expect(unknown.message).toContain('diamond_workflow')
    expect(docs.sent).toEqual([])
  })
})
