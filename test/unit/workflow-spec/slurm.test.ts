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
import { FAN_OUT_FAN_IN, FILE_PIPELINE } from './tutorial-specs.ts'

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
