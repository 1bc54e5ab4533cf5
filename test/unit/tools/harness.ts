/**
 * What the tool tests share: an outcome read as data or as a failure (with its HTTP status), and
 * the tool-call log lines kept off the test output (src/log.ts writes one per call; the log's own
 * tests check them).
 */
import { afterAll, beforeAll, vi } from 'vitest'
import { ERROR_STATUS } from '../../../src/errors.ts'
import type { Outcome } from '../../../src/registry.ts'

/** An answer, read field by field as a client reads JSON. */
export type Data = Record<string, any>

export const data = (out: Outcome): Data => {
  if (!out.ok) throw new Error(`expected an answer, got ${out.error.code}: ${out.error.message}`)
  return out.data
}

export const failure = (out: Outcome) => {
  if (out.ok) throw new Error(`expected a failure, got ${JSON.stringify(out.data).slice(0, 300)}`)
  return { code: out.error.code, status: ERROR_STATUS[out.error.code], message: out.error.message }
}

/** Keeps the tool_call log lines of this file's tests off the test output. */
export function quietToolLogs(): void {
  beforeAll(() => {
    const log = console.log
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].startsWith('{"event":"tool_call"')) return
      log(...args)
    })
  })
  afterAll(() => vi.restoreAllMocks())
}

/**
 * Runs `work` with setTimeout faked and time moved on until it settles: for applies that wait
 * seconds on purpose (submit_workflow lets Slurm take its allocations before looking).
 */
export async function withFakeTime<T>(work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  try {
    let settled = false
    const running = work().finally(() => {
      settled = true
    })
    while (!settled) await vi.advanceTimersByTimeAsync(100)
    return await running
  } finally {
    vi.useRealTimers()
  }
}
