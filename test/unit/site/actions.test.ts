/**
 * The login-node agent's gate and its command lines (site/actions): who may trigger an action,
 * which actions exist, and exactly which argv each one spawns, read back from recording programs
 * standing in for torc and Slurm (actions-helpers.ts).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSiteApp } from '../../../site/app.ts'
import { ACTION_TOKEN, type AgentSite, READ_TOKEN, startAgentSite, TORC_URL } from './actions-helpers.ts'

let site: AgentSite
let limited: AgentSite

beforeAll(async () => {
  site = await startAgentSite()
  limited = await startAgentSite({ allow: ['sacct'] })
})
afterAll(async () => {
  await site?.stop()
  await limited?.stop()
})

describe('the action token', () => {
  it('is required: none, a wrong one, the read token, or another scheme all get 401, and nothing runs', async () => {
    const attempts: (string | null)[] = [null, READ_TOKEN, `${ACTION_TOKEN}x`, 'x'.repeat(40)]
    for (const token of attempts) {
      const res = await site.post('submit', { workflow_id: 1 }, token)
      expect(res.status, String(token)).toBe(401)
      expect(res.headers.get('WWW-Authenticate')).toContain('Bearer')
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized')
    }
    const basic = await fetch(`${site.url}/v1/actions/submit`, {
      method: 'POST',
      headers: { Authorization: `Basic ${ACTION_TOKEN}` },
      body: '{"workflow_id":1}',
    })
    expect(basic.status).toBe(401)
    expect(site.argvs()).toEqual([])
  })

  it('opens no read route: the action token gets 401 on /v1/info and the file routes', async () => {
    for (const path of ['/v1/info', '/v1/health', '/v1/workflows/1/files', '/v1/workflows/1/journals']) {
      const res = await fetch(`${site.url}${path}`, { headers: { Authorization: `Bearer ${ACTION_TOKEN}` } })
      expect(res.status, path).toBe(401)
    }
  })

  it('must differ from the read token, and actions without an agent answer 403 naming --allow', async () => {
    expect(() =>
      createSiteApp({ root: site.root, token: READ_TOKEN, agent: { token: READ_TOKEN, allow: ['sacct'] } })
    ).toThrow(/must differ/)
    expect(() =>
      createSiteApp({ root: site.root, token: READ_TOKEN, agent: { token: ACTION_TOKEN, allow: ['submit'] } })
    ).toThrow(/--torc-url/)
    const plain = createSiteApp({ root: site.root, token: READ_TOKEN })
    const res = await plain.request('/v1/actions/submit', {
      method: 'POST',
      headers: { Authorization: `Bearer ${READ_TOKEN}` },
      body: '{}',
    })
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('--allow')
  })
})

describe('the allow-list', () => {
  it('answers 403 naming the flag for every action the operator did not enable, and runs nothing', async () => {
    for (const action of ['submit', 'probe', 'cancel', 'regenerate', 'reconcile', 'run', 'partitions']) {
      const res = await limited.post(action, { workflow_id: 1 })
      expect(res.status, action).toBe(403)
      const body = (await res.json()) as { error: { code: string; message: string } }
      expect(body.error).toEqual({
        code: 'forbidden',
        message: `the ${action} action is not enabled on this agent: start it with --allow ${action}`,
      })
    }
    expect(limited.argvs()).toEqual([])
    expect(limited.audit.filter((l) => l.outcome === 'refused')).toHaveLength(7)
    const ok = await limited.post('sacct', { slurm_job_ids: [5] })
    expect(ok.status).toBe(200)
  })

  it('knows only its actions (404 listing them) and only POST (405)', async () => {
    const unknown = await site.post('shell', { command: 'touch CANARY' })
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).toContain('submit, sacct, probe, cancel, regenerate, reconcile, run, partitions')
    const get = await fetch(`${site.url}/v1/actions/submit`, { headers: { Authorization: `Bearer ${ACTION_TOKEN}` } })
    expect(get.status).toBe(405)
    expect(get.headers.get('Allow')).toBe('POST')
  })

  it('/v1/info (read token) names the root, the enabled actions and what each runs', async () => {
    const res = await fetch(`${limited.url}/v1/info`, { headers: { Authorization: `Bearer ${READ_TOKEN}` } })
    const info = (await res.json()) as { root: string; actions: string[]; known_actions: Record<string, string> }
    expect(info.actions).toEqual(['sacct'])
    expect(info.root).toBe(limited.root)
    expect(Object.keys(info.known_actions)).toHaveLength(8)
  })
})

describe('each action spawns exactly its fixed argv', () => {
  const url = ['--url', TORC_URL]
  const cases: [string, Record<string, unknown>, (s: AgentSite) => string[][]][] = [
    [
      'submit',
      { workflow_id: 7 },
      (s) => [['torc', ...url, '-f', 'json', 'submit', '--no-prompts', '-o', s.root, '-p', '1', '7']],
    ],
    [
      'submit',
      { workflow_id: 7, scheduler_id: 3, num_allocations: 2 },
      (s) => [
        [
          'torc',
          ...url,
          '-f',
          'json',
          'slurm',
          'schedule-nodes',
          '--scheduler-config-id',
          '3',
          '--num-hpc-jobs',
          '2',
        ].concat(['-o', s.root, '-p', '1', '--no-prompts', '7']),
      ],
    ],
    [
      'sacct',
      { slurm_job_ids: [101, 102] },
      () => [
        ['squeue', '-h', '-j', '101,102', '-o', '%i|%T|%r|%M|%l|%D|%P|%j'],
        [
          'sacct',
          '-n',
          '-P',
          '-j',
          '101,102',
          '-o',
          'JobID,JobName,State,ExitCode,ElapsedRaw,MaxRSS,Partition,NodeList,Start,End',
        ],
        ['sacct', '-j', '101,102', '--json'],
      ],
    ],
    ['cancel', { workflow_id: 7 }, () => [['torc', ...url, '-f', 'json', 'cancel', '--no-prompts', '7']]],
    [
      'regenerate',
      { workflow_id: 7, account: 'my_account', partition: 'debug' },
      (s) => [
        ['torc', ...url, '-f', 'json', 'slurm', 'regenerate', '--submit', '-o', s.root, '-p', '1'].concat([
          '--account',
          'my_account',
          '--partition',
          'debug',
          '7',
        ]),
      ],
    ],
    [
      'reconcile',
      { workflow_id: 7, run_id: 2 },
      (s) => [['torc', ...url, '-f', 'json', 'workflows', 'reconcile', '--base-dir', s.root, '7', '2']],
    ],
    ['partitions', {}, () => [['torc', '-f', 'json', 'hpc', 'show', 'slurm']]],
    ['partitions', { profile: 'kestrel' }, () => [['torc', '-f', 'json', 'hpc', 'show', 'kestrel']]],
  ]
  for (const [action, input, expected] of cases) {
    it(`${action} ${JSON.stringify(input)}`, async () => {
      site.mode('ok')
      site.argvs()
      const res = await site.post(action, input)
      expect(res.status).toBe(200)
      const body = (await res.json()) as { ok: boolean; runs: { argv: string[]; exit_code: number }[] }
      expect(body.ok).toBe(true)
      expect(site.argvs()).toEqual(expected(site))
      // The answer shows the same argv with the torc-server URL masked.
      expect(body.runs[0]!.argv).not.toContain(TORC_URL)
      expect(body.runs[0]!.argv[0]).toBe(action === 'sacct' ? 'squeue' : site.torc)
    })
  }

  it('probe writes the spec to a private file (the argv names the file) and removes it after', async () => {
    site.argvs()
    const res = await site.post('probe', { spec: { name: 'x', jobs: [] }, account: 'acct', skip_test_only: true })
    expect(res.status).toBe(200)
    const [argv] = site.argvs()
    expect(argv!.slice(0, -1)).toEqual(
      [
        'torc',
        '-f',
        'json',
        'slurm',
        'plan-allocations',
        '--group-by',
        'resource-requirements',
        '--account',
        'acct',
      ].concat('--skip-test-only')
    )
    expect(argv!.at(-1)).toMatch(/\/probe-[^/]+\/spec\.json$/)
  })

  it('never gives the commands the tokens, always USER, and writes one audit line per action', async () => {
    site.mode('ok')
    await site.post('cancel', { workflow_id: 9 })
    const env = site.env().at(-1)!
    expect(env).toMatch(/^agent_token=unset site_token=unset user=\S+$/)
    expect(env).not.toContain('user=unset')
    const line = site.audit.at(-1)!
    expect(line).toMatchObject({ who: 'agent', caller: 'tester', action: 'cancel', outcome: 'ok', exit_code: [0] })
    expect(line.argv).toEqual([[site.torc, '--url', '<torc-url>', '-f', 'json', 'cancel', '--no-prompts', '9']])
    expect(typeof line.duration_ms).toBe('number')
  })

  it('reports a failing command as ran but not ok: 200, its exit code and stderr', async () => {
    site.mode('fail')
    const res = await site.post('cancel', { workflow_id: 9 })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { ok: boolean; runs: { exit_code: number; stderr: string }[] }
    expect(body.ok).toBe(false)
    expect(body.runs[0]).toMatchObject({ exit_code: 3, stderr: 'boom: something went wrong\n' })
    expect(site.audit.at(-1)).toMatchObject({ action: 'cancel', outcome: 'failed', exit_code: [3] })
    site.mode('ok')
  })

  it('never goes through a shell: an output root full of shell syntax reaches torc as one argument, and nothing else runs', async () => {
    const hostile = await startAgentSite({}, 'out $(touch CANARY); `touch CANARY` | touch CANARY &&x')
    try {
      hostile.mode('ok')
      const res = await hostile.post('submit', { workflow_id: 3 })
      expect(res.status).toBe(200)
      const [argv, ...more] = hostile.argvs()
      expect(more).toEqual([])
      expect(argv).toEqual([
        'torc',
        '--url',
        TORC_URL,
        '-f',
        'json',
        'submit',
        '--no-prompts',
        '-o',
        hostile.root,
        '-p',
        '1',
        '3',
      ])
      expect(existsSync(hostile.canary)).toBe(false)
      expect(existsSync(join(hostile.root, 'CANARY'))).toBe(false)
    } finally {
      await hostile.stop()
    }
  })
})
