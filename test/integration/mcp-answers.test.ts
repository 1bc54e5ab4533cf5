import { describe, expect, it } from 'vitest'
import { BASE, keys, workerFetch } from '../helpers/worker-faces.ts'
import { createWorkflow } from '../helpers/worker-torc.ts'

/**
 * How a 2025-era tools/call is answered (src/mcp.ts): one JSON body when the client asked for no
 * progress (nothing else can come), an event stream carrying the progress when it did. Raw HTTP,
 * in-process through the Worker, against the real torc-server.
 */
const post = (body: unknown, accept = 'application/json, text/event-stream') =>
  workerFetch(`${BASE}/mcp`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${keys().read}`,
      'Content-Type': 'application/json',
      Accept: accept,
      'MCP-Protocol-Version': '2025-11-25',
    },
    body: JSON.stringify(body),
  })
const call = (workflowId: number, meta?: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name: 'get_workflow_status', arguments: { workflow_id: workflowId }, ...(meta && { _meta: meta }) },
})

describe('2025-era tool calls', () => {
  it('without a progress token: the answer as one JSON body', async () => {
    const wf = await createWorkflow({ name: 'answers-json', jobs: [{ name: 'a' }] })
    const res = await post(call(wf.id))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const answer = (await res.json()) as { id: number; result: { structuredContent: { workflow_id: number } } }
    expect(answer.id).toBe(7)
    expect(answer.result.structuredContent.workflow_id).toBe(wf.id)
  })

  it('still refuses a client that does not accept both answers, as the protocol asks', async () => {
    const res = await post(call(1), 'application/json')
    expect(res.status).toBe(406)
    expect(await res.text()).toContain('Not Acceptable')
  })

  it('with a progress token: an event stream ending with the answer', async () => {
    const wf = await createWorkflow({ name: 'answers-sse', jobs: [{ name: 'a' }] })
    const res = await post(call(wf.id, { progressToken: 'p1' }))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = (await res.text()).split('\n').filter((line) => line.startsWith('data: '))
    const last = JSON.parse(events.at(-1)!.slice('data: '.length)) as { id: number; result: { isError?: boolean } }
    expect(last.id).toBe(7)
    expect(last.result.isError ?? false).toBe(false)
  })

  it("a name that is no registry tool takes the SDK's way, an event stream, and is refused", async () => {
    const res = await post({ ...call(1), params: { name: 'no_such_tool', arguments: {} } })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(await res.text()).toContain('no_such_tool')
  })
})
