import { describe, expect, it } from 'vitest'
import { ToolError } from '../../../src/errors.ts'
import { type BundleSink, readBundle } from '../../../src/logs/bundle.ts'
import { controlLine } from '../../../src/site-protocol/framing.ts'

const enc = (s: string) => new TextEncoder().encode(s)
const cat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]))

function streamOf(bytes: Uint8Array, sizes: number[] | number): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      let at = 0
      for (let i = 0; at < bytes.length; i++) {
        const n = typeof sizes === 'number' ? sizes : sizes[i % sizes.length]!
        c.enqueue(bytes.slice(at, at + n))
        at += n
      }
      c.close()
    },
  })
}

/** Records what the parser hands on, joining each file's slices. */
function recorder() {
  const events: unknown[] = []
  let current: number[] = []
  const sink: Required<BundleSink> = {
    begin: (p) => void events.push(['begin', p.files, p.bytes]),
    beginFile: (path, size, error) => {
      current = []
      events.push(['file', path, size, error ?? null])
    },
    write: (b) => void current.push(...b),
    endFile: () => void events.push(['content', new TextDecoder().decode(Uint8Array.from(current))]),
    note: (n) => void events.push(['note', n.path, n.padded]),
  }
  return { sink, events }
}

const preamble = controlLine({ torc_edge_bundle: 1, workflow_id: 3, files: 4, bytes: 22, truncated: false })
const body = cat([
  preamble,
  controlLine({ path: 'a.log', size: 6 }),
  enc('hello\n'),
  controlLine({ path: 'job_stdio/b.e', size: 0 }),
  controlLine({ path: 'job_stdio/c.o', size: 16 }),
  enc('{"path":"x"}\n\n\r\n'),
  controlLine({ note: 'shrunk', path: 'job_stdio/c.o', padded: 2 }),
  controlLine({ path: 'job_stdio/d.e', size: 0, error: 'not readable (EACCES)' }),
  controlLine({ end: true, files: 4, bytes: 22, truncated: false, shrunk: 1, grown: 0, unreadable: 1 }),
])
const expected = [
  ['begin', 4, 22],
  ['file', 'a.log', 6, null],
  ['content', 'hello\n'],
  ['file', 'job_stdio/b.e', 0, null],
  ['content', ''],
  ['file', 'job_stdio/c.o', 16, null],
  ['content', '{"path":"x"}\n\n\r\n'],
  ['note', 'job_stdio/c.o', 2],
  ['file', 'job_stdio/d.e', 0, 'not readable (EACCES)'],
  ['content', ''],
]

describe('readBundle', () => {
  it('parses the framing with chunk boundaries at every position', async () => {
    for (let split = 1; split < body.length; split++) {
      const { sink, events } = recorder()
      const trailer = await readBundle(streamOf(body, [split, body.length]), sink)
      expect(events, `split at ${split}`).toEqual(expected)
      expect(trailer).toMatchObject({ files: 4, bytes: 22, truncated: false, shrunk: 1, unreadable: 1 })
    }
  })

  it('parses it in chunks of any size, including one byte at a time', async () => {
    for (const sizes of [1, 2, 3, 7, [1, 5, 2, 64], body.length]) {
      const { sink, events } = recorder()
      await readBundle(streamOf(body, sizes), sink)
      expect(events).toEqual(expected)
    }
  })

  it('reports caps from the trailer', async () => {
    const capped = cat([
      controlLine({
        torc_edge_bundle: 1,
        workflow_id: 3,
        files: 0,
        bytes: 0,
        truncated: true,
        reason: 'bundle byte cap',
      }),
      controlLine({ end: true, files: 0, bytes: 0, truncated: true, reason: 'bundle byte cap' }),
    ])
    expect(await readBundle(streamOf(capped, 5), recorder().sink)).toMatchObject({
      truncated: true,
      reason: 'bundle byte cap',
      grown: 0,
    })
  })

  const broken: [string, Uint8Array, RegExp][] = [
    ['no trailer', body.slice(0, body.length - 40), /stopped before its end/],
    ['cut mid-file', body.slice(0, preamble.length + 20), /stopped before its end/],
    ['bad JSON', cat([preamble, enc('{nope\n')]), /not JSON/],
    ['no preamble', cat([controlLine({ path: 'a', size: 0 })]), /bad preamble/],
    ['a bad header', cat([preamble, enc('{"path":"","size":-1}\n')]), /bad file header/],
    ['data after the trailer', cat([body, enc('x')]), /after the trailer/],
    ['an endless control line', cat([preamble, enc(`{"path":"${'a'.repeat(9000)}"`)]), /too long/],
    [
      'a note about another file',
      cat([preamble, controlLine({ path: 'a', size: 0 }), controlLine({ note: 'shrunk', path: 'b', padded: 1 })]),
      /another file/,
    ],
  ]
  it.each(broken)('refuses %s with an upstream_error', async (_, bytes, message) => {
    const err = await readBundle(streamOf(bytes, 3), recorder().sink).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ToolError)
    expect(err).toMatchObject({ code: 'upstream_error', message: expect.stringMatching(message) })
  })

  it('passes on a stream error and releases the stream', async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new ToolError('upstream_unavailable', 'broke'))
      },
    })
    await expect(readBundle(failing, recorder().sink)).rejects.toMatchObject({ code: 'upstream_unavailable' })
    expect(failing.locked).toBe(false)
  })
})
