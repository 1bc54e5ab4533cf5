import { ToolError, toToolError } from '../errors.ts'

/** Time an apply may take before it stops between steps: answers stay under GPT Actions' 45 s. */
export const APPLY_BUDGET_MS = 25_000

/** Raised when an apply stops midway; `done` says what already changed. */
export class StoppedMidway extends ToolError {
  readonly done: readonly string[]
  /** The failed step's request went unanswered (timeout, connection lost): it may have taken effect. */
  readonly uncertain: boolean

  constructor(error: ToolError, done: readonly string[], options?: { cause?: unknown; uncertain?: boolean }) {
    super(error.code, error.message, options)
    this.done = done
    this.uncertain = options?.uncertain ?? false
  }
}

const UNANSWERED = new Set(['upstream_timeout', 'upstream_unavailable'])

/**
 * Runs an apply's steps in order, each one converging on its target (it checks what is already
 * there before changing anything), so running the same plan again after a failure finishes it
 * instead of repeating or compounding it. Stops between steps once the budget is spent.
 */
export class StepLog {
  readonly done: string[] = []
  private readonly deadline: number
  private readonly now: () => number

  constructor(budgetMs = APPLY_BUDGET_MS, now: () => number = Date.now) {
    this.now = now
    this.deadline = now() + budgetMs
  }

  /** Milliseconds left in the budget (never below 1). */
  get remainingMs(): number {
    return Math.max(1, this.deadline - this.now())
  }

  async step<T>(label: string, run: () => Promise<T>): Promise<T> {
    if (this.now() >= this.deadline) {
      throw this.stopped(
        label,
        new ToolError('upstream_timeout', 'the apply used its whole time budget'),
        undefined,
        false
      )
    }
    try {
      const value = await run()
      this.done.push(label)
      return value
    } catch (err) {
      const error = toToolError(err)
      throw this.stopped(label, error, err, UNANSWERED.has(error.code))
    }
  }

  private stopped(label: string, error: ToolError, cause: unknown, uncertain: boolean): StoppedMidway {
    const maybe = uncertain ? ` (it may have taken effect: Torc did not answer)` : ''
    const before = this.done.length
      ? `Already done: ${this.done.join('; ')}.`
      : uncertain
        ? 'Nothing else was changed.'
        : 'Nothing was changed.'
    const message = `${label} failed${maybe}: ${error.message}. ${before}`
    return new StoppedMidway(new ToolError(error.code, message), this.done, { cause: cause ?? error, uncertain })
  }
}
