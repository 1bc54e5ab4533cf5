import { serve } from '@hono/node-server'
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { mintApiKey } from '../scripts/api-key.ts'
import { startSiteServer } from '../scripts/site-server.ts'
import { installTorc } from '../scripts/torc-install.ts'
import { freePort, startTorcServer } from '../scripts/torc-server.ts'

/**
 * Builds the pinned torc-server on first run and starts it on a free loopback port; starts the site
 * server over a temporary output directory, plus a log writer that plays the job runner's part of
 * writing logs at Torc's paths (tests inside workerd cannot touch the disk). Stops all after.
 */
export default async function setup(project: TestProject) {
  installTorc()
  const torc = await startTorcServer()
  const outputDir = await mkdtemp(join(tmpdir(), 'torc-edge-output-'))
  const site = await startSiteServer(outputDir)
  const writerPort = await freePort()
  const writer = serve({
    port: writerPort,
    hostname: '127.0.0.1',
    fetch: async (req) => {
      const url = new URL(req.url)
      const path = url.searchParams.get('path') ?? ''
      if (!path || path.includes('..')) return new Response('bad path', { status: 400 })
      const target = join(outputDir, path)
      await mkdir(dirname(target), { recursive: true })
      const body = new Uint8Array(await req.arrayBuffer())
      await (url.searchParams.get('append') ? appendFile(target, body) : writeFile(target, body))
      return new Response('ok')
    },
  })
  const read = mintApiKey('test-read', 'read')
  const write = mintApiKey('test-write', 'write')
  project.provide('torcApiUrl', torc.apiUrl)
  project.provide('apiKeys', `${read.entry},${write.entry}`)
  project.provide('readKey', read.key)
  project.provide('writeKey', write.key)
  project.provide('outputUrl', site.url)
  project.provide('outputToken', site.token)
  project.provide('logWriterUrl', `http://127.0.0.1:${writerPort}`)
  return async () => {
    writer.close()
    await site.stop()
    await torc.stop()
    await rm(outputDir, { recursive: true, force: true })
  }
}
