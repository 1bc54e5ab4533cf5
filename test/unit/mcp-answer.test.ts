/**
 * The plain tool call answered without the SDK (src/mcp-answer.ts) against the SDK's answer to the
 * same request (serveMcp with sdkOnly), request by request: the same status, content type and
 * JSON-RPC message. Requests that are not plain tool calls must be left to the SDK.
 */
import { describe, expect, it } from 'vitest'
import { serveMcp } from '../../src/mcp.ts'
import { answerToolCall } from '../../src/mcp-answer.ts'
import { tools } from '../../src/tools/index.ts'
import { ScriptedTorc, scriptedContext, torcError, workflowStatus } from '../helpers/scripted-torc.ts'
import { quietToolLogs } from './tools/harness.ts'

quietToolLogs()

const torc = () =>
  new ScriptedTorc()
    .on('GET', '/workflows/7', { id: 7, name: 'wf-7', user: 'alice', run_id: 1 })
    .on('GET', '/workflows/7/status', workflowStatus(7))
    .list('/scheduled_compute_nodes', [])
    .on('GET', '/workflows/9', torcError(404, 'Workflow not found with ID: 9'))
    .on('GET', '/workflows/9/status', torcError(404, 'Workflow not found with ID: 9'))
const ctx = (scope: 'read' | 'write' = 'read') => {
  const { progress: _, ...rest } = scriptedContext(torc(), { scope })
  return rest
}

const HEADERS = {
  accept: 'application/json, text/event-stream',
  'content-type': 'application/json',
  'mcp-protocol-version': '2025-11-25',
}

function post(body: unknown, headers: Record<string, string> = HEADERS): Request {
  return new Request('http://edge.test/mcp', { method: 'POST', headers, body: JSON.stringify(body) })
}

const call = (params: Record<string, unknown>, id: unknown = 1) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params,
})

/**
 * What a client reads of an answer: its status and JSON-RPC message, sent as one JSON body or (the
 * SDK's stateless 2025-era answer) as one event of a stream; the 2025-era protocol lets a server pick.
 */
async function read(response: Response) {
  const type = response.headers.get('content-type') ?? ''
  const text = await response.text()
  const message = type.startsWith('text/event-stream') ? /^data: (.*)$/m.exec(text)?.[1] : text
  return { status: response.status, message: message && JSON.parse(message) }
}

describe('a plain tool call answered without the SDK', () => {
  const plain: [string, unknown][] = [
    ['an answer', call({ name: 'get_workflow_status', arguments: { workflow_id: 7 } })],
    ['a string id', call({ name: 'get_workflow_status', arguments: { workflow_id: 7 } }, 'req-1')],
    ['a Torc 404', call({ name: 'get_workflow_status', arguments: { workflow_id: 9 } })],
    ['input the tool refuses', call({ name: 'get_workflow_status', arguments: { workflow_id: 'seven' } })],
    ['no arguments', call({ name: 'get_workflow_status' })],
    ['input out of range', call({ name: 'list_workflows', arguments: { limit: 0 } })],
  ]
  for (const [name, body] of plain) {
    it(`${name}: the SDK's answer`, async () => {
      const direct = await answerToolCall(post(body), body, tools, ctx())
      expect(direct?.headers.get('content-type'), 'answered directly, as JSON').toBe('application/json')
      const sdk = await serveMcp(post(body), tools, ctx(), undefined, { sdkOnly: true })
      expect(await read(direct!)).toEqual(await read(sdk))
    })
  }

  const notPlain: [string, unknown, Record<string, string>?][] = [
    [
      'a progress token',
      call({ name: 'get_workflow_status', arguments: { workflow_id: 7 }, _meta: { progressToken: 1 } }),
    ],
    [
      'any other _meta',
      call({ name: 'get_workflow_status', arguments: { workflow_id: 7 }, _meta: { traceparent: 'x' } }),
    ],
    ['a tool outside the registry', call({ name: 'no_such_tool', arguments: {} })],
    ['a name on Object.prototype', call({ name: 'constructor', arguments: {} })],
    ['a write tool this caller cannot see', call({ name: 'cancel_workflow', arguments: { workflow_id: 7 } })],
    ['arguments that are not an object', call({ name: 'get_workflow_status', arguments: [7] })],
    ['a fractional id', call({ name: 'get_workflow_status', arguments: { workflow_id: 7 } }, 1.5)],
    ['no id (a notification)', { jsonrpc: '2.0', method: 'tools/call', params: { name: 'get_workflow_status' } }],
    ['another method', { jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }],
    ['a batch', [call({ name: 'get_workflow_status', arguments: { workflow_id: 7 } })]],
    ['an extra member', { ...call({ name: 'get_workflow_status', arguments: { workflow_id: 7 } }), extra: 1 }],
    [
      'a task-augmented call',
      call({ name: 'get_workflow_status', arguments: { workflow_id: 7 }, task: { ttl: 1000 } }),
    ],
    [
      'no event stream in Accept',
      call({ name: 'get_workflow_status', arguments: { workflow_id: 7 } }),
      { ...HEADERS, accept: 'application/json' },
    ],
    [
      'a body not sent as JSON',
      call({ name: 'get_workflow_status', arguments: { workflow_id: 7 } }),
      { ...HEADERS, 'content-type': 'text/plain' },
    ],
    [
      'an unknown protocol version',
      call({ name: 'get_workflow_status', arguments: { workflow_id: 7 } }),
      { ...HEADERS, 'mcp-protocol-version': '1999-01-01' },
    ],
    [
      'the 2026-07-28 protocol',
      call({ name: 'get_workflow_status', arguments: { workflow_id: 7 } }),
      { ...HEADERS, 'mcp-protocol-version': '2026-07-28' },
    ],
  ]
  for (const [name, body, headers] of notPlain) {
    it(`${name}: left to the SDK`, async () => {
      expect(await answerToolCall(post(body, headers), body, tools, ctx())).toBeUndefined()
    })
  }

  it('the write tool a write caller sees is answered like the SDK answers it', async () => {
    const body = call({ name: 'cancel_workflow', arguments: { workflow_id: 9 } })
    const direct = await answerToolCall(post(body), body, tools, ctx('write'))
    expect(direct).toBeDefined()
    const sdk = await serveMcp(post(body), tools, ctx('write'), undefined, { sdkOnly: true })
    expect(await read(direct!)).toEqual(await read(sdk))
  })
})
