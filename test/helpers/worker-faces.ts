import { exports } from 'cloudflare:workers'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { expect, inject } from 'vitest'
import type { ToolName } from '../../src/tools/index.ts'

/** Calls the Worker in-process (a Worker cannot fetch its own public URL). */
export const BASE = 'http://edge.test'
export const workerFetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
  exports.default.fetch(new Request(input, init))

export const keys = () => ({ read: inject('readKey'), write: inject('writeKey') })

export async function rest(name: ToolName, input: unknown, key = keys().write): Promise<{ status: number; body: any }> {
  const res = await workerFetch(`${BASE}/v1/tools/${name}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
    body: JSON.stringify(input),
  })
  return { status: res.status, body: await res.json() }
}

export type Era = 'modern' | 'legacy'

/** An MCP client of the Worker, speaking the 2026-07-28 stateless protocol or the 2025 handshake. */
export async function mcpClient(options: { key?: string; era?: Era } = {}): Promise<Client> {
  const client = new Client(
    { name: 'torc-edge-tests', version: '1.0.0' },
    options.era === 'legacy' ? {} : { versionNegotiation: { mode: { pin: '2026-07-28' } } }
  )
  const transport = new StreamableHTTPClientTransport(new URL(`${BASE}/mcp`), {
    fetch: workerFetch,
    requestInit: { headers: { Authorization: `Bearer ${options.key ?? keys().write}` } },
  })
  await client.connect(transport)
  return client
}

/**
 * Calls a tool through MCP (both eras) and REST and asserts all three give the same structured
 * result; returns it.
 */
export async function callBoth(name: ToolName, input: Record<string, unknown>): Promise<any> {
  const viaRest = await rest(name, input)
  expect(viaRest.status, JSON.stringify(viaRest.body)).toBe(200)
  for (const era of ['modern', 'legacy'] as const) {
    const client = await mcpClient({ era })
    const result = await client.callTool({ name, arguments: input })
    await client.close()
    expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false)
    expect(result.structuredContent).toEqual(viaRest.body)
  }
  return viaRest.body
}

/** Applies a previewed change (dry_run=false) through REST or the MCP client; the structured result. */
export async function applyVia(face: 'rest' | 'mcp', name: ToolName, input: Record<string, unknown>): Promise<any> {
  if (face === 'rest') {
    const res = await rest(name, { ...input, dry_run: false })
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return res.body
  }
  const client = await mcpClient()
  const result = await client.callTool({ name, arguments: { ...input, dry_run: false } })
  await client.close()
  expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false)
  return result.structuredContent
}

export interface Confirm {
  tool: ToolName
  arguments: Record<string, unknown>
}

/** Sends a preview's `confirm` call exactly as it was returned, through REST or MCP; the structured result. */
export async function sendConfirm(face: 'rest' | 'mcp', confirm: Confirm | null): Promise<any> {
  expect(confirm, 'the preview offers a confirm call').not.toBeNull()
  expect(confirm!.arguments).toMatchObject({ dry_run: false })
  return applyVia(face, confirm!.tool, confirm!.arguments)
}

/**
 * Creates a workflow as a client does: create_workflow (action "create_workflow") previews the
 * creation and returns the confirm_create_workflow call, which creates it. Returns that answer.
 */
export async function createVia(face: 'rest' | 'mcp', input: Record<string, unknown>): Promise<any> {
  const preview = await callVia(face, 'create_workflow', { ...input, action: 'create_workflow' })
  expect(preview.confirm?.tool, JSON.stringify(preview)).toBe('confirm_create_workflow')
  const made = await sendConfirm(face, preview.confirm)
  expect(made).toMatchObject({ status: 'applied', plan_id: preview.plan_id })
  return made
}

/** Calls a tool through REST or MCP, expecting success; the structured result. */
export async function callVia(face: 'rest' | 'mcp', name: ToolName, input: Record<string, unknown>): Promise<any> {
  if (face === 'rest') {
    const res = await rest(name, input)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    return res.body
  }
  const client = await mcpClient()
  const result = await client.callTool({ name, arguments: input })
  await client.close()
  expect(result.isError ?? false, JSON.stringify(result.content)).toBe(false)
  return result.structuredContent
}
