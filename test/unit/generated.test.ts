import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { Validator } from '@seriousme/openapi-schema-validator'
import { describe, expect, it } from 'vitest'
import { MAX_VIEW_GZIP } from '../../scripts/build-views.ts'
import { OPENAPI_FILE, renderOpenApi } from '../../scripts/gen-openapi.ts'
import { ROOT } from '../../scripts/torc-paths.ts'
import { createApp } from '../../src/app.ts'
import { GPT_ACTION_LIMIT, OUTSIDE_DEFAULT_DOCUMENT, openApiDocument } from '../../src/openapi.ts'
import { tools } from '../../src/tools/index.ts'
import { VIEW_NAMES, VIEWS } from '../../src/views/catalog.ts'
import { viewHtml } from '../../src/views/html.ts'

const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'))
type Operation = { operationId: string; description: string; 'x-openai-isConsequential': boolean; requestBody: any }
const operations = (doc: any): [string, Operation][] =>
  Object.entries(doc.paths).map(([path, item]: [string, any]) => [path, item.post as Operation])

describe('generated files are committed and fresh', () => {
  it('openapi-tools.json matches the registry (run `npm run gen` when this fails)', () => {
    // Rendered for the servers URL the committed file was generated with (TORC_EDGE_PUBLIC_URL at
    // `npm run gen` time), so whatever this shell has in TORC_EDGE_PUBLIC_URL does not matter.
    expect(committed.servers).toHaveLength(1)
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi(committed.servers[0].url))
  })

  it('src/torc/api.ts matches the pinned release api/openapi.yaml (run `npm run gen` when this fails)', () => {
    const node = join(ROOT, 'node_modules', '.bin', 'node')
    const run = spawnSync(node, [join(ROOT, 'scripts', 'gen-torc-types.ts'), '--check'], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('src/validation/parsers.gen.ts matches the registered schemas (run `npm run gen` when this fails)', () => {
    const node = join(ROOT, 'node_modules', '.bin', 'node')
    const run = spawnSync(node, [join(ROOT, 'scripts', 'gen-parsers.ts'), '--check'], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })

  it('src/views/bundle.gen.ts matches src/views/app (run `npm run gen` when this fails)', () => {
    const node = join(ROOT, 'node_modules', '.bin', 'node')
    const run = spawnSync(node, [join(ROOT, 'scripts', 'build-views.ts'), '--check'], { encoding: 'utf8' })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
  })
})

describe('the MCP Apps views', () => {
  const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64')
  for (const name of VIEW_NAMES) {
    it(`${name}: at most 150 KiB gzipped, its one script and style allowed by hash, nothing else`, () => {
      const html = viewHtml(VIEWS[name])
      expect(gzipSync(html).length).toBeLessThanOrEqual(MAX_VIEW_GZIP)
      const script = /<script>([\s\S]*)<\/script>/.exec(html)![1]!
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!
      const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!
      expect(csp.split('; ')).toEqual([
        "default-src 'none'",
        `script-src 'sha256-${sha256(script)}'`,
        `style-src 'sha256-${sha256(style)}'`,
        'img-src data:',
        "connect-src 'none'",
        "frame-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
      ])
      expect(html.match(/<script/g)).toHaveLength(1)
      expect(html).toContain(`data-view="${name}"`)
    })
  }
})

describe('openapi-tools.json is a valid OpenAPI 3.1 tool spec within GPT Actions limits', () => {
  it('passes a real OpenAPI validator', async () => {
    const result = await new Validator().validate(structuredClone(committed))
    expect(result.errors ?? []).toEqual([])
    expect(result.valid).toBe(true)
    expect(committed.openapi).toBe('3.1.0')
  })

  it('has one operation per tool of the default set, unique camelCase operationIds, at most 30 (GPT Actions)', () => {
    const ops = operations(committed)
    expect(ops.length).toBeLessThanOrEqual(GPT_ACTION_LIMIT)
    const listed = tools.filter((t) => !OUTSIDE_DEFAULT_DOCUMENT.includes(t.name))
    expect(ops.map(([path]) => path).sort()).toEqual(listed.map((t) => `/v1/tools/${t.name}`).sort())
    // Every tool is in the ?tools=all document.
    const all = openApiDocument(createApp(), { writes: true, url: 'https://x.example', tools: 'all' })
    expect(
      Object.keys(all.paths ?? {})
        .filter((p) => p.startsWith('/v1/tools/'))
        .sort()
    ).toEqual(tools.map((t) => `/v1/tools/${t.name}`).sort())
    const ids = ops.map(([, op]) => op.operationId)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9]*$/)
  })

  it('keeps descriptions within GPT Actions limits and flags writes as consequential', () => {
    for (const [path, op] of operations(committed)) {
      expect(op.description.length, path).toBeLessThanOrEqual(300)
      const tool = tools.find((t) => path.endsWith(`/${t.name}`))!
      expect(op['x-openai-isConsequential']).toBe(!tool.annotations.readOnlyHint)
      const props = op.requestBody.content['application/json'].schema.properties ?? {}
      for (const [name, schema] of Object.entries(props) as [string, { description?: string }][]) {
        expect(schema.description, `${path} ${name}`).toBeTruthy()
        expect(schema.description!.length).toBeLessThanOrEqual(700)
      }
    }
  })
})

interface JsonSchema {
  description?: string
  properties?: Record<string, JsonSchema>
  items?: JsonSchema | JsonSchema[]
  anyOf?: JsonSchema[]
  oneOf?: JsonSchema[]
  allOf?: JsonSchema[]
  additionalProperties?: JsonSchema | boolean
}

/** Every property at any depth (objects in arrays, nullable and union members) without a description. */
function undescribedFields(schema: JsonSchema, path: string): string[] {
  const out: string[] = []
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    if (!field.description && !field.anyOf?.some((f) => f.description)) out.push(`${path}.${name}`)
    out.push(...undescribedFields(field, `${path}.${name}`))
  }
  const items = Array.isArray(schema.items) ? schema.items : schema.items ? [schema.items] : []
  for (const item of items) out.push(...undescribedFields(item, `${path}[]`))
  for (const member of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
    out.push(...undescribedFields(member, path))
  if (typeof schema.additionalProperties === 'object')
    out.push(...undescribedFields(schema.additionalProperties, `${path}{}`))
  return out
}

describe('every tool is fully described for a model', () => {
  for (const tool of tools) {
    it(tool.name, () => {
      expect(tool.name).toMatch(/^[a-z][a-z0-9_]*$/)
      expect(tool.title.length).toBeGreaterThan(3)
      expect(tool.description.length).toBeGreaterThan(60)
      expect(Object.keys(tool.annotations).sort()).toEqual([
        'destructiveHint',
        'idempotentHint',
        'openWorldHint',
        'readOnlyHint',
      ])
      const undescribed = [tool.input, tool.output].flatMap((schema, i) =>
        undescribedFields(schema.toJSONSchema({ io: 'input' }) as JsonSchema, `${tool.name}.${i ? 'output' : 'input'}`)
      )
      expect(undescribed).toEqual([])
    })
  }
})
