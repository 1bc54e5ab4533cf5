import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { mintApiKey } from '../../scripts/api-key.ts'
import { startSiteServer } from '../../scripts/site-server.ts'
import { installTorc } from '../../scripts/torc-install.ts'
import { startTorcServer } from '../../scripts/torc-server.ts'
import { startCluster } from './cluster.ts'

/**
 * Builds the pinned torc-server on first run and starts it on a free loopback port; starts the site
 * server over a temporary output directory, plus the cluster harness (test/cluster.ts: writes logs at
 * Torc's paths and runs the real `torc` job runner). Stops all after.
 */
export default async function setup(project: TestProject) {
  installTorc()
  const torc = await startTorcServer()
  const outputDir = await mkdtemp(join(tmpdir(), 'torc-edge-output-'))
  const site = await startSiteServer(outputDir)
  const cluster = await startCluster(torc.apiUrl, outputDir)
  const read = mintApiKey('test-read', 'read')
  const write = mintApiKey('test-write', 'write')
  project.provide('torcApiUrl', torc.apiUrl)
  project.provide('apiKeys', `${read.entry},${write.entry}`)
  project.provide('readKey', read.key)
  project.provide('writeKey', write.key)
  project.provide('outputUrl', site.url)
  project.provide('outputToken', site.token)
  project.provide('clusterUrl', cluster.url)
  return async () => {
    await cluster.stop()
    await site.stop()
    await torc.stop()
    await rm(outputDir, { recursive: true, force: true })
  }
}
