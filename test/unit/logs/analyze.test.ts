import { describe, expect, it } from 'vitest'
import { analyzeBundle } from '../../../src/logs/analyze.ts'
import { controlLine } from '../../../src/site-protocol/framing.ts'

const enc = (s: string) => new TextEncoder().encode(s)

/** A bundle of one big file whose content arrives in slow chunks, like a congested tunnel. */
function slowBundle(chunks: number, delayMs: number): ReadableStream<Uint8Array> {
  const line = enc('Killed\n')
  let sent = -1
  let cancelled = false
  return new ReadableStream({
    async pull(c) {
      if (sent === -1) {
        c.enqueue(
          controlLine({ torc_edge_bundle: 1, workflow_id: 1, files: 1, bytes: chunks * line.length, truncated: false })
        )
        c.enqueue(controlLine({ path: 'job_stdio/job_wf1_j1_r1_a1.e', size: chunks * line.length }))
        sent = 0
        return
      }
      await new Promise((r) => setTimeout(r, delayMs))
      if (cancelled) return
      c.enqueue(line)
      if (++sent === chunks) {
        c.enqueue(controlLine({ end: true, files: 1, bytes: chunks * line.length, truncated: false }))
        c.close()
      }
    },
    cancel() {
      cancelled = true
    },
  })
}

describe('analyzeBundle', () => {
  it('stops at its time budget with what it found, and says so', async () => {
    const started = Date.now()
    const r = await analyzeBundle(slowBundle(1000, 5), { timeBudgetMs: 200 })
    expect(Date.now() - started).toBeLessThan(2000)
    expect(r.truncated).toBe(true)
    expect(r.truncation_reason).toMatch(
      /^time budget of 0\.2 s reached after 1 files \(\d+ bytes\); the last one only in part$/
    )
    expect(r.files_parsed).toBe(1)
    expect(r.error_count).toBeGreaterThan(5)
    expect(r.error_count).toBeLessThan(1000)
    expect(r.error_count).toBe(r.bytes_scanned / 7)
  })

  it('reads a whole bundle within the budget', async () => {
    const r = await analyzeBundle(slowBundle(20, 1), { timeBudgetMs: 10_000 })
    expect(r).toMatchObject({ truncated: false, truncation_reason: null, error_count: 20, files_parsed: 1 })
  })
})
