import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from './app-env.ts'
import { OAUTH_PATHS, SCOPES } from './oauth/site.ts'
import { boundIntegers } from './rest.ts'
import { type ToolName, tools } from './tools/index.ts'
import { VERSION } from './version.ts'

export interface DocumentOptions {
  /** Include the write tools (a deployment with writes disabled does not offer them). */
  writes: boolean
  /** Public URL of the deployment, for `servers` and the OAuth endpoints. */
  url: string
  /** Which tools: the default set (GPT Actions' limit), every tool, or these names. */
  tools?: 'default' | 'all' | readonly string[]
}

/** GPT Actions take at most 30 operations per action. */
export const GPT_ACTION_LIMIT = 30

/**
 * Left out of the default document so it fits GPT Actions' limit: Torc's own docs and examples
 * (a GPT reads the web, and MCP clients get them as tools and resources) and the offline-journal
 * pair (rare: a login node losing its Torc server mid-run). `?tools=all` (or a list of names)
 * serves any other set; every tool stays callable on /v1 and /mcp.
 */
export const OUTSIDE_DEFAULT_DOCUMENT: readonly ToolName[] = [
  'get_docs',
  'list_examples',
  'get_example',
  'check_offline_journals',
  'reconcile_offline_journals',
]

/** The tool names a document lists, or the names that are not tools (for a 400). */
export function documentTools(choice: DocumentOptions['tools'] = 'default'): { names: Set<string>; unknown: string[] } {
  const names = tools.map((t) => t.name)
  const all: readonly string[] = names
  if (choice === 'all') return { names: new Set(all), unknown: [] }
  if (choice === 'default')
    return { names: new Set(names.filter((n) => !OUTSIDE_DEFAULT_DOCUMENT.includes(n))), unknown: [] }
  return { names: new Set(choice.filter((n) => all.includes(n))), unknown: choice.filter((n) => !all.includes(n)) }
}

const DESCRIPTION =
  'Drive Torc HPC workflows: list workflows, inspect status, jobs and results, diagnose failures. ' +
  'Every operation is a POST of a JSON object to /v1/tools/<name>, the same tools the MCP endpoint (/mcp) offers.'

/**
 * The OAuth 2.1 authorization-code flow (PKCE S256) of this deployment's authorization server, for
 * GPT Actions with per-user sign-in: the consent page asks for a torc-edge API key (or the Access
 * identity) and the grant acts with its scope. Served when OAUTH_KV is bound (src/oauth/README.md).
 */
function oauthScheme(url: string) {
  const token = `${url}${OAUTH_PATHS.token}`
  return {
    type: 'oauth2' as const,
    description: "Sign in on the deployment's consent page with a torc-edge API key; the grant has its scope.",
    flows: {
      authorizationCode: {
        authorizationUrl: `${url}${OAUTH_PATHS.authorize}`,
        tokenUrl: token,
        refreshUrl: token,
        scopes: {
          [SCOPES.read]: 'Read workflows, jobs, results and logs.',
          [SCOPES.write]: 'Also recover, control and create workflows (where the deployment enables writes).',
        },
      },
    },
  }
}

/** The scope an operation needs over OAuth: write tools `torc:write`, every other tool `torc:read`. */
function scopeFor(tool: (typeof tools)[number]): string {
  return tool.annotations.readOnlyHint || tool.writes ? SCOPES.read : SCOPES.write
}

/** The OpenAPI 3.1 document of the REST face, generated from the registry's routes. */
export function openApiDocument(app: OpenAPIHono<AppEnv>, options: DocumentOptions) {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: { title: 'torc-edge', version: VERSION, description: DESCRIPTION },
    servers: [{ url: options.url }],
  })
  if (doc.components?.securitySchemes) doc.components.securitySchemes.oauth = oauthScheme(options.url)
  const listed = documentTools(options.tools).names
  for (const tool of tools) {
    const path = `/v1/tools/${tool.name}`
    const operation = doc.paths?.[path]?.post
    if (!listed.has(tool.name) || (!options.writes && !tool.annotations.readOnlyHint && !tool.writes)) {
      delete doc.paths?.[path]
    } else if (operation) {
      // Either credential: a bearer API key, or an OAuth access token holding the scope.
      operation.security = [...(operation.security ?? []), { oauth: [scopeFor(tool)] }]
    }
  }
  for (const item of Object.values(doc.paths ?? {})) boundIntegers(item?.post?.requestBody)
  return doc
}
