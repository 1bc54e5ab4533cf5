import { z } from 'zod'
import { ToolError } from '../../errors.ts'
import { type Query, TorcClient } from '../../torc/client.ts'
import type { Transport } from '../../transport.ts'

/**
 * Time limits of one creation call, in ms from its start. GPT Actions give up at 45 s and the
 * answer must come within 30 s whatever Torc does, so: forward steps stop at `forwardMs`, every
 * Torc call (rollback included) ends by `answerMs`, and the 4 s left over cover what runs before
 * the clock starts (parse, plan) and the answer's way back.
 */
export interface CreationBudget {
  /** No forward step runs past this; the call then rolls back. */
  forwardMs: number
  /** No Torc call runs past this, rollback included; the answer follows at once. */
  answerMs: number
  /** Rollback retries stop this long after the failure (a dead torc-server gets its answer sooner). */
  rollbackMs: number
  /** The most the sweep of earlier leftovers may take of the forward time. */
  sweepMs: number
}

export const CREATION_BUDGET: Readonly<CreationBudget> = {
  forwardMs: 22_000,
  answerMs: 26_000,
  rollbackMs: 10_000,
  sweepMs: 3_000,
}

/** A call with less time than this left is not started. */
export const MIN_CALL_MS = 100

/** What the engine needs of Torc: a transport (a TorcClient has one). */
export interface TorcLink {
  readonly transport: Transport
}

export interface ClockOptions {
  /** When the call began (Date.now() by default). */
  startedAt?: number | undefined
  /** Longest any one Torc call may take (TORC_TIMEOUT_MS); shortened to what is left. */
  callTimeoutMs?: number | undefined
  /** Time source; tests pass a fake. */
  now?: (() => number) | undefined
}

/**
 * Torc calls under a deadline: each call's timeout is what is left until its `until` (a time on
 * this clock), capped at the per-call timeout; a call with nothing left fails as upstream_timeout
 * without being sent. Calls are never retried here (the caller decides what is safe to repeat).
 */
export class DeadlineClock {
  readonly start: number
  private readonly cap: number
  private readonly clock: () => number
  private readonly transport: Transport

  constructor(link: TorcLink, options: ClockOptions = {}) {
    this.clock = options.now ?? Date.now
    this.start = options.startedAt ?? this.clock()
    this.cap = options.callTimeoutMs ?? 20_000
    this.transport = link.transport
  }

  now(): number {
    return this.clock()
  }

  /** A time `ms` after the start. */
  at(ms: number): number {
    return this.start + ms
  }

  left(until: number): number {
    return until - this.clock()
  }

  elapsedSeconds(): string {
    return ((this.clock() - this.start) / 1000).toFixed(1)
  }

  send(
    method: 'POST' | 'PUT' | 'DELETE',
    path: string,
    body: unknown,
    until: number,
    signal?: AbortSignal
  ): Promise<unknown> {
    return this.bounded(`${method} ${path}`, until, signal, (c) => c.send(method, path, z.unknown(), { body }))
  }

  get<S extends z.ZodType>(path: string, schema: S, query: Query | undefined, until: number): Promise<z.output<S>> {
    return this.bounded(`GET ${path}`, until, undefined, (c) => c.get(path, schema, query))
  }

  /**
   * One call with its timeout cut to what is left, enforced twice: by the client's own timeout
   * signal, and by a timer of ours that ends the wait whatever became of that signal. (Node's
   * fetch loses an AbortSignal.timeout once the Request it was given is garbage-collected: a
   * request to a stopped torc-server then waited 150 s instead of 20 s. Test:
   * test/e2e/creation-faults.test.ts, SIGSTOP.)
   */
  private bounded<T>(
    label: string,
    until: number,
    signal: AbortSignal | undefined,
    call: (client: TorcClient) => Promise<T>
  ): Promise<T> {
    const left = this.left(until)
    if (left < MIN_CALL_MS) {
      const late = `no time was left for ${label} (${this.elapsedSeconds()} s into the call)`
      return Promise.reject(new ToolError('upstream_timeout', late))
    }
    const ms = Math.min(this.cap, Math.floor(left))
    const abort = new AbortController()
    const client = new TorcClient(this.transport, { timeoutMs: ms, signal: abort.signal, retries: 0 })
    return new Promise<T>((resolve, reject) => {
      const stop = (error: ToolError) => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', cancelled)
        abort.abort(error)
        reject(error)
      }
      const cancelled = () => stop(new ToolError('upstream_unavailable', `${label} was cancelled`))
      // A little after the client's own timeout, so that its answer (same words) normally comes first.
      const timer = setTimeout(
        () => stop(new ToolError('upstream_timeout', `Torc did not answer ${label} within ${ms} ms`)),
        ms + 50
      )
      if (signal?.aborted) return cancelled()
      signal?.addEventListener('abort', cancelled, { once: true })
      call(client).then(
        (value) => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', cancelled)
          resolve(value)
        },
        (error: unknown) => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', cancelled)
          reject(error)
        }
      )
    })
  }

  /** Waits `ms`, or less when `until` comes first; false when no time is left to wait for. */
  async pause(ms: number, until: number): Promise<boolean> {
    const wait = Math.min(ms, this.left(until) - MIN_CALL_MS)
    if (wait <= 0) return false
    await new Promise((resolve) => setTimeout(resolve, wait))
    return true
  }
}
