/**
 * What the cluster tools share: running an action through the login-node agent (or saying exactly
 * why it cannot run from here), the output root the agent reports (for exact commands), and the
 * words for a command that failed. Text from the cluster is cut and scrubbed of addresses before a
 * client sees it (src/errors.ts upstreamText).
 */
import { ToolError, upstreamText } from '../errors.ts'
import { type AgentOutcome, NO_AGENT } from '../output/agent.ts'
import type { ToolContext } from '../registry.ts'
import type { ActionInput, ActionName, AgentInfo, CommandRun } from '../site-protocol/actions.ts'

/** Runs an action on the login node; `{ ran: false, why }` when this deployment cannot. */
export async function onCluster<N extends ActionName>(
  ctx: ToolContext,
  name: N,
  input: ActionInput<N>
): Promise<AgentOutcome> {
  if (!ctx.agent) return { ran: false, why: NO_AGENT, disabled: true }
  return ctx.agent.act(name, input, ctx.caller.id)
}

/** The site's /v1/info (root, enabled actions), or undefined when there is no site or it fails. */
export async function agentInfo(ctx: ToolContext): Promise<AgentInfo | undefined> {
  return ctx.output?.info().catch(() => undefined)
}

/**
 * Why `action` cannot run through the agent, or undefined when it can: no agent configured, or the
 * agent does not allow it (from /v1/info, without running anything).
 */
export function unavailable(ctx: ToolContext, info: AgentInfo | undefined, action: ActionName): string | undefined {
  if (!ctx.agent) return NO_AGENT
  if (!info) return 'the login-node agent did not describe itself (GET /v1/info failed): it may be down'
  if (!info.actions.includes(action))
    return `the login-node agent does not allow the ${action} action (the operator starts it with --allow ${action})`
  return undefined
}

/** ` -o <root>` when the agent told us its output root. */
export const outputFlag = (info: AgentInfo | undefined) => (info ? ` -o ${shellWord(info.root)}` : '')

/** A path as one shell word (quoted when it needs to be), for commands the user copies. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`
}

/** Cluster output as a client may see it: one line, no addresses, at most 300 characters. */
export const clusterText = (text: string) => upstreamText(text)

/** Why a command failed, in one line: exit code or signal, timeout, and the end of its stderr. */
export function failureOf(run: CommandRun): string {
  const how = run.error
    ? run.error
    : run.timed_out
      ? `killed at the agent's timeout after ${run.duration_ms} ms`
      : run.exit_code === null
        ? `killed by ${run.signal ?? 'a signal'}`
        : `exited ${run.exit_code}`
  const tail = run.stderr.trim().split('\n').slice(-3).join(' ')
  return `\`${run.argv.slice(0, 6).join(' ')}…\` ${how}${tail ? `: ${clusterText(tail)}` : ''}`
}

/** A ToolError for an action whose command failed (an apply stops there and can be retried). */
export function actionFailed(action: ActionName, run: CommandRun): ToolError {
  return new ToolError('upstream_error', `the login-node agent's ${action} action failed: ${failureOf(run)}`)
}

/** The first JSON value in a command's stdout (torc prints one document with -f json), else undefined. */
export function jsonOut(run: CommandRun): unknown {
  const text = run.stdout.trim()
  const start = text.search(/[[{]/)
  if (start < 0) return undefined
  try {
    return JSON.parse(text.slice(start))
  } catch {
    return undefined
  }
}
