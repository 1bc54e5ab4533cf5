import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  durationToSeconds,
  findBestPartition,
  generateSlurm,
  HPC_PROFILES,
  type HpcProfile,
  parseMemoryMb,
  parseSpecValue,
  resolveProfile,
  SpecError,
  secsToWalltime,
  validateSpec,
} from '../../../src/workflow-spec/index.ts'
import { CRATE, examples, HAS_CLI, readFromCrate, sorted, torcJson } from './helpers.ts'

const kestrel = HPC_PROFILES.find((p) => p.name === 'kestrel') as HpcProfile
const pick = (cpus: number, memory: string, runtime: string, gpus?: number): string | undefined =>
  findBestPartition(kestrel, cpus, parseMemoryMb(memory), durationToSeconds(runtime), gpus)?.name

describe('units', () => {
  it('parses ISO-8601 durations like the iso8601 crate', () => {
    expect(
      ['PT1H', 'PT30M', 'PT1H30M', 'P1D', 'P1DT2H', 'P0DT1M', 'PT90M', 'P1W', 'PT'].map(durationToSeconds)
    ).toEqual([3600, 1800, 5400, 86400, 93600, 60, 5400, 604800, 0])
    expect(durationToSeconds('PT1.5H')).toBe(0)
    expect(durationToSeconds('PT10S garbage')).toBe(10)
    expect(() => durationToSeconds('1H')).toThrow('Invalid ISO 8601 duration format: Failed to parse duration: 1H')
    expect(() => durationToSeconds('  ')).toThrow('Duration string cannot be empty')
  })

  it('parses generator memory (MB default, float g) and formats walltimes', () => {
    expect(['10g', '1.5g', '512m', '1024k', '2048'].map(parseMemoryMb)).toEqual([10240, 1536, 512, 1, 2048])
    expect(() => parseMemoryMb('1t')).toThrow('Invalid memory value: 1t')
    expect([3600, 86400, 93600, 900].map(secsToWalltime)).toEqual(['01:00:00', '1-00:00:00', '1-02:00:00', '00:15:00'])
  })
})

describe('profiles and partitions (torc 1.0.0 tables)', () => {
  it('ships dane and kestrel and demands a profile name at the edge', () => {
    expect(HPC_PROFILES.map((p) => p.name)).toEqual(['dane', 'kestrel'])
    expect(() => resolveProfile(undefined)).toThrow(
      'No HPC profile specified and none can be detected here; pass hpc_profile. Available profiles: dane, kestrel'
    )
    expect(() => resolveProfile('perlmutter')).toThrow(
      'Unknown HPC profile: perlmutter. Available profiles: dane, kestrel'
    )
    const custom = {
      name: 'mini',
      display_name: 'Mini',
      partitions: [{ name: 'p', cpus_per_node: 8, memory_mb: 16000, max_walltime_secs: 3600 }],
    }
    expect(resolveProfile('mini', [custom]).partitions[0]).toMatchObject({
      shared: false,
      requires_explicit_request: false,
    })
    expect(() => resolveProfile('mini', [{ name: 'mini' }])).toThrow(SpecError)
  })

  it('chooses Kestrel partitions by tightest fit', () => {
    expect(pick(4, '8g', 'PT1H')).toBe('short')
    expect(pick(4, '8g', 'PT12H')).toBe('standard')
    expect(pick(4, '8g', 'P5D')).toBe('long')
    expect(pick(4, '500g', 'PT1H')).toBe('medmem')
    expect(pick(4, '1500g', 'PT1H')).toBe('bigmem')
    expect(pick(8, '64g', 'PT2H', 2)).toBe('gpu-h100s')
    expect(pick(8, '64g', 'P1D', 4)).toBe('gpu-h100')
    expect(pick(120, '64g', 'PT1H')).toBe('gpu-h100s')
    expect(pick(200, '64g', 'PT1H')).toBeUndefined()
    expect(pick(4, '8g', 'PT1H', 8)).toBeUndefined()
  })
})

/** Tutorial prompt 1: preprocess, 10 indexed work jobs at 10 CPU / 20 GB, postprocess. */
const FAN_OUT_FAN_IN = {
  name: 'fan_out_fan_in',
  description: 'Preprocess, 10 parallel work jobs, postprocess',
  resource_requirements: [
    { name: 'small', num_cpus: 1, memory: '2g', runtime: 'PT10M' },
    { name: 'work', num_cpus: 10, memory: '20g', runtime: 'PT1H' },
  ],
  jobs: [
    { name: 'preprocess', command: 'python preprocess.py', resource_requirements: 'small' },
    {
      name: 'work_{i}',
      command: 'python work.py --index {i}',
      parameters: { i: '1:10' },
      depends_on: ['preprocess'],
      resource_requirements: 'work',
    },
    {
      name: 'postprocess',
      command: 'python postprocess.py',
      depends_on_regexes: ['^work_\\d+$'],
      resource_requirements: 'small',
    },
  ],
}

/** Tutorial prompt 2: a 4-stage file-driven Slurm workflow, account my_account, 10 CPU / 30 GB work jobs. */
const FILE_PIPELINE = {
  name: 'file_pipeline',
  resource_requirements: [
    { name: 'prep', num_cpus: 1, memory: '4g', runtime: 'PT30M' },
    { name: 'work', num_cpus: 10, memory: '30g', runtime: 'PT2H' },
    { name: 'agg', num_cpus: 4, memory: '16g', runtime: 'PT1H' },
  ],
  files: [
    { name: 'raw', path: 'data/raw.csv' },
    { name: 'chunk_{i}', path: 'work/chunk_{i}.csv', parameters: { i: '1:10' } },
    { name: 'result_{i}', path: 'work/result_{i}.json', parameters: { i: '1:10' } },
    { name: 'summary', path: 'out/summary.json' },
    { name: 'report', path: 'out/report.html' },
  ],
  jobs: [
    {
      name: 'prepare',
      command: 'python prepare.py ${files.input.raw} work/',
      output_file_regexes: ['^chunk_\\d+$'],
      resource_requirements: 'prep',
    },
    {
      name: 'work_{i}',
      command: 'python work.py ${files.input.chunk_{i}} ${files.output.result_{i}}',
      parameters: { i: '1:10' },
      resource_requirements: 'work',
    },
    {
      name: 'aggregate',
      command: 'python aggregate.py work/ ${files.output.summary}',
      input_file_regexes: ['^result_\\d+$'],
      resource_requirements: 'agg',
    },
    {
      name: 'report',
      command: 'python report.py ${files.input.summary} ${files.output.report}',
      resource_requirements: 'prep',
    },
  ],
}

describe('tutorial workflows', () => {
  it('fan-out/fan-in: validates, plans three events and gets two Kestrel schedulers', () => {
    const spec = parseSpecValue(FAN_OUT_FAN_IN)
    const result = validateSpec(spec)
    expect([result.valid, result.summary.job_count]).toEqual([true, 12])
    const out = generateSlurm(spec, { hpcProfile: 'kestrel', account: 'my_account' })
    expect(out.slurm_schedulers).toEqual([
      { name: 'short_scheduler', account: 'my_account', mem: '240g', nodes: 1, walltime: '00:15:00' },
      { name: 'short_deferred_scheduler', account: 'my_account', mem: '240g', nodes: 1, walltime: '01:30:00' },
    ])
    expect(out.planned.map((p) => [p.resolved_partition, p.job_count, p.num_allocations])).toEqual([
      ['short', 1, 1],
      ['short', 11, 2],
    ])
    expect(out.actions.map((a) => [a.trigger_type, a.scheduler, a.num_allocations, a.jobs?.length])).toEqual([
      ['on_jobs_ready', 'short_scheduler', 1, 1],
      ['on_jobs_ready', 'short_deferred_scheduler', 2, 11],
    ])
    expect(out.spec.jobs.map((j) => j.scheduler)).toEqual([
      'short_scheduler',
      'short_deferred_scheduler',
      'short_deferred_scheduler',
    ])
    const byRr = generateSlurm(spec, { hpcProfile: 'kestrel', account: 'my_account', groupBy: 'resource-requirements' })
    expect(byRr.slurm_schedulers.map((s) => [s.name, s.walltime])).toEqual([
      ['small_scheduler', '00:15:00'],
      ['work_deferred_scheduler', '01:30:00'],
      ['small_deferred_scheduler', '00:15:00'],
    ])
    const generated = validateSpec(out.spec)
    expect([generated.valid, generated.summary.has_schedule_nodes_action]).toEqual([true, true])
  })

  it('file-driven pipeline: implicit file edges, regex fan-in, account my_account', async () => {
    const { planExecution } = await import('../../../src/workflow-spec/index.ts')
    const spec = parseSpecValue(FILE_PIPELINE)
    expect(validateSpec(spec).errors).toEqual([])
    const plan = planExecution(spec)
    expect(plan.events.map((e) => [e.id, e.jobs_becoming_ready.length])).toEqual([
      ['start', 1],
      ['after_prepare', 10],
      ['after_work_jobs', 1],
      ['after_aggregate', 1],
    ])
    const out = generateSlurm(spec, { hpcProfile: 'kestrel', account: 'my_account' })
    expect(
      out.planned.map((p) => [p.name, p.resolved_partition, p.walltime, p.mem, p.num_allocations, p.job_count])
    ).toEqual([
      ['short_scheduler', 'short', '00:45:00', '240g', 1, 1],
      ['short_deferred_scheduler', 'short', '03:00:00', '240g', 2, 12],
    ])
    const replanned = planExecution(out.spec)
    expect(replanned.events[0]?.scheduler_allocations).toEqual([
      { scheduler: 'short_scheduler', scheduler_type: 'slurm', num_allocations: 1, jobs: ['prepare'] },
    ])
    expect(replanned.events[1]?.scheduler_allocations.map((a) => a.scheduler)).toEqual(['short_deferred_scheduler'])
    // 1.0.0 generates before substituting ${files...}: every job looks like a root, one scheduler
    // gates on all 13 jobs, and nothing is allocated at start (the action can never fire).
    const parity = generateSlurm(spec, { hpcProfile: 'kestrel', account: 'my_account', resolveFileVariables: false })
    expect(parity.planned.map((p) => [p.name, p.num_allocations, p.job_count])).toEqual([['short_scheduler', 2, 13]])
    expect(planExecution(parity.spec).events[0]?.scheduler_allocations).toEqual([])
  })

  it('needs an account, a profile and free slots for schedulers', () => {
    const spec = parseSpecValue(FAN_OUT_FAN_IN)
    expect(() => generateSlurm(spec, { hpcProfile: 'kestrel' })).toThrow(
      "No account specified. Pass account or set 'account' in slurm_defaults."
    )
    expect(
      generateSlurm(parseSpecValue({ ...FAN_OUT_FAN_IN, slurm_defaults: { account: 'dflt' } }), {
        hpcProfile: 'kestrel',
      }).slurm_schedulers[0]?.account
    ).toBe('dflt')
    expect(() => generateSlurm(spec, { account: 'a' })).toThrow(/pass hpc_profile/)
    const withActions = parseSpecValue({
      ...FAN_OUT_FAN_IN,
      actions: [{ trigger_type: 'on_workflow_start', action_type: 'run_commands', commands: ['x'] }],
    })
    expect(() => generateSlurm(withActions, { hpcProfile: 'kestrel', account: 'a' })).toThrow(
      /already has actions defined/
    )
    expect(
      generateSlurm(withActions, { hpcProfile: 'kestrel', account: 'a', overwrite: true }).spec.actions
    ).toHaveLength(2)
    expect(() =>
      generateSlurm(parseSpecValue({ name: 'w', jobs: [{ name: 'j', command: 'x' }] }), {
        hpcProfile: 'kestrel',
        account: 'a',
      })
    ).toThrow('Workflow has no resource_requirements defined. Cannot generate schedulers.')
  })

  it('merges small root and deferred groups of one partition (1.0.0 "auto merge" test)', () => {
    const spec = parseSpecValue({
      name: 'merge',
      resource_requirements: [
        { name: 'small', num_cpus: 1, memory: '2g', runtime: 'PT10M' },
        { name: 'medium', num_cpus: 52, memory: '1g', runtime: 'PT10M' },
      ],
      jobs: [
        { name: 'build', command: 'x', resource_requirements: 'small' },
        {
          name: 'job_{i}',
          command: 'x',
          parameters: { i: '1:10' },
          depends_on: ['build'],
          resource_requirements: 'medium',
        },
        { name: 'join', command: 'x', depends_on_regexes: ['job_\\d+'], resource_requirements: 'small' },
      ],
    })
    // 1.0.0 sizes allocations by the walltime it requests: 15 minutes fit one 10-minute slot, so the
    // deferred group needs 6 allocations and nothing merges (the docs' example assumed 4 h)...
    const defaults = generateSlurm(spec, { hpcProfile: 'kestrel', account: 'a' })
    expect(defaults.planned.map((p) => [p.name, p.walltime, p.num_allocations])).toEqual([
      ['short_scheduler', '00:15:00', 1],
      ['short_deferred_scheduler', '00:15:00', 6],
    ])
    // ...while the partition's 4 h give 24 slots, 1 + 1 allocations, and a merge.
    const out = generateSlurm(spec, { hpcProfile: 'kestrel', account: 'a', walltimeStrategy: 'max-partition-time' })
    expect(out.slurm_schedulers).toEqual([
      { name: 'short_scheduler', account: 'a', mem: '240g', nodes: 1, walltime: '04:00:00' },
    ])
    expect(out.actions).toEqual([
      {
        trigger_type: 'on_jobs_ready',
        action_type: 'schedule_nodes',
        jobs: ['build'],
        scheduler: 'short_scheduler',
        scheduler_type: 'slurm',
        num_allocations: 1,
      },
    ])
    expect(out.spec.jobs.map((j) => j.scheduler)).toEqual(['short_scheduler', 'short_scheduler', 'short_scheduler'])
  })
})

describe.skipIf(!HAS_CLI)('generateSlurm against torc slurm generate --dry-run', () => {
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

describe.skipIf(CRATE === undefined)('parameters_file templates keep their scheduler (deviation)', () => {
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
