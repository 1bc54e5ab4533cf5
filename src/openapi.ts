import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from './app-env.ts'
import { tools } from './tools/index.ts'
import { VERSION } from './version.ts'

export interface DocumentOptions {
  /** Include the write tools (a deployment with writes disabled does not offer them). */
  writes: boolean
  /** Public URL of the deployment, for `servers`. */
  url: string
}

const DESCRIPTION =
  'Drive Torc HPC workflows: list workflows, inspect status, jobs and results, diagnose failures. ' +
  'Every operation is a POST of a JSON object to /v1/tools/<name>, the same tools the MCP endpoint (/mcp) offers.'

/** The OpenAPI 3.1 document of the REST face, generated from the registry's routes. */
export function openApiDocument(app: OpenAPIHono<AppEnv>, options: DocumentOptions) {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'torc-edge', version: VERSION, description: DESCRIPTION },
    servers: [{ url: options.url }],
  })
  if (!options.writes && doc.paths) {
    for (const tool of tools) {
      if (!tool.annotations.readOnlyHint && !tool.writes) delete doc.paths[`/v1/tools/${tool.name}`]
    }
  }
  return doc
}
