/**
 * Torc's own answer to two writers racing on one job's status, provoked on the real torc-server:
 * concurrent manage_status_change calls on the same jobs. torc-server refuses the losers with HTTP
 * 422 "status was concurrently modified"; TorcClient must report that as conflict (409), never as
 * invalid input.
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ToolError } from '../../src/errors.ts'
import { TorcClient } from '../../src/torc/client.ts'
import { createTransport } from '../../src/transport.ts'
import { createWorkflow, torcApiUrl } from '../helpers/worker-torc.ts'

describe('TorcClient against racing writers', () => {
  it('maps the real "concurrently modified" 422 to conflict', async () => {
    const client = new TorcClient(createTransport({ baseUrl: torcApiUrl() }), { timeoutMs: 20_000 })
    const wf = await createWorkflow({
      name: 'status-race',
      jobs: Array.from({ length: 40 }, (_, i) => ({ name: `j${i}` })),
    })
    const failures: ToolError[] = []
    let calls = 0
    // Bounded: a few rounds of four writers per job until Torc has refused some.
    for (let round = 0; round < 5 && failures.length === 0; round++) {
      await Promise.all(
        [...wf.jobIds.values()].flatMap((id) =>
          ['blocked', 'uninitialized', 'ready', 'blocked'].map(async (status) => {
            calls++
            try {
              await client.send('PUT', `/jobs/${id}/manage_status_change/${status}/${wf.runId}`, z.unknown())
            } catch (err) {
              failures.push(err as ToolError)
            }
          })
        )
      )
    }
    console.log(`status race: ${failures.length} of ${calls} writes refused by Torc`)
    expect(failures.length).toBeGreaterThan(0)
    for (const err of failures) {
      expect(err).toBeInstanceOf(ToolError)
      expect(err.code, err.message).toBe('conflict')
      expect(err.message).toMatch(/changed concurrently by another writer: job_id=\d+ status was concurrently modified/)
    }
  })
})
