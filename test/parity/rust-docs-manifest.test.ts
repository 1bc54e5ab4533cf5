import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { torcCrateSource } from '../../scripts/torc-paths.ts'
import { TORC_VERSION } from '../../scripts/torc-version.ts'
import { DOC_TOPICS, EXAMPLE_FILES, EXAMPLE_FOLDERS, LISTED_EXAMPLES } from '../../src/docs/manifest.ts'

/**
 * src/docs/manifest.ts against the pinned crate: the topics and the files they map to
 * (tools.rs doc_topic_mapping), the examples list_examples offers (example_descriptions), and the
 * spec files get_example can find (examples/{yaml,json,kdl,subgraphs}). A new torc release that
 * adds, renames or moves one fails here. The descriptions are torc-edge's own: none is Torc's text.
 */
const crate = torcCrateSource()
const tools = readFileSync(join(crate, 'src', 'mcp_server', 'tools.rs'), 'utf8')

/** The body of `fn <name>() -> ... { vec![ ... ] }`. */
function fnBody(name: string): string {
  const start = tools.indexOf(`fn ${name}()`)
  if (start < 0) throw new Error(`tools.rs has no fn ${name}`)
  const end = tools.indexOf('\n}\n', start)
  return tools.slice(start, end)
}
const str = '"((?:[^"\\\\]|\\\\.)*)"'
const tuples = (body: string, arity: number) =>
  [...body.matchAll(new RegExp(`\\(\\s*${Array(arity).fill(str).join(',\\s*')},?\\s*\\)`, 'g'))].map((m) =>
    m.slice(1, arity + 1)
  )

describe(`docs and examples manifest = torc ${TORC_VERSION}'s MCP server`, () => {
  const rustTopics = tuples(fnBody('doc_topic_mapping'), 3)
  const rustExamples = tuples(fnBody('example_descriptions'), 2)

  it('has the same topics, in order, mapped to the same files (which the release has)', () => {
    expect(rustTopics.length).toBe(39)
    expect(DOC_TOPICS.map((t) => [t.topic, t.path])).toEqual(rustTopics.map(([t, p]) => [t, `docs/src/${p}`]))
    for (const t of DOC_TOPICS) expect(existsSync(join(crate, t.path)), t.path).toBe(true)
  })

  it('lists the same examples, in order', () => {
    expect(rustExamples.length).toBe(18)
    expect(LISTED_EXAMPLES.map((e) => e.name)).toEqual(rustExamples.map(([name]) => name))
  })

  it("knows exactly the release's example spec files", () => {
    for (const folder of EXAMPLE_FOLDERS) {
      const files = readdirSync(join(crate, 'examples', folder))
        .filter((f) => /\.(ya?ml|json5?|kdl)$/.test(f))
        .sort()
      expect([...EXAMPLE_FILES[folder]].sort(), folder).toEqual(files)
    }
  })

  it('describes topics and examples in its own words', () => {
    const theirs = new Set([...rustTopics.map((t) => t[2]), ...rustExamples.map((e) => e[1])])
    expect(theirs.size).toBeGreaterThan(50)
    const copied = [...DOC_TOPICS, ...LISTED_EXAMPLES].filter((x) => theirs.has(x.description))
    expect(copied).toEqual([])
  })
})
