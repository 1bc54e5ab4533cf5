/**
 * The Worker's side of the login-node agent (site/actions/agent.ts): allow-listed cluster actions
 * through the same transport as the output site (tunnel hostname + Access headers, or the OUTPUT
 * service binding), with the action token TORC_OUTPUT_AGENT_TOKEN instead of the read token.
 *
 * `act()` resolves `{ ran: true, result }` when the agent ran the action's commands (whatever they
 * exited with: tools read the result), or `{ ran: false, why }` when it could not run here: no agent
 * configured, the action not enabled (the agent names the --allow flag), the token refused, the
 * agent busy. Tools then say exactly that and give the command to run on a login node. An
 * unreachable agent, a timeout or a broken answer throw a ToolError, as the output client does.
 */
import type { Config, WorkerEnv } from '../config.ts'
import { ToolError } from '../errors.ts'
import { type ActionInput, type ActionName, type ActionResult, ActionResultSchema } from '../site-protocol/actions.ts'
import { SiteErrorSchema } from '../site-protocol/schemas.ts'
import { outputTransport, type Transport } from '../transport.ts'
import { siteError } from './errors.ts'

export type AgentOutcome = { ran: true; result: ActionResult } | { ran: false; why: string; disabled: boolean }

/** Where answers must arrive: under GPT Actions' 45 s with room for the tool's other calls. */
export const AGENT_TIMEOUT_MS = 35_000

export const NO_AGENT =
  'no login-node agent is configured on this deployment (TORC_OUTPUT_URL with TORC_OUTPUT_AGENT_TOKEN, ' +
  'and the site server started with --allow): cluster actions cannot run from here'

export class AgentClient {
  private readonly transport: Transport
  private readonly timeoutMs: number

  constructor(transport: Transport, timeoutMs = AGENT_TIMEOUT_MS) {
    this.transport = transport
    this.timeoutMs = timeoutMs
  }

  /** Runs action `name` on the login node as `caller` (named in the agent's audit line). */
  async act<N extends ActionName>(name: N, input: ActionInput<N>, caller: string): Promise<AgentOutcome> {
    const what = `run the ${name} action`
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.timeoutMs)
    let res: Response
    try {
      res = await this.transport.fetch(`/v1/actions/${name}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Torc-Edge-Caller': caller.slice(0, 200) },
        body: JSON.stringify(input),
        redirect: 'manual',
        signal: controller.signal,
      })
      if (res.ok) {
        const parsed = ActionResultSchema.safeParse(await res.json().catch(() => undefined))
        if (!parsed.success)
          throw siteError('upstream_error', `the login-node agent answered "${what}" in an unexpected shape`, this.host)
        return { ran: true, result: parsed.data }
      }
    } catch (err) {
      if (controller.signal.aborted)
        throw siteError(
          'upstream_timeout',
          `the login-node agent did not answer within ${this.timeoutMs} ms (trying to ${what})`,
          this.host
        )
      if (err instanceof ToolError) throw err
      throw siteError('upstream_unavailable', `the login-node agent is unreachable: could not ${what}`, this.host, err)
    } finally {
      clearTimeout(timer)
    }
    const message = await agentMessage(res)
    switch (res.status) {
      case 401:
        return {
          ran: false,
          disabled: false,
          why:
            "the login-node agent refused torc-edge's action token: TORC_OUTPUT_AGENT_TOKEN must equal the " +
            "agent's TORC_EDGE_AGENT_TOKEN",
        }
      case 403:
      case 404:
        return {
          ran: false,
          disabled: true,
          why: message ?? `the ${name} action is not enabled on the login-node agent`,
        }
      case 429:
        return { ran: false, disabled: false, why: message ?? 'the login-node agent is busy: try again shortly' }
      case 400:
        throw siteError(
          'invalid_input',
          `the login-node agent refused to ${what}: ${message ?? 'bad input'}`,
          this.host
        )
      default:
        throw siteError('upstream_error', `the login-node agent failed to ${what} (HTTP ${res.status})`, this.host)
    }
  }

  private get host(): string {
    return this.transport.host
  }
}

async function agentMessage(res: Response): Promise<string | undefined> {
  const parsed = SiteErrorSchema.safeParse(await res.json().catch(() => undefined))
  return parsed.success ? parsed.data.error.message.slice(0, 300) : undefined
}

/** The agent client of the deployment, or undefined when it has no output site or no action token. */
export function agentClient(config: Config, env: WorkerEnv): AgentClient | undefined {
  const transport = config.TORC_OUTPUT_AGENT_TOKEN && outputTransport(config, env, config.TORC_OUTPUT_AGENT_TOKEN)
  return transport ? new AgentClient(transport) : undefined
}
