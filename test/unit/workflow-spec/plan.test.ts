import { describe, expect, it } from 'vitest'
import {
  type ExecutionEvent,
  type PlanJob,
  parseSpecValue,
  planExecution,
  planExecutionFromDatabase,
} from '../../../src/workflow-spec/index.ts'

const ids = (events: ExecutionEvent[]) => events.map((e) => e.id)
const event = (events: ExecutionEvent[], id: string): ExecutionEvent => {
  const found = events.find((e) => e.id === id)
  if (found === undefined) throw new Error(`no event ${id} in ${ids(events).join(', ')}`)
  return found
}

const DIAMOND = {
  name: 'diamond',
  files: ['in', 'a', 'b', 'c', 'd', 'out'].map((n) => ({ name: n, path: `/${n}` })),
  jobs: [
    { name: 'preprocess', command: 'p ${files.input.in} ${files.output.a} ${files.output.b}' },
    { name: 'work1', command: 'w', input_files: ['a'], output_files: ['c'] },
    { name: 'work2', command: 'w', input_files: ['b'], output_files: ['d'] },
    { name: 'postprocess', command: 'q', input_files: ['c', 'd'], output_files: ['out'] },
  ],
}

describe('planExecution (spec)', () => {
  it('plans the diamond through ${files} variables and file edges, in a stable order', () => {
    const plan = planExecution(parseSpecValue(DIAMOND))
    expect(plan).toMatchObject({
      source: 'spec',
      workflow_name: 'diamond',
      total_events: 3,
      total_jobs: 4,
      root_events: ['start'],
      leaf_events: ['after_work_jobs'],
    })
    expect(plan.events).toEqual([
      {
        id: 'start',
        trigger: { type: 'WorkflowStart' },
        trigger_description: 'Workflow Start',
        scheduler_allocations: [],
        jobs_becoming_ready: ['preprocess'],
        depends_on_events: [],
        unlocks_events: ['after_preprocess'],
      },
      {
        id: 'after_preprocess',
        trigger: { type: 'JobsComplete', data: { jobs: ['preprocess'] } },
        trigger_description: "When job 'preprocess' completes",
        scheduler_allocations: [],
        jobs_becoming_ready: ['work1', 'work2'],
        depends_on_events: ['start'],
        unlocks_events: ['after_work_jobs'],
      },
      {
        id: 'after_work_jobs',
        trigger: { type: 'JobsComplete', data: { jobs: ['work1', 'work2'] } },
        trigger_description: "When jobs 'work1', 'work2' complete",
        scheduler_allocations: [],
        jobs_becoming_ready: ['postprocess'],
        depends_on_events: ['after_preprocess'],
        unlocks_events: [],
      },
    ])
  })

  it('sees input_file_regexes fan-in (1.0.0) and names events like torc', () => {
    const plan = planExecution(
      parseSpecValue({
        name: 'fan',
        files: [{ name: 'o_{i}', path: '/o{i}', parameters: { i: '1:5' } }],
        jobs: [
          { name: 'work_a_{i}', command: 'w', output_files: ['o_{i}'], parameters: { i: '1:5' } },
          { name: 'agg', command: 'a', input_file_regexes: ['^o_\\d$'] },
          { name: 'a1', command: 'x' },
          { name: 'a2', command: 'x' },
          { name: 'z', command: 'x', depends_on: ['a1', 'a2'] },
        ],
      })
    )
    expect(event(plan.events, 'after_work_a_jobs').trigger_description).toBe(
      "When 5 jobs complete ('work_a_1', 'work_a_2'...)"
    )
    expect(event(plan.events, 'after_a1_and_1_more').jobs_becoming_ready).toEqual(['z'])
  })

  it('makes colliding event ids unique instead of dropping an event (documented deviation)', () => {
    const plan = planExecution(
      parseSpecValue({
        name: 'collide',
        jobs: [
          ...[1, 2, 3, 4].map((i) => ({ name: `work_a_${i}`, command: 'x' })),
          { name: 'p', command: 'x', depends_on: ['work_a_1', 'work_a_2'] },
          { name: 'q', command: 'x', depends_on: ['work_a_3', 'work_a_4'] },
        ],
      })
    )
    expect(ids(plan.events)).toEqual(['start', 'after_work_a_jobs', 'after_work_a_jobs_2'])
    expect(plan.events.flatMap((e) => e.jobs_becoming_ready)).toHaveLength(6)
  })

  it('attaches allocations: on_workflow_start and root-only on_jobs_ready at start, others where their jobs become ready', () => {
    const plan = planExecution(
      parseSpecValue({
        name: 's',
        slurm_schedulers: ['s0', 's1', 's2'].map((n) => ({ name: n, account: 'a' })),
        actions: [
          {
            trigger_type: 'on_workflow_start',
            action_type: 'schedule_nodes',
            scheduler: 's0',
            scheduler_type: 'slurm',
          },
          {
            trigger_type: 'on_jobs_ready',
            action_type: 'schedule_nodes',
            jobs: ['root'],
            scheduler: 's1',
            scheduler_type: 'slurm',
            num_allocations: 2,
          },
          {
            trigger_type: 'on_jobs_ready',
            action_type: 'schedule_nodes',
            job_name_regexes: ['^w_'],
            scheduler: 's2',
            scheduler_type: 'slurm',
          },
          { trigger_type: 'on_jobs_ready', action_type: 'run_commands', jobs: ['w_1'], commands: ['echo'] },
        ],
        jobs: [
          { name: 'root', command: 'x' },
          { name: 'w_{i}', command: 'x', depends_on: ['root'], parameters: { i: '1:2' } },
        ],
      })
    )
    expect(event(plan.events, 'start').scheduler_allocations).toEqual([
      { scheduler: 's0', scheduler_type: 'slurm', num_allocations: 1, jobs: [] },
      { scheduler: 's1', scheduler_type: 'slurm', num_allocations: 2, jobs: ['root'] },
    ])
    expect(event(plan.events, 'after_root').scheduler_allocations).toEqual([
      { scheduler: 's2', scheduler_type: 'slurm', num_allocations: 1, jobs: ['w_1', 'w_2'] },
    ])
  })

  it('wraps failures with the MCP tool prefixes', () => {
    expect(() => planExecution('{', { format: 'json' })).toThrow(/^Failed to parse workflow specification: /)
    expect(() =>
      planExecution(parseSpecValue({ name: 'w', jobs: [{ name: 'j', command: 'x', parameters: { i: '1:0:0' } }] }))
    ).toThrow(/^Failed to expand parameters: /)
    const badAction = { name: 'w', jobs: [], actions: [{ trigger_type: 'never', action_type: 'run_commands' }] }
    expect(() => planExecution(parseSpecValue(badAction))).toThrow(/^Failed to validate actions: /)
    const badRegex = { name: 'w', jobs: [{ name: 'j', command: 'x', input_file_regexes: ['^none$'] }] }
    expect(() => planExecution(parseSpecValue(badRegex))).toThrow(
      "Failed to build execution plan: Input file regex '^none$' did not match any names for job 'j'"
    )
  })
})

describe('planExecutionFromDatabase', () => {
  const jobs: PlanJob[] = [
    { id: 1, name: 'prep' },
    { id: 2, name: 'work_1', depends_on_job_ids: [1] },
    { id: 3, name: 'work_2', depends_on_job_ids: [1] },
    { id: 4, name: 'post', depends_on_job_ids: [2, 3] },
  ]

  it('uses depends_on_job_ids and action job ids, naming schedulers by id', () => {
    const plan = planExecutionFromDatabase({
      workflow: { id: 7, name: 'wf' },
      jobs,
      actions: [
        {
          trigger_type: 'on_jobs_ready',
          action_type: 'schedule_nodes',
          job_ids: [1],
          action_config: { scheduler_type: 'slurm', scheduler_id: 10, num_allocations: 2 },
        },
        {
          trigger_type: 'on_jobs_ready',
          action_type: 'schedule_nodes',
          job_ids: [2, 3],
          action_config: { scheduler_type: 'local', scheduler_id: 0 },
        },
        {
          trigger_type: 'on_jobs_complete',
          action_type: 'run_commands',
          job_ids: [4],
          action_config: { commands: ['x'] },
        },
      ],
      slurmSchedulers: [{ id: 10, name: 'prep_sched' }],
    })
    expect(plan).toMatchObject({
      source: 'database',
      workflow_id: 7,
      workflow_name: 'wf',
      total_events: 3,
      total_jobs: 4,
    })
    expect(ids(plan.events)).toEqual(['start', 'after_prep', 'after_work_jobs'])
    expect(plan.events[0]?.scheduler_allocations).toEqual([
      { scheduler: 'prep_sched', scheduler_type: 'slurm', num_allocations: 2, jobs: ['prep'] },
    ])
    expect(plan.events[1]?.scheduler_allocations).toEqual([
      { scheduler: 'local_scheduler', scheduler_type: 'local', num_allocations: 1, jobs: ['work_1', 'work_2'] },
    ])
  })

  it('falls back to file producers only when no job has explicit dependencies', () => {
    const byFiles: PlanJob[] = [
      { id: 1, name: 'a', output_file_ids: [100] },
      { id: 2, name: 'b', input_file_ids: [100], output_file_ids: [200] },
    ]
    expect(
      ids(planExecutionFromDatabase({ workflow: { id: 1, name: 'w' }, jobs: byFiles, actions: [] }).events)
    ).toEqual(['start', 'after_a'])
    // torc keeps only the last producer of a file id; here that is b itself, so b looks like a root.
    const rewrites: PlanJob[] = [
      byFiles[0] as PlanJob,
      { id: 2, name: 'b', input_file_ids: [100], output_file_ids: [100] },
    ]
    expect(
      ids(planExecutionFromDatabase({ workflow: { id: 1, name: 'w' }, jobs: rewrites, actions: [] }).events)
    ).toEqual(['start'])
    const mixed = [...byFiles, { id: 3, name: 'c', depends_on_job_ids: [1] }]
    const plan = planExecutionFromDatabase({ workflow: { id: 1, name: 'w' }, jobs: mixed, actions: [] })
    expect(plan.events[0]?.jobs_becoming_ready).toEqual(['a', 'b'])
  })

  it('requires scheduler_type in schedule_nodes configs', () => {
    expect(() =>
      planExecutionFromDatabase({
        workflow: { name: 'w' },
        jobs,
        actions: [{ trigger_type: 'on_workflow_start', action_type: 'schedule_nodes', action_config: {} }],
      })
    ).toThrow('Action config missing scheduler_type')
  })
})
