import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app.ts'
import { ToolError, UPSTREAM_TEXT_MAX } from '../../src/errors.ts'
import { OutputClient } from '../../src/output/client.ts'
import type { ToolName } from '../../src/tools/index.ts'
import { TorcClient } from '../../src/torc/client.ts'
import { WorkflowSchema } from '../../src/torc/schemas.ts'
import { createTransport, type Transport } from '../../src/transport.ts'
import { keys, mcpClient, rest } from '../helpers/worker-faces.ts'
import { torcApiUrl } from '../helpers/worker-torc.ts'

/**
 * What a client sees never names an upstream's address (Torc's, the output site's): not /health
 * (public), not an error message, not a Torc error body passed on. The structured log line keeps
 * the address, as the error's cause. Against the real torc-server and closed loopback ports; the
 * one scripted Transport stands in for a Torc that sends a long error body naming addresses, which
 * the real one cannot be made to do.
 */
const app = createApp()
const torcHost = () => new URL(torcApiUrl()).host
const DOWN = 'http://127.0.0.1:9/torc-service/v1'
/** Addresses in any spelling a message could carry them. */
const ADDRESS = /https?:\/\/|127\.0\.0\.1|localhost|:\d{2,5}\b|torc-service/

afterEach(() => vi.restoreAllMocks())

async function failure(promise: Promise<unknown>): Promise<ToolError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(ToolError)
  return err as ToolError
}

describe('/health', () => {
  it('says whether Torc answers, never where it is', async () => {
    const ok = await app.request('http://edge.test/health', {}, env)
    expect(ok.status).toBe(200)
    const text = await ok.text()
    expect(JSON.parse(text)).toMatchObject({ status: 'ok', torc: { reachable: true, version: '1.0.0 (unknown)' } })
    expect(text).not.toContain(torcHost())
    expect(text).not.toMatch(ADDRESS)

    const down = await app.request(
      'http://edge.test/health',
      {},
      { ...env, TORC_API_URL: 'http://svc:pw-secret@127.0.0.1:1/torc-service/v1', TORC_PASSWORD: 'pw2-secret' }
    )
    expect(down.status).toBe(503)
    const body = await down.text()
    expect(JSON.parse(body)).toMatchObject({ status: 'degraded', torc: { reachable: false, error: /unreachable/ } })
    expect(body).not.toMatch(ADDRESS)
    expect(body).not.toMatch(/secret/)
  })
})

describe('error messages', () => {
  it('Torc down: both faces say so without its address; the log line has it', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const res = await app.request(
      'http://edge.test/v1/tools/get_workflow_status',
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${keys().read}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ workflow_id: 1 }),
      },
      { ...env, TORC_API_URL: DOWN }
    )
    expect(res.status).toBe(502)
    const { error } = (await res.json()) as { error: { code: string; message: string } }
    expect(error).toMatchObject({
      code: 'upstream_unavailable',
      message: /^Torc is unreachable \(GET \/workflows\/1\)/,
    })
    expect(error.message).not.toMatch(ADDRESS)
    const lines = log.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
    const call = lines.find((l) => l.event === 'tool_call' && l.tool === 'get_workflow_status')
    expect(call).toMatchObject({ outcome: 'upstream_unavailable', cause: expect.stringContaining('127.0.0.1:9') })
  })

  it('the output site down: no address either', async () => {
    const client = new OutputClient(createTransport({ baseUrl: 'http://127.0.0.1:9', bearer: 'never-shown' }), 2_000)
    const err = await failure(client.stat('x.log'))
    expect(err.code).toBe('upstream_unavailable')
    expect(err.message).not.toMatch(ADDRESS)
    expect(String((err.cause as Error).message)).toContain('127.0.0.1:9')
  })

  it("Torc's error body reaches the client cut to 300 characters, without URLs or host:port", async () => {
    const body = {
      error: {
        message:
          `proxy http://10.1.2.3:8080/torc-service/v1/jobs failed; upstream torc.internal:8080 and [::1]:8080 ` +
          `and 192.168.7.7 refused; ${'x'.repeat(2000)}`,
      },
    }
    const transport: Transport = {
      baseUrl: 'http://torc.internal:8080/torc-service/v1',
      host: 'torc.internal:8080',
      fetch: async () => Response.json(body, { status: 500 }),
    }
    const err = await failure(new TorcClient(transport, { timeoutMs: 1000 }).get('/jobs/1', WorkflowSchema))
    expect(err.code).toBe('upstream_error')
    expect(err.message).toMatch(/^Torc failed GET \/jobs\/1 \(HTTP 500\): proxy <upstream> failed; upstream <upstream>/)
    expect(err.message).not.toMatch(/10\.1\.2\.3|torc\.internal|\[::1\]|192\.168|8080/)
    const passedOn = err.message.slice(err.message.indexOf(': ') + 2)
    expect(passedOn.length).toBeLessThanOrEqual(UPSTREAM_TEXT_MAX)
    expect(String((err.cause as Error).message)).toContain('torc.internal:8080')
  })
})

describe('a missing workflow, through tools that ask Torc several things at once', () => {
  // Each of these sends parallel calls scoped to the workflow; which one fails first varies.
  const tools: ToolName[] = [
    'get_workflow_status',
    'get_workflow_summary',
    'list_failed_jobs',
    'check_resource_utilization',
    'list_results',
    'recover_workflow',
    'list_pending_failed_jobs',
  ]
  const missing = Number.MAX_SAFE_INTEGER

  it('always answers "workflow N not found", on both faces', async () => {
    const messages = new Set<string>()
    for (let round = 0; round < 3; round++) {
      for (const tool of tools) {
        const res = await rest(tool, { workflow_id: missing })
        expect(res.status, `${tool}: ${JSON.stringify(res.body)}`).toBe(404)
        expect(res.body.error.code).toBe('not_found')
        messages.add(res.body.error.message)
      }
    }
    const client = await mcpClient({ key: keys().write })
    for (const tool of tools) {
      const result = await client.callTool({ name: tool, arguments: { workflow_id: missing } })
      expect(result.isError, tool).toBe(true)
      messages.add(JSON.stringify(result.content).replace(/^.*not_found: ([^"]*)".*$/, '$1'))
    }
    await client.close()
    expect([...messages]).toEqual([`workflow ${missing} not found`])
  })

  it('a missing job is "job N not found"', async () => {
    const res = await rest('get_job_details', { job_id: missing })
    expect(res).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found', message: `job ${missing} not found` } },
    })
  })
})
