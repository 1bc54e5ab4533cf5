import { env } from 'cloudflare:workers'
import { afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { createApp } from '../../src/app.ts'
import { keys } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, type WorkflowFixture } from '../helpers/worker-torc.ts'

const call = (name: string, input: unknown, bindings: object) =>
  createApp().request(
    `http://edge.test/v1/tools/${name}`,
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys().read}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input),
    },
    bindings
  )

/** The job runner's part: a log at Torc's path in the site server's root (test/cluster.ts). */
async function writeLog(path: string, text: string): Promise<void> {
  const res = await fetch(`${inject('clusterUrl')}/logs?path=${encodeURIComponent(path)}`, {
    method: 'POST',
    body: text,
  })
  if (!res.ok) throw new Error(`log writer: ${res.status}`)
}

let wf: WorkflowFixture
let jobId: number
beforeAll(async () => {
  wf = await createWorkflow({ name: 'via-transport', jobs: [{ name: 'one' }] })
  await drive(wf, () => ({ status: 'completed', return_code: 0, exec_time_minutes: 1 }))
  jobId = wf.jobIds.get('one')!
  await writeLog(`job_stdio/job_wf${wf.id}_j${jobId}_r1_a1.o`, 'hello from the login node\n')
})
const logsInput = () => ({ workflow_id: wf.id, job_id: jobId, run_id: 1, log_type: 'stdout' })

/**
 * Production path (b): Workers VPC service bindings and no public hostname. Miniflare serves the
 * bindings with functions that reach the real torc-server and site server; the Worker's URLs name
 * hosts that do not resolve, so only the bindings can answer.
 */
describe('Workers VPC service bindings', () => {
  it('reaches Torc through the TORC binding, keeping the API path', async () => {
    const vpcEnv = {
      ...env,
      TORC: (env as unknown as { TORC_VPC: Fetcher }).TORC_VPC,
      TORC_API_URL: 'http://torc.vpc.internal/torc-service/v1',
    }
    const res = await call('get_workflow_status', { workflow_id: wf.id }, vpcEnv)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ workflow_id: wf.id, name: 'via-transport', total_jobs: 1 })

    const health = await createApp().request('http://edge.test/health', {}, vpcEnv)
    expect(await health.json()).toMatchObject({
      status: 'ok',
      torc: { reachable: true },
    })
  })

  it('reaches the site server through the OUTPUT binding, with its bearer token', async () => {
    const vpcEnv = {
      ...env,
      OUTPUT: (env as unknown as { OUTPUT_VPC: Fetcher }).OUTPUT_VPC,
      TORC_OUTPUT_URL: 'http://output.vpc.internal',
    }
    const res = await call('get_job_logs', logsInput(), vpcEnv)
    expect(res.status, await res.clone().text()).toBe(200)
    expect(JSON.stringify(await res.json())).toContain('hello from the login node')

    // The real site server insists on its token: through the binding, a wrong one is refused.
    const wrongToken = await call('get_job_logs', logsInput(), { ...vpcEnv, TORC_OUTPUT_TOKEN: 'not-the-site-token' })
    expect(wrongToken.status).toBe(502)
    expect(await wrongToken.text()).toContain('refused torc-edge')
  })
})

/**
 * Production path (a): tunnel public hostnames behind Cloudflare Access service auth, reached by a
 * direct-URL fetch. Cloudflare's edge and the tunnel cannot run here, so the Worker's outbound
 * fetch to the two tunnel hostnames is routed to a stand-in for them: it records each request as
 * the Worker sent it, refuses (403, as an Access Service Auth policy does) any that lacks the
 * service token, and forwards the rest to the real torc-server and site server. Every other fetch
 * goes out unchanged.
 */
describe('Cloudflare Tunnel hostnames behind Access service auth', () => {
  const TORC_HOST = 'torc.tunnel.test'
  const OUTPUT_HOST = 'torc-output.tunnel.test'
  const TOKEN = { id: 'edge-worker.access', secret: 'access-secret-4c1f9e' }
  const tunnelEnv = {
    ...env,
    TORC_API_URL: `https://${TORC_HOST}/torc-service/v1`,
    TORC_OUTPUT_URL: `https://${OUTPUT_HOST}`,
    CF_ACCESS_CLIENT_ID: TOKEN.id,
    CF_ACCESS_CLIENT_SECRET: TOKEN.secret,
  }
  const realFetch = globalThis.fetch
  const seen: { host: string; path: string; headers: Headers }[] = []

  function standInForTheEdge(): void {
    seen.length = 0
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const request = new Request(input, init)
      const url = new URL(request.url)
      const origin = { [TORC_HOST]: inject('torcApiUrl'), [OUTPUT_HOST]: inject('outputUrl') }[url.hostname]
      if (!origin) return realFetch(request)
      seen.push({ host: url.hostname, path: url.pathname, headers: new Headers(request.headers) })
      const id = request.headers.get('CF-Access-Client-Id')
      const secret = request.headers.get('CF-Access-Client-Secret')
      if (id !== TOKEN.id || secret !== TOKEN.secret)
        return new Response('Forbidden: Access service token required', { status: 403 })
      const target = new URL(origin)
      url.protocol = target.protocol
      url.host = target.host
      return realFetch(new Request(url, request))
    })
  }
  afterEach(() => vi.restoreAllMocks())

  it('sends the service token on every fetch to Torc and to the site server (with the site bearer)', async () => {
    standInForTheEdge()
    const status = await call('get_workflow_status', { workflow_id: wf.id }, tunnelEnv)
    expect(status.status, await status.clone().text()).toBe(200)
    expect(await status.json()).toMatchObject({ workflow_id: wf.id, total_jobs: 1 })
    const logs = await call('get_job_logs', logsInput(), tunnelEnv)
    expect(logs.status, await logs.clone().text()).toBe(200)
    expect(JSON.stringify(await logs.json())).toContain('hello from the login node')

    const torc = seen.filter((r) => r.host === TORC_HOST)
    const output = seen.filter((r) => r.host === OUTPUT_HOST)
    expect(torc.length).toBeGreaterThan(0)
    expect(output.length).toBeGreaterThan(0)
    for (const r of seen) {
      expect(r.headers.get('CF-Access-Client-Id'), r.path).toBe(TOKEN.id)
      expect(r.headers.get('CF-Access-Client-Secret'), r.path).toBe(TOKEN.secret)
    }
    for (const r of torc) {
      expect(r.path.startsWith('/torc-service/v1/'), r.path).toBe(true)
      expect(r.headers.get('Authorization'), r.path).toBeNull()
    }
    for (const r of output) expect(r.headers.get('Authorization'), r.path).toBe(`Bearer ${inject('outputToken')}`)
  })

  it('adds Torc basic auth next to the service token when configured', async () => {
    standInForTheEdge()
    // torc-server here runs without --auth-file, so it ignores the credentials; the wire shows both.
    const res = await call(
      'get_workflow_status',
      { workflow_id: wf.id },
      { ...tunnelEnv, TORC_USERNAME: 'svc', TORC_PASSWORD: 'pw-9d2e' }
    )
    expect(res.status).toBe(200)
    const torc = seen.filter((r) => r.host === TORC_HOST)
    expect(torc.length).toBeGreaterThan(0)
    for (const r of torc) {
      expect(r.headers.get('Authorization')).toBe(`Basic ${btoa('svc:pw-9d2e')}`)
      expect(r.headers.get('CF-Access-Client-Id')).toBe(TOKEN.id)
    }
  })

  it('a wrong service token is refused at the edge, and no answer repeats the secret', async () => {
    standInForTheEdge()
    const wrong = { ...tunnelEnv, CF_ACCESS_CLIENT_SECRET: 'stale-secret-77aa' }
    const torc = await call('get_workflow_status', { workflow_id: wf.id }, wrong)
    expect(torc.status).toBe(403)
    const torcBody = await torc.text()
    expect(torcBody).toContain('Torc refused GET /workflows/')
    expect(torcBody).not.toContain(TORC_HOST)
    // The site's refusal is the deployment's fault, not the caller's: 502 naming what to check.
    const logs = await call('get_job_logs', logsInput(), wrong)
    expect(logs.status).toBe(502)
    const logsBody = await logs.text()
    expect(logsBody).toContain('CF_ACCESS_CLIENT_ID')
    const health = await createApp().request('http://edge.test/health', {}, wrong)
    expect(health.status).toBe(503)
    for (const body of [torcBody, logsBody, await health.text()]) {
      expect(body).not.toContain('stale-secret-77aa')
      expect(body).not.toContain(TOKEN.secret)
    }
  })
})
