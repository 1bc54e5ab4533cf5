/**
 * GET /v1/info (read token): the output root as the login node names it, the actions enabled, and
 * what the operator should fix, so the Worker prints exact commands (`torc run <id> -o <root>`) and
 * says which actions exist.
 */
import { accessSync, constants } from 'node:fs'
import { delimiter, isAbsolute, join } from 'node:path'
import { ACTION_COMMANDS, ACTION_NAMES, type AgentInfo } from '../../src/site-protocol/actions.ts'
import type { Agent } from './agent.ts'

/** Where `name` resolves on PATH (or itself, when it is a path), or undefined. */
export function onPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = isAbsolute(name) || name.includes('/') ? [name] : path.split(delimiter).map((d) => join(d, name))
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/** What the operator should fix before the enabled actions can work. */
export function agentWarnings(agent: Agent, path: string | undefined): string[] {
  const warnings: string[] = []
  if (!agent.allowed.size) return warnings
  const needsTorc = [...agent.allowed].some((a) => a !== 'sacct')
  if (needsTorc && !onPath(agent.settings.torcBin, path))
    warnings.push(`${agent.settings.torcBin} (the torc CLI) is not on the agent's PATH: set --torc-bin`)
  const submits = ['submit', 'regenerate'].filter((a) => agent.allowed.has(a as never))
  if (submits.length && !onPath('torc-slurm-job-runner', path))
    warnings.push(
      "torc-slurm-job-runner is not on the agent's PATH: Slurm allocations submitted by " +
        `${submits.join(' and ')} would fail with exit code 127`
    )
  if (!onPath('sbatch', path) && [...agent.allowed].some((a) => a !== 'run' && a !== 'reconcile'))
    warnings.push("sbatch is not on the agent's PATH: Slurm commands will fail")
  return warnings
}

export function agentInfo(root: string, agent: Agent | undefined, path: string | undefined): AgentInfo {
  return {
    root,
    workdir: agent?.workdir ?? process.cwd(),
    actions: ACTION_NAMES.filter((a) => agent?.allowed.has(a)),
    known_actions: { ...ACTION_COMMANDS },
    poll_interval: agent?.settings.pollInterval ?? null,
    warnings: agent ? agentWarnings(agent, path) : [],
  }
}
