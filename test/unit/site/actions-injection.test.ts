/**
 * Injection corpus against every field of every action that reaches an argv. Each hostile value
 * is refused with 400 naming the field before anything runs; the recorded argvs prove nothing
 * was spawned, and a canary file that any of the payloads would create if it reached a shell (or
 * became an option such as --wrap) never appears. Hostile text inside a probe's spec is data: it
 * is written to the spec file, and the argv stays exactly the fixed one.
 */
import { existsSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AgentSite, startAgentSite } from './actions-helpers.ts'

let site: AgentSite
beforeAll(async () => {
  site = await startAgentSite()
})
afterAll(async () => site?.stop())

const touch = 'touch CANARY'
/** Strings a shell, an option parser or a careless validator would act on. */
const STRINGS = [
  `$(${touch})`,
  `\`${touch}\``,
  `x; ${touch}`,
  `x && ${touch}`,
  `x | ${touch}`,
  `x\n${touch}`,
  `x\r\n${touch}`,
  `x\u0000${touch}`,
  `--wrap=${touch}`,
  '--wrap',
  `-o${touch}`,
  '-x',
  '--account=other',
  '-',
  '--',
  '../../etc/passwd',
  '/bin/sh',
  '$HOME',
  '${IFS}',
  "a'b",
  'a"b',
  'a b',
  'a\tb',
  '*',
  '~root',
  'a'.repeat(65),
  'a'.repeat(100_000),
  '',
  'ａｃｃｏｕｎｔ', // fullwidth letters
  'acc\u200bount', // zero-width space
  'acc\u202eount', // right-to-left override
  'café',
  '🙂',
]
/** Values an id field must refuse. */
const IDS: unknown[] = [
  0,
  -1,
  1.5,
  1e300,
  2 ** 53,
  Number.NaN,
  '7',
  `7; ${touch}`,
  '-7',
  '--help',
  null,
  true,
  [7],
  { $gt: 0 },
  ...STRINGS.slice(0, 12),
]

/** Every action's fields that reach an argv, with a valid input to put each hostile value into. */
const FIELDS: [action: string, valid: Record<string, unknown>, field: string, kind: 'id' | 'name' | 'ids'][] = [
  ['submit', { workflow_id: 1 }, 'workflow_id', 'id'],
  ['submit', { workflow_id: 1, scheduler_id: 2 }, 'scheduler_id', 'id'],
  ['submit', { workflow_id: 1, scheduler_id: 2, num_allocations: 1 }, 'num_allocations', 'id'],
  ['sacct', { slurm_job_ids: [1] }, 'slurm_job_ids', 'ids'],
  ['probe', { spec: {}, account: 'a' }, 'account', 'name'],
  ['probe', { spec: {}, account: 'a', partition: 'p' }, 'partition', 'name'],
  ['probe', { spec: {}, account: 'a', profile: 'p' }, 'profile', 'name'],
  ['cancel', { workflow_id: 1 }, 'workflow_id', 'id'],
  ['regenerate', { workflow_id: 1 }, 'workflow_id', 'id'],
  ['regenerate', { workflow_id: 1, account: 'a' }, 'account', 'name'],
  ['regenerate', { workflow_id: 1, partition: 'p' }, 'partition', 'name'],
  ['regenerate', { workflow_id: 1, profile: 'p' }, 'profile', 'name'],
  ['reconcile', { workflow_id: 1, run_id: 1 }, 'workflow_id', 'id'],
  ['reconcile', { workflow_id: 1, run_id: 1 }, 'run_id', 'id'],
  ['run', { workflow_id: 1 }, 'workflow_id', 'id'],
  ['partitions', { profile: 'slurm' }, 'profile', 'name'],
]

describe('injection corpus', () => {
  for (const [action, valid, field, kind] of FIELDS) {
    it(`${action}.${field}: every hostile value is refused with 400 naming the field, nothing runs`, async () => {
      site.argvs()
      const values =
        kind === 'name'
          ? [...STRINGS, ...IDS.filter((v) => typeof v !== 'string')]
          : kind === 'ids'
            ? [...IDS.map((v) => [v]), [1, `1,${touch}`], [], Array.from({ length: 1001 }, (_, i) => i + 1), '1,2', 7]
            : IDS
      for (const value of values) {
        const res = await site.post(action, { ...valid, [field]: value })
        const body = (await res.json()) as { error?: { code: string; message: string } }
        expect(res.status, `${action}.${field} = ${JSON.stringify(value)?.slice(0, 60)}`).toBe(400)
        expect(body.error?.code).toBe('invalid_input')
        expect(body.error?.message.startsWith(field), body.error?.message).toBe(true)
      }
      expect(site.argvs()).toEqual([])
      expect(existsSync(site.canary)).toBe(false)
    })
  }

  it('refuses unknown fields (nothing a caller adds becomes an option) and bodies that are not JSON objects', async () => {
    site.argvs()
    for (const body of [
      { workflow_id: 1, extra: '--wrap=touch CANARY' },
      { workflow_id: 1, argv: ['touch', 'CANARY'] },
      '{"workflow_id":1,"__proto__":{"shell":true}}',
    ]) {
      const res = await site.post('cancel', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
    }
    for (const raw of ['not json', '[1]', '"x"', 'null', '{"workflow_id":1', '1']) {
      const res = await site.post('cancel', raw)
      expect(res.status, raw).toBe(400)
    }
    const big = await site.post('cancel', `{"workflow_id":1,"x":"${'a'.repeat(3 * 1024 * 1024)}"}`)
    expect(big.status).toBe(413)
    expect(site.argvs()).toEqual([])
    expect(existsSync(site.canary)).toBe(false)
  })

  it('treats hostile text inside a probe spec as data: the fixed argv runs, the canary never appears', async () => {
    site.mode('ok')
    site.argvs()
    const spec = Object.fromEntries(STRINGS.slice(0, 12).map((s, i) => [`k${i}`, s]))
    const res = await site.post('probe', {
      spec: { name: `$(${touch})`, ...spec, jobs: [{ name: '`x`', command: touch }] },
      account: 'a',
    })
    expect(res.status).toBe(200)
    const argvs = site.argvs()
    expect(argvs).toHaveLength(1)
    const argv = argvs[0]!
    expect(argv.slice(0, -1)).toEqual([
      'torc',
      '-f',
      'json',
      'slurm',
      'plan-allocations',
      '--group-by',
      'resource-requirements',
      '--account',
      'a',
    ])
    expect(argv.at(-1)).toMatch(/spec\.json$/)
    expect(existsSync(site.canary)).toBe(false)
  })

  it('puts valid names and ids only after their option: the widest valid values still make the fixed argv', async () => {
    site.argvs()
    const name = `a${'Z9_.-'.repeat(12)}b`.slice(0, 64)
    const res = await site.post('regenerate', {
      workflow_id: 2 ** 53 - 1,
      account: name,
      partition: '_p.1',
      profile: 'x-y',
    })
    expect(res.status).toBe(200)
    const [argv] = site.argvs()
    expect(argv!.slice(-7)).toEqual(['--account', name, '--partition', '_p.1', '--profile', 'x-y', String(2 ** 53 - 1)])
    expect(existsSync(site.canary)).toBe(false)
  })
})
