/**
 * Torc's answer to two writers racing on one job's status (HTTP 422 "status was concurrently
 * modified", jobs_transport.rs) is a conflict the caller resolves by previewing again, not bad input.
 * The transport is scripted with the exact body torc-server 1.0.0 sends (ErrorResponse {error: {message}}).
 */
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ToolError } from '../../../src/errors.ts'
import { TorcClient } from '../../../src/torc/client.ts'
import type { Transport } from '../../../src/transport.ts'

function answering(status: number, message: string): TorcClient {
  const transport: Transport = {
    baseUrl: 'http://torc.internal:8080/torc-service/v1',
    host: 'torc.internal:8080',
    fetch: async () =>
      new Response(JSON.stringify({ error: { message } }), {
        status,
        headers: { 'Content-Type': 'application/json' },
      }),
  }
  return new TorcClient(transport, { timeoutMs: 1000, retries: 0 })
}

async function failure(client: TorcClient): Promise<ToolError> {
  const err = await client.send('PUT', '/jobs/7/manage_status_change/uninitialized/1', z.unknown()).then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(ToolError)
  return err as ToolError
}

describe('TorcClient: concurrent modification', () => {
  it('maps 422 "status was concurrently modified" to conflict, keeping Torc\'s words', async () => {
    const err = await failure(
      answering(422, "job_id=7 status was concurrently modified (expected status='failed'), please retry")
    )
    expect(err.code).toBe('conflict')
    expect(err.message).toContain('changed concurrently by another writer')
    expect(err.message).toContain('job_id=7 status was concurrently modified')
    expect(err.message).not.toContain('torc.internal')
  })

  it('maps "concurrently changed" the same way', async () => {
    const err = await failure(answering(422, 'start_job: job_id=7 status was concurrently changed from Pending'))
    expect(err.code).toBe('conflict')
  })

  it('leaves every other 422 and 400 as invalid_input', async () => {
    expect((await failure(answering(422, 'Invalid memory format'))).code).toBe('invalid_input')
    expect((await failure(answering(400, 'status was concurrently modified'))).code).toBe('invalid_input')
  })
})
