import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { keys } from '../helpers/worker-faces.ts'
import { createWorkflow } from '../helpers/worker-torc.ts'

/**
 * Production path (b): a Workers VPC service binding and no public hostname. Miniflare serves the
 * binding with a function that reaches the real torc-server; the Worker's TORC_API_URL names a
 * host that does not resolve, so only the binding can answer.
 */
describe('Workers VPC service binding', () => {
  it('reaches Torc through the TORC binding, keeping the API path', async () => {
    const wf = await createWorkflow({ name: 'via-vpc', jobs: [{ name: 'one' }] })
    const vpcEnv = {
      ...env,
      TORC: (env as unknown as { TORC_VPC: Fetcher }).TORC_VPC,
      TORC_API_URL: 'http://torc.vpc.internal/torc-service/v1',
    }
    const res = await createApp().request(
      'http://edge.test/v1/tools/get_workflow_status',
      {
        method: 'POST',
        headers: { Authorization: `Bearer ${keys().read}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ workflow_id: wf.id }),
      },
      vpcEnv
    )
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ workflow_id: wf.id, name: 'via-vpc', total_jobs: 1 })

    const health = await createApp().request('http://edge.test/health', {}, vpcEnv)
    expect(await health.json()).toMatchObject({ status: 'ok', torc: { url: 'http://torc.vpc.internal/torc-service/v1', reachable: true } })
  })
})
