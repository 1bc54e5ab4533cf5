/**
 * Writes openapi-tools.json (the REST face's OpenAPI 3.1 document, writes included) in-process
 * from the registry. The `servers` URL comes from TORC_EDGE_PUBLIC_URL (the deployment's public
 * URL; default https://torc-edge.example.workers.dev). `--check` exits non-zero when the committed
 * file is stale; `--out <file>` writes somewhere else (tests).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'
import { createApp } from '../src/app.ts'
import { openApiDocument } from '../src/openapi.ts'
import { ROOT } from './torc-paths.ts'

export const OPENAPI_FILE = join(ROOT, 'openapi-tools.json')
export const DEFAULT_PUBLIC_URL = 'https://torc-edge.example.workers.dev'

/** A GPT Action calls the `servers` URL from OpenAI's side: https, or http on loopback for local tries. */
const PublicUrl = z.string().transform((text, ctx) => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://torc-edge.example.org' })
    return z.NEVER
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    ctx.addIssue({ code: 'custom', message: 'must be https (http only on loopback)' })
    return z.NEVER
  }
  return url.origin
})

/** The `servers` URL for the document: TORC_EDGE_PUBLIC_URL when set (validated), else the default. */
export function publicUrl(env: Record<string, string | undefined>): string {
  const configured = env.TORC_EDGE_PUBLIC_URL?.trim()
  if (!configured) return DEFAULT_PUBLIC_URL
  const parsed = PublicUrl.safeParse(configured)
  if (!parsed.success) throw new Error(`TORC_EDGE_PUBLIC_URL ${parsed.error.issues[0]?.message ?? 'is invalid'}`)
  return parsed.data
}

/** The document's text for `servers: [{ url }]`: independent of the environment. */
export function renderOpenApi(url = DEFAULT_PUBLIC_URL): string {
  return `${JSON.stringify(openApiDocument(createApp(), { writes: true, url }), null, 2)}\n`
}

if (import.meta.main) {
  let url: string
  try {
    url = publicUrl(process.env)
  } catch (err) {
    console.error((err as Error).message)
    process.exit(2)
  }
  const text = renderOpenApi(url)
  const outIndex = process.argv.indexOf('--out')
  const out = outIndex > 0 ? process.argv[outIndex + 1] : undefined
  if (process.argv.includes('--check')) {
    if (readFileSync(OPENAPI_FILE, 'utf8') !== text) {
      console.error(`openapi-tools.json is stale (servers URL ${url}): run \`npm run gen\``)
      process.exit(1)
    }
  } else {
    const file = out ? resolve(out) : OPENAPI_FILE
    writeFileSync(file, text)
    console.log(`wrote ${file} (servers URL ${url})`)
  }
}
