/**
 * What a failed job's return code says, in torc 1.0.0's conventions:
 * - the job runner reports a job it killed for memory with the workflow's
 *   `execution_config.oom_exit_code` (default 137) and one it killed at the end of its time with
 *   `timeout_exit_code` (default 152, Slurm's TIMEOUT, 128 + SIGXCPU);
 * - a process that died of signal N is recorded as 128 + N (137 SIGKILL, 143 SIGTERM, 139 SIGSEGV);
 *   older runners and Slurm steps give -N (-9, -15);
 * - -1: the runner got no exit status at all (the process was killed or lost);
 * - -128: orphan cleanup failed a job whose compute node vanished.
 */
import { z } from 'zod'

export interface ExitCodes {
  /** The code Torc records for a job it killed for exceeding its memory. */
  oom: number
  /** The code Torc records for a job it killed at the end of its runtime. */
  timeout: number
}

export const DEFAULT_EXIT_CODES: ExitCodes = { oom: 137, timeout: 152 }
export const ORPHANED_RETURN_CODE = -128
export const NO_EXIT_STATUS = -1

const ExecutionConfigSchema = z
  .object({ oom_exit_code: z.number().int().nullish(), timeout_exit_code: z.number().int().nullish() })
  .loose()

/** The workflow's configured kill codes (WorkflowModel.execution_config), Torc's defaults otherwise. */
export function exitCodesOf(workflow: Readonly<Record<string, unknown>>): ExitCodes {
  const parsed = ExecutionConfigSchema.safeParse(workflow['execution_config'] ?? {})
  const config = parsed.success ? parsed.data : {}
  return {
    oom: config.oom_exit_code ?? DEFAULT_EXIT_CODES.oom,
    timeout: config.timeout_exit_code ?? DEFAULT_EXIT_CODES.timeout,
  }
}

const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  10: 'SIGUSR1',
  11: 'SIGSEGV',
  12: 'SIGUSR2',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
}

export interface Signal {
  number: number
  name: string
  /** How the return code encodes it: "128 + SIGKILL" or "-SIGTERM". */
  encoding: string
}

/** The signal a return code reports (128 + N or -N), if it reports one. -1 and -128 are not signals. */
export function signalOf(rc: number): Signal | undefined {
  const n = rc > 128 && rc <= 128 + 64 ? rc - 128 : rc <= -2 && rc >= -64 ? -rc : undefined
  if (n === undefined) return undefined
  const name = SIGNAL_NAMES[n] ?? `signal ${n}`
  return { number: n, name, encoding: rc > 0 ? `128 + ${name}` : `-${name}` }
}

/** What a return code alone says about why a job died. */
export type CodeMeaning =
  | { kind: 'oom_code'; text: string }
  | { kind: 'timeout_code'; text: string }
  | { kind: 'sigkill'; text: string }
  | { kind: 'killed'; text: string }
  | { kind: 'crash'; text: string }
  | { kind: 'node_lost'; text: string }
  | { kind: 'exit'; text: string }

const CRASH_SIGNALS = new Set([4, 6, 7, 8, 11])

export function meaningOf(rc: number, status: string, codes: ExitCodes): CodeMeaning {
  if (rc === codes.oom && rc !== DEFAULT_EXIT_CODES.oom) {
    return {
      kind: 'oom_code',
      text: `return code ${rc} is this workflow's oom_exit_code: Torc killed it for exceeding its memory`,
    }
  }
  if (rc === codes.timeout) {
    return {
      kind: 'timeout_code',
      text:
        rc === DEFAULT_EXIT_CODES.timeout
          ? `return code ${rc} (128 + SIGXCPU, Torc's timeout code): killed at the end of its runtime`
          : `return code ${rc} is this workflow's timeout_exit_code: Torc killed it at the end of its runtime`,
    }
  }
  if (rc === ORPHANED_RETURN_CODE)
    return { kind: 'node_lost', text: 'return code -128: its compute node vanished while it ran' }
  if (rc === NO_EXIT_STATUS)
    return { kind: 'killed', text: 'return code -1: Torc got no exit status (the process was killed or lost)' }
  const signal = signalOf(rc)
  if (!signal) return { kind: 'exit', text: `exit code ${rc}: the program failed on its own` }
  if (signal.number === 24)
    return { kind: 'timeout_code', text: `return code ${rc} (${signal.encoding}): CPU time limit reached` }
  // -9 on a terminated job is the allocation ending, handled by the caller as a timeout.
  if (signal.number === 9 && !(rc < 0 && status === 'terminated')) {
    return { kind: 'sigkill', text: `return code ${rc} (${signal.encoding}): killed` }
  }
  if (CRASH_SIGNALS.has(signal.number)) {
    return {
      kind: 'crash',
      text: `return code ${rc} (${signal.encoding}): the program crashed; a retry will likely crash the same way`,
    }
  }
  return { kind: 'killed', text: `return code ${rc} (${signal.encoding}): killed by a signal` }
}
