import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateSlurm } from '../../src/workflow-spec/index.ts'
import { FAN_OUT_FAN_IN, FILE_PIPELINE } from '../unit/workflow-spec/tutorial-specs.ts'
import { examples, needCli, needCrate, readFromCrate, sorted, torcJson } from './torc.ts'

/** generateSlurm against the real `torc slurm generate --dry-run`, on every example and the tutorial's specs. */
describe.runIf(needCli())('generateSlurm against torc slurm generate --dry-run', () => {
  const EXAMPLES = examples()
  const shape = (r: { slurm_schedulers?: unknown[] | null; actions?: unknown[] | null; warnings: string[] }) => ({
    schedulers: sorted((r.slurm_schedulers ?? []).map((s) => JSON.stringify(Object.entries(s as object).sort()))),
    actions: sorted(
      (r.actions ?? []).map((a) => {
        const action = a as Record<string, unknown>
        return JSON.stringify(Object.entries({ ...action, jobs: sorted((action['jobs'] as string[]) ?? []) }).sort())
      })
    ),
    warnings: sorted(r.warnings),
  })
  const variants = [
    ['kestrel', 'partition'],
    ['kestrel', 'resource-requirements'],
    ['dane', 'partition'],
  ] as const
  it.each(EXAMPLES.flatMap((e) => variants.map(([profile, groupBy]) => [e.name, profile, groupBy, e] as const)))(
    '%s on %s by %s',
    async (_, profile, groupBy, example) => {
      const args = [
        'slurm',
        'generate',
        '--profile',
        profile,
        '--account',
        'acct',
        '--dry-run',
        '--overwrite',
        '--group-by',
        groupBy,
        example.path,
      ]
      const options = {
        format: example.format,
        readFile: readFromCrate,
        kdlAliases: false,
        resolveFileVariables: false,
      }
      const ours = () =>
        generateSlurm(example.text, { ...options, hpcProfile: profile, account: 'acct', groupBy, overwrite: true })
      const theirs = await torcJson(args).catch((error: { stderr?: string }) => new Error(error.stderr ?? 'failed'))
      if (theirs instanceof Error) {
        // Both refuse, for the same reason (e.g. no resource_requirements).
        expect(theirs.message).toMatch(/Error: /)
        expect(ours).toThrow(theirs.message.replace(/^Error: /, '').split('\n')[0] ?? '')
      } else expect(shape(ours())).toEqual(shape(theirs as Parameters<typeof shape>[0]))
    }
  )

  it.each([
    ['fan-out/fan-in', FAN_OUT_FAN_IN],
    ['file pipeline', FILE_PIPELINE],
  ])('tutorial %s matches the CLI', async (_, value) => {
    const dir = mkdtempSync(join(tmpdir(), 'torc-slurm-'))
    try {
      const file = join(dir, 'spec.json')
      writeFileSync(file, JSON.stringify(value))
      const theirs = (await torcJson([
        'slurm',
        'generate',
        '--profile',
        'kestrel',
        '--account',
        'my_account',
        '--dry-run',
        file,
      ])) as Parameters<typeof shape>[0]
      const ours = generateSlurm(JSON.stringify(value), {
        format: 'json',
        hpcProfile: 'kestrel',
        account: 'my_account',
        resolveFileVariables: false,
      })
      expect(shape(ours)).toEqual(shape(theirs))
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe.runIf(needCrate())('parameters_file templates keep their scheduler (deviation)', () => {
  it('assigns the scheduler of the first expanded job, where 1.0.0 leaves table-driven templates unassigned', () => {
    const example = examples().find((e) => e.name === 'yaml/parameterized_from_csv.yaml')
    if (example === undefined) throw new Error('example missing')
    const out = generateSlurm(example.text, {
      format: 'yaml',
      readFile: readFromCrate,
      hpcProfile: 'kestrel',
      account: 'a',
    })
    expect(out.spec.jobs.map((j) => j.scheduler)).toEqual(['short_scheduler'])
  })
})
