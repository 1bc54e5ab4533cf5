/**
 * A static server of the pinned release's docs/ and examples/ trees (from the crate's source in
 * cargo's registry), the way an operator would point TORC_DOCS_URL at a folder: the tests' docs
 * source, on loopback. Besides the files:
 *   GET /__hits?path=<relative>   how many times that file was asked for (cache tests)
 *   /empty/...                    a tree without the files (404 for every path)
 *   /slow/...                     never answers (timeout tests)
 *   /huge/...                     streams a body larger than the loader accepts
 *   /alias/<name>/...             the same tree under another base URL (a cache nobody has filled)
 * As a vitest globalSetup it provides `docsUrl`.
 */
import { readFile, realpath } from 'node:fs/promises'
import { join, sep } from 'node:path'
import type { TestProject } from 'vitest/node'
import { torcCrateSource } from '../../scripts/torc-paths.ts'
import { freePort } from '../../scripts/torc-server.ts'
import { close, listen } from '../../site/listen.ts'

const SERVED = ['docs/', 'examples/']

export async function startDocsServer(root = torcCrateSource()): Promise<{ url: string; stop(): Promise<void> }> {
  const base = await realpath(root)
  const hits = new Map<string, number>()
  const port = await freePort()
  const server = await listen(
    {
      fetch: async (req: Request) => {
        const url = new URL(req.url)
        if (url.pathname === '/__hits')
          return Response.json({ hits: hits.get(url.searchParams.get('path') ?? '') ?? 0 })
        if (url.pathname.startsWith('/empty/')) return new Response('not found', { status: 404 })
        if (url.pathname.startsWith('/slow/')) return new Promise<Response>(() => {})
        if (url.pathname.startsWith('/huge/')) return new Response('x'.repeat(2 * 1024 * 1024))
        const asked = decodeURIComponent(url.pathname.slice(1))
        const path = asked.replace(/^alias\/[^/]+\//, '')
        if (req.method !== 'GET' || !SERVED.some((p) => path.startsWith(p)) || path.split('/').includes('..'))
          return new Response('not found', { status: 404 })
        hits.set(asked, (hits.get(asked) ?? 0) + 1)
        try {
          const file = await realpath(join(base, path))
          if (!file.startsWith(base + sep)) return new Response('not found', { status: 404 })
          return new Response(await readFile(file), { headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
        } catch {
          return new Response('not found', { status: 404 })
        }
      },
    },
    port,
    '127.0.0.1'
  )
  return { url: `http://127.0.0.1:${port}`, stop: () => close(server, 100) }
}

export default async function setup(project: TestProject) {
  const docs = await startDocsServer()
  project.provide('docsUrl', docs.url)
  return () => docs.stop()
}
