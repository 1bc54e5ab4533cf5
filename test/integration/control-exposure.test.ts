import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { tools } from '../../src/tools/index.ts'
import { keys, mcpClient } from '../helpers/worker-faces.ts'

/**
 * How the write tools are advertised: their MCP annotations and OpenAPI flags, and their absence
 * (refused, and dropped from OpenAPI) on a deployment without TORC_EDGE_WRITES.
 */

describe('annotations of the write tools', () => {
  const expected = {
    recover_workflow: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    classify_and_resolve_failures: {
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: false,
    },
    cancel_workflow: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    cancel_jobs: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    restart_failed_jobs: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    update_job_resources: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  }

  it('each says it writes and loses state, on MCP and in the OpenAPI document', async () => {
    const client = await mcpClient()
    const listed = new Map((await client.listTools()).tools.map((t) => [t.name, t]))
    await client.close()
    const doc = (await (await createApp().request('http://edge.test/openapi.json', {}, env)).json()) as {
      paths: Record<string, { post: Record<string, unknown> }>
    }
    for (const [name, annotations] of Object.entries(expected)) {
      expect(listed.get(name)?.annotations, name).toMatchObject(annotations)
      expect(doc.paths[`/v1/tools/${name}`]?.post['x-openai-isConsequential'], name).toBe(true)
      const input = (listed.get(name)?.inputSchema ?? {}) as { properties?: Record<string, { default?: unknown }> }
      expect(input.properties?.dry_run?.default, `${name} previews by default`).toBe(true)
    }
  })
})

describe('write tools are hidden unless writes are enabled and the key may write', () => {
  const writeTools = tools.filter((t) => !t.annotations.readOnlyHint && !t.writes).map((t) => t.name)

  it('lists the write tools we expect', () => {
    expect(writeTools).toEqual(
      expect.arrayContaining([
        'update_job_resources',
        'recover_workflow',
        'classify_and_resolve_failures',
        'cancel_workflow',
        'cancel_jobs',
        'restart_failed_jobs',
      ])
    )
  })

  it('a deployment without TORC_EDGE_WRITES refuses them even with a write key, and drops them from OpenAPI', async () => {
    const app = createApp()
    const disabled = { ...env, TORC_EDGE_WRITES: 'false' }
    const res = await app.request(
      'http://edge.test/v1/tools/cancel_workflow',
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${keys().write}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ workflow_id: 1 }),
      },
      disabled
    )
    expect(res.status).toBe(403)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('TORC_EDGE_WRITES')
    const doc = (await (await app.request('http://edge.test/openapi.json', {}, disabled)).json()) as {
      paths: Record<string, unknown>
    }
    for (const name of writeTools) expect(doc.paths[`/v1/tools/${name}`]).toBeUndefined()
    expect(doc.paths['/v1/tools/get_workflow_status']).toBeDefined()
  })
})
