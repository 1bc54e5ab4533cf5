/**
 * Writes openapi-tools.json (the REST face's OpenAPI 3.1 document, writes included) in-process
 * from the registry. The `servers` URL comes from TORC_EDGE_PUBLIC_URL (the deployment's public
 * URL). `--check` exits non-zero when the committed file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createApp } from '../src/app.ts'
import { openApiDocument } from '../src/openapi.ts'
import { ROOT } from './torc-paths.ts'

export const OPENAPI_FILE = join(ROOT, 'openapi-tools.json')
export const DEFAULT_PUBLIC_URL = 'https://torc-edge.example.workers.dev'

export function renderOpenApi(url = process.env.TORC_EDGE_PUBLIC_URL ?? DEFAULT_PUBLIC_URL): string {
  return `${JSON.stringify(openApiDocument(createApp(), { writes: true, url }), null, 2)}\n`
}

if (import.meta.main) {
  const text = renderOpenApi()
  if (process.argv.includes('--check')) {
    if (readFileSync(OPENAPI_FILE, 'utf8') !== text) {
      console.error('openapi-tools.json is stale: run `npm run gen`')
      process.exit(1)
    }
  } else {
    writeFileSync(OPENAPI_FILE, text)
    console.log(`wrote ${OPENAPI_FILE}`)
  }
}
