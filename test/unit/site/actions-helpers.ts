/**
 * The agent's safety tests run the real site server in-process with the real agent, but with
 * recording programs in place of torc, squeue, sacct (the unit project has no cluster): each one
 * writes the argv it was started with and the environment variables that matter, then behaves as
 * the test's mode file says (print JSON, fail, hang with a child, flood its output). The argv the
 * agent spawned is then read back exactly, and a canary file in the working directory shows
 * whether anything beyond it ever ran.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { freePort } from '../../../scripts/torc-server.ts'
import type { AgentOptions } from '../../../site/actions/agent.ts'
import { createSiteApp } from '../../../site/app.ts'
import { close, listen } from '../../../site/listen.ts'

const RECORDER = `#!/bin/sh
# Records argv (fields separated by 0x1f, records by 0x1e) and the environment that matters.
dir="$FAKE_DIR"
{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf '\\037%s' "$a"; done; printf '\\036'; } >> "$dir/argv"
printf 'agent_token=%s site_token=%s user=%s\\n' "\${TORC_EDGE_AGENT_TOKEN:-unset}" "\${TORC_EDGE_SITE_TOKEN:-unset}" "\${USER:-unset}" >> "$dir/env"
case "$(cat "$dir/mode" 2>/dev/null)" in
  hang) sleep 300 & echo $! > "$dir/child.pid"; wait ;;
  flood) yes flood-flood-flood ;;
  fail) echo "boom: something went wrong" >&2; exit 3 ;;
  slow) sleep 1; echo '{"ok":true}' ;;
  *) echo '{"ok":true,"message":"done"}' ;;
esac
`

export const READ_TOKEN = 'read-token-0123456789abcdef'
export const ACTION_TOKEN = 'action-token-0123456789abcdef'
export const TORC_URL = 'http://127.0.0.1:9/torc-service/v1'

export interface AgentSite {
  url: string
  root: string
  workdir: string
  /** The recording torc binary's path (argv[0] of torc commands). */
  torc: string
  /** Where a successful injection would leave a file. */
  canary: string
  audit: Record<string, unknown>[]
  mode(mode: 'ok' | 'fail' | 'hang' | 'flood' | 'slow'): void
  /** Every argv recorded since the last call, program name first (basename), then clears them. */
  argvs(): string[][]
  env(): string[]
  childPid(): number | undefined
  post(action: string, body: unknown, token?: string | null, init?: RequestInit): Promise<Response>
  stop(): Promise<void>
}

export async function startAgentSite(agent: Partial<AgentOptions> = {}, rootName = 'torc_output'): Promise<AgentSite> {
  const base = mkdtempSync(join(tmpdir(), 'torc-edge-agent-test-'))
  const root = join(base, rootName)
  const workdir = join(base, 'work')
  const bin = join(base, 'bin')
  const fake = join(base, 'fake')
  for (const d of [root, workdir, bin, fake]) mkdirSync(d)
  for (const name of ['torc', 'squeue', 'sacct', 'scancel', 'sbatch', 'torc-slurm-job-runner']) {
    writeFileSync(join(bin, name), RECORDER)
    chmodSync(join(bin, name), 0o755)
  }
  const audit: Record<string, unknown>[] = []
  const app = createSiteApp({
    root,
    token: READ_TOKEN,
    log: () => undefined,
    agent: {
      token: ACTION_TOKEN,
      allow: ['submit', 'sacct', 'probe', 'cancel', 'regenerate', 'reconcile', 'run', 'partitions'],
      torcBin: join(bin, 'torc'),
      torcUrl: TORC_URL,
      pollInterval: 1,
      workdir,
      env: {
        PATH: `${bin}${delimiter}${process.env.PATH}`,
        FAKE_DIR: fake,
        TORC_EDGE_AGENT_TOKEN: ACTION_TOKEN,
        TORC_EDGE_SITE_TOKEN: READ_TOKEN,
      },
      audit: (line) => void audit.push(line),
      ...agent,
    },
  })
  const port = await freePort()
  const server = await listen(app, port, '127.0.0.1')
  const url = `http://127.0.0.1:${port}`
  const read = (file: string) => (existsSync(join(fake, file)) ? readFileSync(join(fake, file), 'utf8') : '')
  return {
    url,
    root,
    workdir,
    torc: join(bin, 'torc'),
    canary: join(workdir, 'CANARY'),
    audit,
    mode: (mode) => writeFileSync(join(fake, 'mode'), mode),
    argvs() {
      const text = read('argv')
      writeFileSync(join(fake, 'argv'), '')
      return text
        .split('\u001e')
        .filter(Boolean)
        .map((record) => record.split('\u001f'))
    },
    env: () => read('env').split('\n').filter(Boolean),
    childPid: () => {
      const text = read('child.pid').trim()
      return text ? Number(text) : undefined
    },
    post: (action, body, token = ACTION_TOKEN, init = {}) =>
      fetch(`${url}/v1/actions/${action}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
          'Torc-Edge-Caller': 'tester',
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        ...init,
      }),
    async stop() {
      await close(server)
      rmSync(base, { recursive: true, force: true })
    },
  }
}

/** Whether process `pid` is gone (or a zombie: PID 1 here reaps late). */
export function gone(pid: number): boolean {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    return /^State:\s+Z/m.test(status)
  } catch {
    return true
  }
}
