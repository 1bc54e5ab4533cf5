/**
 * What bench/status and bench/overhead measure: the status tools' calls and the bare Torc REST
 * calls each makes, on one workflow; and how both time a call (median, warm-ups first).
 */
import type { TorcApi } from '../scripts/torc-seed.ts'
import type { ToolName } from '../src/tools/index.ts'

/** `--name value` from the command line, else `fallback`. */
export const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1]! : fallback
}

/** The middle value of `values` (the upper one of an even count). */
export const middle = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!

/** The median of `n` timed calls of `fn`, after `warmups` untimed ones. */
export async function median(fn: () => Promise<unknown>, n: number, warmups = 1): Promise<number> {
  for (let i = 0; i < warmups; i++) await fn()
  const times: number[] = []
  for (let i = 0; i < n; i++) {
    const t = performance.now()
    await fn()
    times.push(performance.now() - t)
  }
  return middle(times)
}

export interface StatusCase {
  tool: ToolName
  args: Record<string, unknown>
  /** The Torc REST calls (GET paths) the tool makes, all at once. */
  paths: string[]
  /** Those calls, sent directly from this process. */
  bare: () => Promise<unknown>
}

export function statusCases(api: TorcApi, workflowId: number): StatusCase[] {
  const id = workflowId
  const cases: Omit<StatusCase, 'bare'>[] = [
    {
      tool: 'get_workflow_status',
      args: { workflow_id: id },
      paths: [
        `/workflows/${id}`,
        `/workflows/${id}/status`,
        `/scheduled_compute_nodes?workflow_id=${id}&offset=0&limit=10000`,
      ],
    },
    {
      tool: 'list_results',
      args: { workflow_id: id, limit: 100, sort_by: 'exec_time_minutes', reverse_sort: true },
      paths: [`/results?workflow_id=${id}&offset=0&limit=100&sort_by=exec_time_minutes&reverse_sort=true`],
    },
  ]
  return cases.map((c) => ({ ...c, bare: () => Promise.all(c.paths.map((path) => api('GET', path))) }))
}
