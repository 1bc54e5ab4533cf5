import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { keys, mcpClient, rest } from '../helpers/worker-faces.ts'

/**
 * get_job_logs through the Worker with a READ key while a hostile job (the cluster harness's
 * swapper, test/setup/swapper.ts, in the node process: workerd cannot touch the disk) flips the
 * real site server's job_stdio for a symlink to a directory outside it whose files have the same
 * names and hold a marker. No answer may carry the marker; a refused read is a clean 404.
 * The swap is global to the shared output directory, so the harness holds its log writes and
 * `torc run`s until the swap stops; another file's job_stdio reads in those seconds may see 404s.
 */
const WF = 900_000_000 + Math.floor(Math.random() * 99_000_000)
const JOBS = 6
const CALLS = 600
const MCP_CALLS = 60
const CONCURRENCY = 6
const MARKER = 'OUTSIDE-SECRET-5c1e'
const name = (job: number) => `job_wf${WF}_j${job}_r1_a1.e`
const lines = (job: number) => Array.from({ length: 20 + job }, (_, i) => `job ${job} stderr line ${i + 1}`)

async function cluster(path: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(`${inject('clusterUrl')}${path}`, { method: 'POST', ...init })
  if (!res.ok) throw new Error(`cluster harness ${path}: ${res.status} ${await res.text()}`)
  return res
}

beforeAll(async () => {
  for (let job = 1; job <= JOBS; job++)
    await cluster(`/logs?path=${encodeURIComponent(`job_stdio/${name(job)}`)}`, {
      body: `${lines(job).join('\n')}\n`,
    })
})

let swapping = false
afterAll(async () => {
  if (swapping) await cluster('/swap/stop').catch(() => undefined)
})

interface Tally {
  calls: number
  served: number
  refused: number
  escapes: number
  wrong: number
  problems: string[]
}

function judge(t: Tally, job: number, tail: number, status: number, out: any): void {
  t.calls++
  if (JSON.stringify(out).includes(MARKER)) t.escapes++
  if (status === 404) {
    t.refused++
    if (out?.error?.code !== 'not_found') t.problems.push(`404 without not_found: ${JSON.stringify(out)}`)
    return
  }
  if (status !== 200) {
    t.problems.push(`${status}: ${JSON.stringify(out).slice(0, 300)}`)
    return
  }
  t.served++
  if (out.content !== lines(job).slice(-tail).join('\n') || out.path !== `job_stdio/${name(job)}`) t.wrong++
}

describe('get_job_logs while job_stdio is swapped for a symlink out of the root', () => {
  it(`returns nothing from outside across ${CALLS + MCP_CALLS} calls with a READ key`, async () => {
    const outside = Object.fromEntries(
      Array.from({ length: JOBS }, (_, i) => [name(i + 1), `${MARKER}\n`.repeat(30 + i)])
    )
    await cluster('/swap/start', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ files: outside }),
    })
    swapping = true
    const viaRest: Tally = { calls: 0, served: 0, refused: 0, escapes: 0, wrong: 0, problems: [] }
    const viaMcp: Tally = { calls: 0, served: 0, refused: 0, escapes: 0, wrong: 0, problems: [] }
    const started = performance.now()
    let flips = 0
    try {
      let next = 0
      const restCalls = Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < CALLS; i = next++) {
          const job = (i % JOBS) + 1
          const tail = 1 + (i % 7)
          const input = { workflow_id: WF, job_id: job, run_id: 1, log_type: 'stderr', tail_lines: tail }
          const res = await rest('get_job_logs', input, keys().read)
          judge(viaRest, job, tail, res.status, res.body)
        }
      })
      const mcpCalls = (async () => {
        const client = await mcpClient({ key: keys().read })
        try {
          for (let i = 0; i < MCP_CALLS; i++) {
            const job = (i % JOBS) + 1
            const args = { workflow_id: WF, job_id: job, run_id: 1, log_type: 'stderr', tail_lines: 3 }
            const result = await client.callTool({ name: 'get_job_logs', arguments: args })
            const text = JSON.stringify(result.content)
            const status = !result.isError ? 200 : /not[ _]found|no stderr log/i.test(text) ? 404 : 500
            judge(
              viaMcp,
              job,
              3,
              status,
              result.isError ? { error: { code: 'not_found', text } } : result.structuredContent
            )
          }
        } finally {
          await client.close()
        }
      })()
      await Promise.all([...restCalls, mcpCalls])
    } finally {
      flips = ((await (await cluster('/swap/stop')).json()) as { flips: number }).flips
      swapping = false
      const seconds = ((performance.now() - started) / 1000).toFixed(1)
      for (const [face, t] of [
        ['rest', viaRest],
        ['mcp', viaMcp],
      ] as const)
        console.log(
          `site race via ${face}: ${t.calls} get_job_logs calls in ${seconds} s (${flips} flips): ${t.served} ` +
            `served, ${t.refused} refused (404), ${t.escapes} escapes, ${t.wrong} wrong, ${t.problems.length} other`
        )
    }
    expect(viaRest.problems.slice(0, 5)).toEqual([])
    expect(viaMcp.problems.slice(0, 5)).toEqual([])
    expect(viaRest.calls + viaMcp.calls).toBe(CALLS + MCP_CALLS)
    expect(viaRest.escapes + viaMcp.escapes).toBe(0)
    expect(viaRest.wrong + viaMcp.wrong).toBe(0)
    expect(flips).toBeGreaterThan(100)
    expect(viaRest.served, 'no call was ever served: the test proves nothing').toBeGreaterThan(0)
  })

  it('reads every log again once the swapping stops', async () => {
    for (let job = 1; job <= JOBS; job++) {
      const res = await rest(
        'get_job_logs',
        { workflow_id: WF, job_id: job, run_id: 1, log_type: 'stderr', tail_lines: 2 },
        keys().read
      )
      expect(res.status).toBe(200)
      expect(res.body.content).toBe(lines(job).slice(-2).join('\n'))
    }
  })
})
