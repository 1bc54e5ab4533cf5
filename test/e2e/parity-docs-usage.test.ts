import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mintApiKey } from '../../scripts/api-key.ts'
import { installTorc } from '../../scripts/torc-install.ts'
import { torcBin, torcCrateSource } from '../../scripts/torc-paths.ts'
import { createWorkflow, drive, type Outcome, torcApiAt } from '../../scripts/torc-seed.ts'
import { freePort, type RunningTorc, startTorcServer } from '../../scripts/torc-server.ts'
import { type RunningWorker, startWorker } from '../../scripts/wrangler-dev.ts'
import { EXAMPLE_NAMES } from '../../src/docs/library.ts'
import { DOC_TOPICS } from '../../src/docs/manifest.ts'
import { startDocsServer } from '../setup/docs-server.ts'

/**
 * get_docs, list_examples, get_example, the torc:// resources and analyze_resource_usage against
 * the REAL torc-mcp-server 1.0.0 (stdio) on the same torc-server. Rust reads the crate's docs/ and
 * examples/ from disk (TORC_DOCS_DIR, TORC_EXAMPLES_DIR); the edge, under `wrangler dev`, reads the
 * same folders over HTTP (TORC_DOCS_URL at a static server of the crate). Same facts required:
 * topics, example names and formats, every file's text, every usage number.
 * Deliberate differences, each checked or set aside below with why:
 * - descriptions are torc-edge's own words (Torc's text is not copied);
 * - a page over the answer budget (cli) comes in parts: the parts joined are Rust's content;
 * - an unknown topic is a not_found error listing the topics (Rust answers success with an "error" field);
 * - analyze_resource_usage adds counts and cut markers; Rust's jobs_without_results follows HashMap order.
 */
type Json = Record<string, any>

const scratch = mkdtempSync(join(tmpdir(), 'torc-edge-parity-docs-'))
const key = mintApiKey('parity', 'read')
const crate = torcCrateSource()
let torc: RunningTorc
let docs: Awaited<ReturnType<typeof startDocsServer>>
let worker: RunningWorker
let edge: Client
let rust: Client

beforeAll(async () => {
  installTorc()
  torc = await startTorcServer()
  docs = await startDocsServer(crate)
  worker = await startWorker({
    port: await freePort(),
    stdio: 'ignore',
    persistTo: join(scratch, 'wrangler-state'),
    vars: { TORC_API_URL: torc.apiUrl, TORC_EDGE_API_KEYS: key.entry, TORC_DOCS_URL: docs.url },
  })
  edge = new Client({ name: 'parity', version: '1' })
  await edge.connect(
    new StreamableHTTPClientTransport(new URL(`${worker.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${key.key}` } },
    })
  )
  rust = new Client({ name: 'parity', version: '1' })
  await rust.connect(
    new StdioClientTransport({
      command: torcBin('torc-mcp-server'),
      // Its docs dir is tried as <dir>/docs/src/<file> first: the crate root needs no network.
      env: {
        ...process.env,
        TORC_API_URL: torc.apiUrl,
        TORC_DOCS_DIR: crate,
        TORC_EXAMPLES_DIR: join(crate, 'examples'),
      } as Record<string, string>,
      stderr: 'ignore',
    })
  )
}, 300_000)

afterAll(async () => {
  await edge?.close()
  await rust?.close()
  await worker?.stop()
  await docs?.stop()
  await torc?.stop()
  rmSync(scratch, { recursive: true, force: true })
})

async function ours(name: string, args: Json = {}): Promise<Json> {
  const result = await edge.callTool({ name, arguments: args })
  expect(result.isError ?? false, JSON.stringify(result.content).slice(0, 500)).toBe(false)
  return result.structuredContent as Json
}

/** The Rust tool's answer: one text block of pretty JSON. */
async function theirs(name: string, args: Json = {}): Promise<Json> {
  const result = await rust.callTool({ name, arguments: args })
  const [block] = result.content as { type: string; text: string }[]
  expect(result.isError ?? false, block?.text).toBe(false)
  return JSON.parse(block!.text) as Json
}

/** A whole page through get_docs, part after part. */
async function wholePage(topic: string): Promise<string> {
  let text = ''
  for (let offset: number | null = 0; offset !== null; ) {
    const part: Json = await ours('get_docs', { topic, offset })
    text += part.truncated ? part.content.slice(0, part.next_offset - part.offset) : part.content
    offset = part.next_offset
  }
  return text
}

describe('docs and examples: the same as torc-mcp-server 1.0.0', () => {
  it('every topic has the same page text', async () => {
    for (const { topic } of DOC_TOPICS) {
      const rustPage = await theirs('get_docs', { topic })
      expect(rustPage.topic).toBe(topic)
      expect(await wholePage(topic), topic).toBe(rustPage.content)
    }
    // Only the CLI reference is over the budget and comes in parts.
    expect((await ours('get_docs', { topic: 'cli' })).truncated).toBe(true)
  })

  it('an unknown topic: both name other topics; ours is an error, Rust a success with an "error" field', async () => {
    const rustAnswer = await theirs('get_docs', { topic: 'no-such-thing' })
    expect(rustAnswer.available_topics.map((t: Json) => t.topic)).toEqual(DOC_TOPICS.map((t) => t.topic))
    const result = await edge.callTool({ name: 'get_docs', arguments: { topic: 'no-such-thing' } })
    expect(result.isError).toBe(true)
    const text = (result.content as { text: string }[])[0]!.text
    expect(text).toMatch(/^not_found: /)
    for (const { topic } of DOC_TOPICS) expect(text).toContain(topic)
  })

  it('lists the same examples with the same formats (descriptions are our own)', async () => {
    const [mine, rustList] = [await ours('list_examples'), await theirs('list_examples')]
    expect(rustList.source).toBe('local')
    const facts = (list: Json[]) => list.map((e) => ({ name: e.name, formats: e.formats }))
    expect(facts(mine.examples)).toEqual(facts(rustList.examples))
    expect(mine.total).toBe(rustList.total)
  })

  it('every example name and format: the same file, format and text', async () => {
    for (const name of EXAMPLE_NAMES) {
      for (const format of ['yaml', 'json', 'kdl']) {
        const [mine, rustExample] = [
          await ours('get_example', { name, format }),
          await theirs('get_example', { name, format }),
        ]
        expect([mine.format, mine.content], `${name} ${format}`).toEqual([rustExample.format, rustExample.content])
      }
    }
  })

  it('the torc:// resources: the same list and the same text', async () => {
    const list = async (client: Client) =>
      (await client.listResources()).resources
        .filter((r) => r.uri.startsWith('torc://'))
        .map((r) => [r.uri, r.name, r.mimeType])
    expect(await list(edge)).toEqual(await list(rust))
    for (const uri of ['torc://docs/cli', 'torc://docs/workflow-spec', 'torc://examples/diamond_workflow']) {
      const [mine, rustRead] = [await edge.readResource({ uri }), await rust.readResource({ uri })]
      expect(mine.contents, uri).toEqual(
        rustRead.contents.map((c) => ({ uri: c.uri, mimeType: c.mimeType, text: 'text' in c ? c.text : undefined }))
      )
    }
  })
})

describe('analyze_resource_usage: the same numbers as torc-mcp-server 1.0.0', () => {
  const GiB = 1024 ** 3
  const OUTCOMES: Record<string, Outcome | undefined> = {
    s1: {
      status: 'completed',
      return_code: 0,
      exec_time_minutes: 2.005,
      peak_memory_bytes: 1.5 * GiB,
      peak_cpu_percent: 95.5,
    },
    s2: {
      status: 'completed',
      return_code: 0,
      exec_time_minutes: 1.125,
      peak_memory_bytes: 511 * 1024 ** 2 + 3,
      peak_cpu_percent: 50.125,
    },
    s3: { status: 'failed', return_code: 1, exec_time_minutes: 0.5 },
    b1: {
      status: 'completed',
      return_code: 0,
      exec_time_minutes: 30,
      peak_memory_bytes: 6 * GiB,
      peak_cpu_percent: 390,
    },
    b2: { status: 'completed', return_code: 0, exec_time_minutes: 45.333, peak_memory_bytes: 2 * GiB + 1 },
    b3: {
      status: 'terminated',
      return_code: -9,
      exec_time_minutes: 60.01,
      peak_memory_bytes: 7 * GiB,
      peak_cpu_percent: 200,
    },
    b4: undefined,
    loose: { status: 'completed', return_code: 0, exec_time_minutes: 0.25, peak_memory_bytes: 900 },
  }
  let workflowId: number

  beforeAll(async () => {
    const api = torcApiAt(torc.apiUrl)
    const wf = await createWorkflow(api, {
      name: 'usage-parity',
      resources: {
        small: { num_cpus: 1, memory: '1g', runtime: 'PT10M' },
        big: { num_cpus: 4, memory: '8g', runtime: 'PT1H' },
      },
      jobs: Object.keys(OUTCOMES).map((name) => ({
        name,
        resources: name.startsWith('s') ? 'small' : name.startsWith('b') ? 'big' : undefined,
      })),
    })
    await drive(api, wf, (name) => OUTCOMES[name])
    workflowId = wf.id
  })

  /** Ours as Rust prints it: our additions gone, jobs_without_results in one order on both sides. */
  const EDGE_ONLY = ['completed_only', 'resource_groups_total', 'jobs_without_results_count', 'size_limited']
  const comparable = (answer: Json, edgeSide: boolean): Json => {
    const out = Object.fromEntries(Object.entries(answer).filter(([k]) => !(edgeSide && EDGE_ONLY.includes(k))))
    out.jobs_without_results = [...answer.jobs_without_results].sort((a: Json, b: Json) => a.job_id - b.job_id)
    if (edgeSide) out.resource_groups = answer.resource_groups.map(({ jobs_omitted, ...g }: Json) => g)
    return out
  }

  for (const completed_only of [false, true]) {
    it(`completed_only=${completed_only}`, async () => {
      const args = { workflow_id: workflowId, completed_only }
      const [mine, rustAnswer] = [
        await ours('analyze_resource_usage', args),
        await theirs('analyze_resource_usage', args),
      ]
      expect(mine.size_limited).toBe(false)
      expect(comparable(mine, true)).toEqual(comparable(rustAnswer, false))
      expect(rustAnswer.resource_groups.length).toBeGreaterThanOrEqual(2)
    })
  }
})
