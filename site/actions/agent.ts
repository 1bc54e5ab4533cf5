/**
 * The login-node agent: allow-listed cluster actions on the site server, behind their own token.
 *
 *   POST /v1/actions/<name>   Authorization: Bearer <TORC_EDGE_AGENT_TOKEN>, JSON body
 *
 * In order: the action token (401; the read token is not it), a known action (404), one the
 * operator enabled with --allow (403 naming the flag), the body (400 naming the field), a free slot
 * (429 past --max-concurrent-actions); then the action's fixed commands (catalog.ts) run one after
 * another with a timeout and an output cap each, and one audit line says who asked, what ran, how
 * it exited and how long it took. The answer is 200 whenever the commands ran, whatever they exited
 * with: the caller reads `ok` and each run's exit code.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { type Context, Hono } from 'hono'
import {
  ACTION_NAMES,
  ActionInputSchemas,
  type ActionName,
  ActionNameSchema,
  type ActionResult,
  type CommandRun,
} from '../../src/site-protocol/actions.ts'
import { BackgroundRunners } from './background.ts'
import {
  type AgentSettings,
  COMMANDS,
  DEFAULT_OUTPUT_BYTES,
  DEFAULT_TIMEOUT_MS,
  FILE,
  NEEDS_SERVER,
  type PlannedCommand,
} from './catalog.ts'
import { runCommand } from './spawn.ts'

export interface AgentOptions {
  /** The action token (TORC_EDGE_AGENT_TOKEN): a separate secret from the read token. */
  token: string
  /** The actions the operator enabled (--allow). */
  allow: readonly ActionName[]
  torcBin?: string | undefined
  torcUrl?: string | undefined
  pollInterval?: number | undefined
  /** Where commands run (default: the agent's working directory). */
  workdir?: string | undefined
  /** The commands' environment (default process.env); USER is set, the tokens are removed. */
  env?: NodeJS.ProcessEnv | undefined
  maxConcurrent?: number | undefined
  timeoutMs?: Partial<Record<ActionName, number>> | undefined
  maxOutputBytes?: Partial<Record<ActionName, number>> | undefined
  /** Where audit lines go (default: one JSON line each on stdout). */
  audit?: ((line: Record<string, unknown>) => void) | undefined
}

export const DEFAULT_MAX_CONCURRENT = 4
const MAX_BODY = 2 * 1024 * 1024
const TOKEN_VARIABLES = ['TORC_EDGE_AGENT_TOKEN', 'TORC_EDGE_SITE_TOKEN']

export const stdoutAudit = (line: Record<string, unknown>) => {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), event: 'agent_action', ...line })}\n`)
}

const digest = (s: string) => createHash('sha256').update(s).digest()
type Status = 400 | 401 | 403 | 404 | 405 | 413 | 429
const fail = (c: Context, status: Status, code: string, message: string) => c.json({ error: { code, message } }, status)

/** The caller the Worker names (its API key or OAuth identity), for the audit line only: never trusted. */
function callerOf(c: Context): string {
  const given = c.req.header('Torc-Edge-Caller') ?? ''
  return /^[\w.@:+-]{1,200}$/.test(given) ? given : given ? '(unprintable)' : '(not given)'
}

export interface Agent {
  settings: AgentSettings
  allowed: ReadonlySet<ActionName>
  workdir: string
  routes: Hono
}

/** Checks the operator's settings (throws naming the flag) and builds the action routes. */
export function createAgent(options: AgentOptions, root: string, readToken: string): Agent {
  if (options.token === readToken)
    throw new Error('TORC_EDGE_AGENT_TOKEN must differ from TORC_EDGE_SITE_TOKEN (reads and actions are separate)')
  const allowed = new Set(options.allow)
  const needServer = [...allowed].filter((a) => NEEDS_SERVER.has(a))
  if (needServer.length && !options.torcUrl)
    throw new Error(`--torc-url is required for the ${needServer.join(', ')} action(s): torc-server's URL`)
  const settings: AgentSettings = {
    torcBin: options.torcBin ?? 'torc',
    torcUrl: options.torcUrl,
    root,
    pollInterval: options.pollInterval,
  }
  const workdir = options.workdir ?? process.cwd()
  const base = options.env ?? process.env
  const env = Object.fromEntries(Object.entries(base).filter(([k]) => !TOKEN_VARIABLES.includes(k)))
  // torc's Slurm interface reads USER (unset, submit fails and workflows are owned by "unknown").
  env.USER ||= userInfo().username
  const audit = options.audit ?? stdoutAudit
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT
  const expected = digest(options.token)
  const background = new BackgroundRunners()
  // Probe spec files and runner logs, private to this agent; made on first use.
  let stateDirPath: string | undefined
  const stateDir = () => (stateDirPath ??= mkdtempSync(join(tmpdir(), 'torc-edge-agent-')))
  const shown = (argv: readonly string[]) => argv.map((a) => (a === settings.torcUrl ? '<torc-url>' : a))
  let inFlight = 0

  const routes = new Hono()
  routes.all('/v1/actions/:name', async (c) => {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('Authorization') ?? '')?.[1]
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="torc-edge-agent"')
      return fail(c, 401, 'unauthorized', 'cluster actions need the action token (TORC_EDGE_AGENT_TOKEN)')
    }
    if (c.req.method !== 'POST') {
      c.header('Allow', 'POST')
      return fail(c, 405, 'method_not_allowed', 'actions are POST requests')
    }
    const who = { who: 'agent', caller: callerOf(c) }
    const name = ActionNameSchema.safeParse(c.req.param('name'))
    if (!name.success)
      return fail(
        c,
        404,
        'not_found',
        `no action ${JSON.stringify(c.req.param('name').slice(0, 64))}; actions: ${ACTION_NAMES.join(', ')}`
      )
    const action = name.data
    const refuse = (status: Status, code: string, message: string) => {
      audit({ ...who, action, outcome: 'refused', status, reason: message })
      return fail(c, status, code, message)
    }
    if (!allowed.has(action))
      return refuse(
        403,
        'forbidden',
        `the ${action} action is not enabled on this agent: start it with --allow ${action}`
      )
    const text = await c.req.text()
    if (text.length > MAX_BODY) return refuse(413, 'too_large', `the request body is over ${MAX_BODY} bytes`)
    let body: unknown
    try {
      body = text.trim() === '' ? {} : JSON.parse(text)
    } catch {
      return refuse(400, 'invalid_input', 'the request body is not JSON')
    }
    const input = ActionInputSchemas[action].safeParse(body)
    if (!input.success) {
      const issue = input.error.issues[0]!
      return refuse(400, 'invalid_input', `${issue.path.join('.') || 'body'}: ${issue.message}`)
    }
    if (inFlight >= maxConcurrent)
      return refuse(
        429,
        'busy',
        `${inFlight} actions are running (the agent's limit is ${maxConcurrent}): try again shortly`
      )
    inFlight++
    const started = performance.now()
    try {
      const timeoutMs = options.timeoutMs?.[action] ?? DEFAULT_TIMEOUT_MS[action]
      const maxOutputBytes = options.maxOutputBytes?.[action] ?? DEFAULT_OUTPUT_BYTES[action]
      const commands = (COMMANDS[action] as (i: unknown, s: AgentSettings) => PlannedCommand[])(input.data, settings)
      let result: ActionResult
      if (action === 'run') {
        const argv = commands[0]!.argv
        const workflowId = (input.data as { workflow_id: number }).workflow_id
        const { run, background: bg } = await background.start(workflowId, argv, {
          cwd: workdir,
          env,
          graceMs: timeoutMs,
          logDir: stateDir(),
          shown: shown(argv),
        })
        // A runner that is still running, or one that already finished its work (exit 0).
        result = { action, ok: bg !== null || run.exit_code === 0, runs: [run], background: bg, timeout_ms: timeoutMs }
      } else {
        const runs: CommandRun[] = []
        for (const command of commands) runs.push(await runPlanned(command, { timeoutMs, maxOutputBytes }))
        result = { action, ok: runs.every((r) => r.exit_code === 0), runs, background: null, timeout_ms: timeoutMs }
      }
      audit({
        ...who,
        action,
        outcome: result.ok ? 'ok' : 'failed',
        argv: result.runs.map((r) => r.argv),
        exit_code: result.runs.map((r) => r.exit_code),
        timed_out: result.runs.some((r) => r.timed_out),
        background_pid: result.background?.pid ?? null,
        duration_ms: Math.round(performance.now() - started),
      })
      return c.json(result)
    } finally {
      inFlight--
    }
  })

  /** Runs one planned command; a probe's spec goes to a private temporary file first. */
  async function runPlanned(command: PlannedCommand, limits: { timeoutMs: number; maxOutputBytes: number }) {
    const dir = command.file === undefined ? undefined : mkdtempSync(join(stateDir(), 'probe-'))
    try {
      const path = dir && join(dir, 'spec.json')
      if (path) writeFileSync(path, command.file ?? '', { mode: 0o600 })
      const argv = command.argv.map((a) => (a === FILE && path ? path : a))
      return await runCommand(argv, { cwd: workdir, env, ...limits, shown })
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true })
    }
  }

  return { settings, allowed, workdir, routes }
}
