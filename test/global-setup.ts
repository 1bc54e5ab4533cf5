import type { TestProject } from 'vitest/node'
import { mintApiKey } from '../scripts/api-key.ts'
import { installTorc } from '../scripts/torc-install.ts'
import { startTorcServer } from '../scripts/torc-server.ts'

/** Builds the pinned torc-server on first run, starts it on a free loopback port, stops it after. */
export default async function setup(project: TestProject) {
  installTorc()
  const torc = await startTorcServer()
  const read = mintApiKey('test-read', 'read')
  const write = mintApiKey('test-write', 'write')
  project.provide('torcApiUrl', torc.apiUrl)
  project.provide('apiKeys', `${read.entry},${write.entry}`)
  project.provide('readKey', read.key)
  project.provide('writeKey', write.key)
  return () => torc.stop()
}
