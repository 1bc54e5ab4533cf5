/**
 * The login-node agent for the cluster tools' tests: an AgentClient and an OutputClient on one
 * ScriptedTorc (the agent is the site server, as on the login node), with builders for what its
 * actions answer (site/actions: one CommandRun per command) and for GET /v1/info.
 */
import { AgentClient } from '../../../src/output/agent.ts'
import { OutputClient } from '../../../src/output/client.ts'
import type { ActionName, AgentInfo, CommandRun } from '../../../src/site-protocol/actions.ts'
import { ScriptedTorc, type Sent } from '../../helpers/scripted-torc.ts'

export const run = (over: Partial<CommandRun> = {}): CommandRun => ({
  argv: ['torc', '--url', '<torc-url>'],
  exit_code: 0,
  signal: null,
  timed_out: false,
  output_capped: false,
  duration_ms: 12,
  stdout: '',
  stderr: '',
  error: null,
  ...over,
})

export const result = (
  action: ActionName,
  runs: CommandRun[],
  background: { pid: number; already_running: boolean; started_at: string } | null = null
) => ({ action, ok: runs.every((r) => r.exit_code === 0), runs, background, timeout_ms: 30_000 })

export const info = (actions: ActionName[]): AgentInfo => ({
  root: '/scratch/alice/torc output',
  workdir: '/scratch/alice',
  actions,
  known_actions: {},
  poll_interval: null,
  warnings: [],
})

/** The site with its agent: `allow` lists the actions /v1/info reports; `act` answers each action. */
export function scriptedAgent(allow: ActionName[] = []) {
  const site = new ScriptedTorc().on('GET', '/v1/info', info(allow))
  return {
    site,
    agent: new AgentClient(site, 2_000),
    output: new OutputClient(site, { timeoutMs: 2_000 }),
    /** Answers POST /v1/actions/<name> with `answer` (an ActionResult, a Response or a function of the request). */
    act(name: ActionName, answer: unknown | ((sent: Sent) => unknown), times?: number) {
      site.on('POST', `/v1/actions/${name}`, answer, times)
      return this
    },
    /** The bodies the agent was sent for `name`. */
    sent: (name: ActionName) => site.sent.filter((s) => s.path === `/v1/actions/${name}`).map((s) => s.body),
  }
}
