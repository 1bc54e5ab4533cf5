import { describe, expect, it } from 'vitest'
import { planBundle } from '../../../site/bundle.ts'
import type { ListedFile } from '../../../site/listing.ts'
import { checkRelative, PathRefused } from '../../../site/paths.ts'
import { capRange, parseRange } from '../../../site/range.ts'
import { classifyName, mentionsWorkflow, naturalCompare } from '../../../src/site-protocol/naming.ts'

describe('Torc file names (1.0.0 log_paths.rs)', () => {
  it.each([
    [
      'job_stdio',
      'job_wf1_j3_r2_a4.o',
      { kind: 'job_stdout', workflow_id: 1, log: true, job_id: 3, run_id: 2, attempt_id: 4 },
    ],
    ['job_stdio', 'job_wf1_j3_r2_a4.e', { kind: 'job_stderr', workflow_id: 1, job_id: 3 }],
    ['job_stdio', 'job_wf12_j3_r1_a1.log', { kind: 'job_combined', workflow_id: 12 }],
    ['', 'job_runner_node-01.cluster_wf1_r3.log', { kind: 'job_runner', workflow_id: 1, run_id: 3, log: true }],
    ['', 'job_runner_x_wf2_wf1_r1.log', { kind: 'job_runner', workflow_id: 1 }],
    ['', 'job_runner_slurm_wf1_sl987_n0_pid55.log', { kind: 'slurm_job_runner', workflow_id: 1, slurm_job_id: '987' }],
    ['', 'slurm_output_wf1_sl987.o', { kind: 'slurm_stdout', workflow_id: 1, slurm_job_id: '987' }],
    ['', 'slurm_output_wf1_sl987.e', { kind: 'slurm_stderr', workflow_id: 1 }],
    ['', 'dmesg_slurm_wf1_sl987_n0_pid55.log', { kind: 'dmesg', workflow_id: 1, log: true }],
    ['', 'watch_login1_wf1.log', { kind: 'watch', workflow_id: 1, log: true }],
    ['', 'slurm_env_wf1_sl987_n0_pid55.log', { kind: 'slurm_env', workflow_id: 1, log: false }],
    ['', 'torc_worker_1.log', { kind: 'remote_worker', workflow_id: 1, log: false }],
    [
      'resource_utilization',
      'resource_metrics_wf1_hnode01_r2.db',
      { kind: 'resource_db', workflow_id: 1, run_id: 2, log: false },
    ],
    [
      'resource_utilization',
      'resource_metrics_wf1_sl987_n0_p55.db',
      { kind: 'resource_db', workflow_id: 1, slurm_job_id: '987' },
    ],
  ] as const)('%s/%s', (dir, name, expected) => {
    expect(classifyName(dir, name)).toMatchObject(expected)
  })

  it('ignores names Torc does not write, and names in the wrong directory', () => {
    for (const [dir, name] of [
      ['', 'job_wf1_j3_r1_a1.o'],
      ['job_stdio', 'job_runner_h_wf1_r1.log'],
      ['job_stdio', 'job_wf1_j3_r1_a1.txt'],
      ['', 'notes_wf1.log'],
      ['', 'resource_metrics_wf1_hnode_r1.db'],
      ['', 'wf1.tar.gz'],
      ['job_stdio', 'job_wf1_j3_r1.o'],
    ] as const) {
      expect(classifyName(dir, name), `${dir}/${name}`).toBeUndefined()
    }
  })

  it('matches workflow ids exactly: 1 is not 10, 11 or 100', () => {
    for (const name of ['job_wf10_j1_r1_a1.o', 'job_wf11_j1_r1_a1.e', 'job_wf100_j1_r1_a1.o']) {
      expect(mentionsWorkflow(name, 1)).toBe(false)
      expect(classifyName('job_stdio', name)?.workflow_id).not.toBe(1)
    }
    expect(mentionsWorkflow('job_wf1_j1_r1_a1.o', 1)).toBe(true)
    expect(mentionsWorkflow('job_runner_hwf10_wf1_r1.log', 1)).toBe(true)
    expect(mentionsWorkflow('torc_worker_1.log', 1)).toBe(true)
    expect(mentionsWorkflow('torc_worker_10.log', 1)).toBe(false)
  })

  it('sorts names naturally, so job 2 comes before job 10', () => {
    const names = [
      'job_wf1_j10_r1_a1.o',
      'job_wf1_j2_r1_a1.o',
      'job_wf1_j2_r1_a1.e',
      'job_wf1_j1_r10_a1.o',
      'job_wf1_j1_r9_a1.o',
      'job_wf1_j02_r1_a1.o',
    ]
    expect([...names].sort(naturalCompare)).toEqual([
      'job_wf1_j1_r9_a1.o',
      'job_wf1_j1_r10_a1.o',
      'job_wf1_j2_r1_a1.e',
      'job_wf1_j02_r1_a1.o',
      'job_wf1_j2_r1_a1.o',
      'job_wf1_j10_r1_a1.o',
    ])
  })
})

describe('checkRelative', () => {
  it('normalises harmless paths', () => {
    expect(checkRelative('job_stdio//./job_wf1_j1_r1_a1.o')).toBe('job_stdio/job_wf1_j1_r1_a1.o')
  })
  it.each([
    '',
    '..',
    '../x',
    'a/../../x',
    '/etc/passwd',
    'C:/x',
    'a\\..\\b',
    'a\0b',
    'a\nb',
    '%2e%2e/x',
    '.',
    'x'.repeat(1025),
  ])('refuses %j', (path) => {
    expect(() => checkRelative(path)).toThrow(PathRefused)
  })
})

describe('ranges', () => {
  it.each([
    [undefined, 100, { kind: 'whole' }],
    ['bytes=0-9', 100, { kind: 'range', start: 0, end: 9 }],
    ['bytes=90-', 100, { kind: 'range', start: 90, end: 99 }],
    ['bytes=90-500', 100, { kind: 'range', start: 90, end: 99 }],
    ['bytes=-10', 100, { kind: 'range', start: 90, end: 99 }],
    ['bytes=-1000', 100, { kind: 'range', start: 0, end: 99 }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=5-2', 100, { kind: 'invalid' }],
    ['bytes=0-1,4-5', 100, { kind: 'invalid' }],
    ['items=0-1', 100, { kind: 'invalid' }],
    ['bytes=-', 100, { kind: 'invalid' }],
  ] as const)('%s of %d bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toMatchObject(expected)
  })

  it('caps a read, keeping the end of a tail and the start of anything else', () => {
    expect(capRange(0, 99, 10, true)).toEqual({ start: 90, end: 99, capped: true })
    expect(capRange(0, 99, 10, false)).toEqual({ start: 0, end: 9, capped: true })
    expect(capRange(0, 9, 10, false)).toEqual({ start: 0, end: 9, capped: false })
  })
})

describe('planBundle', () => {
  const file = (path: string, size: number): ListedFile => ({
    path,
    size,
    mtime: '',
    kind: 'job_stdout',
    workflow_id: 1,
    log: true,
  })
  it('keeps a prefix of the listing within the byte cap and says why', () => {
    const plan = planBundle(1, [file('a', 5), file('b', 5), file('c', 5)], false, 10, 12)
    expect(plan.files.map((f) => f.path)).toEqual(['a', 'b'])
    expect(plan.reason).toMatch(/byte cap of 12 reached: 1 of 3 files left out/)
    expect(planBundle(1, [file('a', 5)], true, 1, 100).reason).toMatch(/file cap of 1/)
    expect(planBundle(1, [file('a', 5)], false, 1, 100).reason).toBeUndefined()
  })
})
