import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSpecValue, validateSpec } from '../../src/workflow-spec/index.ts'
import { needCli, sorted, torcJson } from './torc.ts'

/** validateSpec against the real `torc create --dry-run`, on specs that break every rule at once. */
const validate = (value: unknown) => validateSpec(parseSpecValue(value))
const base = (extra: Record<string, unknown> = {}, jobs: unknown[] = [{ name: 'a', command: 'x' }]) => ({
  name: 'w',
  jobs,
  ...extra,
})

describe.runIf(needCli())('validateSpec against torc create --dry-run', () => {
  /** Normalises the parts of messages whose order torc takes from a HashMap. */
  const normal = (errors: string[]): string[] =>
    sorted(
      errors.map((e) =>
        e
          .replace(
            /involving jobs: (.*)$/,
            (_, list: string) => `involving jobs: ${sorted(list.split(', ')).join(', ')}`
          )
          .replace(
            /managed by torc: (.*?)\. /,
            (_, list: string) => `managed by torc: ${sorted(list.split(', ')).join(', ')}. `
          )
      )
    )
  const cases: Record<string, unknown> = {
    references: base(
      { files: [{ name: 'f', path: '/f' }], resource_requirements: [{ name: 'r', num_cpus: 1, memory: '1g' }] },
      [
        {
          name: 'a',
          command: 'x',
          depends_on: ['ghost'],
          resource_requirements: 'big',
          scheduler: 'nowhere',
          input_files: ['f', 'missing'],
          output_user_data: ['nothing'],
        },
        { name: 'ok', command: 'x' },
        { name: 'c1', command: 'x', depends_on: ['c2'] },
        { name: 'c2', command: 'x', depends_on: ['c1'] },
        { name: 'after', command: 'x', depends_on: ['c2', 'ok'] },
        { name: 'self', command: 'x', depends_on_regexes: ['^se'] },
      ]
    ),
    settings: {
      name: 'w',
      slurm_defaults: { account: 'ok', Partition: 'x', 'job-name': 'y' },
      env: { '1BAD': 'x' },
      slurm_schedulers: [{ name: 's', account: 'a' }],
      jobs: [{ name: 'j', command: 'x', labels: ['gpu'], scheduler: 's' }],
    },
    resources: {
      name: 'w',
      resource_requirements: [{ name: 'big', num_cpus: 8, memory: '100g', runtime: 'PT5H', num_nodes: 2 }],
      slurm_schedulers: [
        { name: 's', account: 'a', mem: '64g', walltime: '04:00:00', nodes: 4 },
        { name: 't', account: 'a', gres: 'gpu:1' },
      ],
      actions: [
        { trigger_type: 'on_workflow_start', action_type: 'schedule_nodes', scheduler: 's', scheduler_type: 'slurm' },
      ],
      jobs: [
        { name: 'j', command: 'x', resource_requirements: 'big', scheduler: 's' },
        { name: 'k', command: 'x', resource_requirements: 'big' },
      ],
    },
    duplicates: base(
      {
        files: [
          { name: 'f', path: '/a' },
          { name: 'f', path: '/b' },
        ],
      },
      [{ name: 'agg', command: 'x {i}', parameters: { i: '1:3' } }]
    ),
    expansion: base({}, [{ name: 'j_{i}', command: 'x', parameters: { i: '1:10:0.5' } }]),
  }
  it.each(Object.entries(cases))('%s', async (name, value) => {
    const dir = mkdtempSync(join(tmpdir(), 'torc-validate-'))
    try {
      const file = join(dir, `${name}.json`)
      writeFileSync(file, JSON.stringify(value))
      const theirs = (await torcJson(['create', '--dry-run', file])) as ReturnType<typeof validateSpec>
      const ours = validate(value)
      expect(ours.valid).toBe(false)
      expect(normal(ours.errors)).toEqual(normal(theirs.errors))
      expect(ours.summary).toEqual(theirs.summary)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
