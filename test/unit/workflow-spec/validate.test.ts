import { describe, expect, it } from 'vitest'
import { parseSpecValue, validateSpec, type WorkflowSpec } from '../../../src/workflow-spec/index.ts'

const validate = (value: unknown) => validateSpec(parseSpecValue(value))
const base = (extra: Record<string, unknown> = {}, jobs: unknown[] = [{ name: 'a', command: 'x' }]) => ({
  name: 'w',
  jobs,
  ...extra,
})

describe('validateSpec: parse failures', () => {
  it('returns the 1.0.0 shape with an all-empty summary and line/column in the message', () => {
    const result = validateSpec('{\n  "name": "w",\n  "jobs": [\n}', { format: 'json' })
    expect(result.valid).toBe(false)
    expect(result.errors).toHaveLength(1)
    expect(result.errors[0]).toMatch(/^Failed to parse specification file: invalid JSON: .*\(line 4, column 1\)$/)
    expect(result.summary).toMatchObject({ workflow_name: '', workflow_description: null, job_count: 0, job_names: [] })
  })

  it('reports a spec without jobs', () => {
    expect(validateSpec('name: w\n', { format: 'yaml' }).errors).toEqual([
      'Failed to parse specification file: jobs: missing field',
    ])
  })
})

describe('validateSpec: references, duplicates and cycles', () => {
  it('reports dangling references, in 1.0.0 wording and order', () => {
    const result = validate(
      base({ files: [{ name: 'f', path: '/f' }], resource_requirements: [{ name: 'r', num_cpus: 1, memory: '1g' }] }, [
        {
          name: 'a',
          command: 'x',
          depends_on: ['ghost'],
          resource_requirements: 'big',
          scheduler: 'nowhere',
          input_files: ['f', 'missing'],
          output_user_data: ['nothing'],
        },
      ])
    )
    expect(result.errors).toEqual([
      "Job 'a' depends_on non-existent job 'ghost'",
      "Job 'a' references non-existent resource_requirements 'big'",
      "Job 'a' references non-existent scheduler 'nowhere'",
      "Job 'a' input_files references non-existent file 'missing'",
      "Job 'a' output_user_data references non-existent user_data 'nothing'",
    ])
  })

  it('checks regexes: syntax (Rust dialect), matches, and fan-in over files', () => {
    const result = validate(
      base({ files: [{ name: 'out_1', path: '/o1' }] }, [
        { name: 'a', command: 'x', depends_on_regexes: ['^zzz$', '(?=a)', '^b'] },
        { name: 'b', command: 'x', input_file_regexes: ['^out_\\d+$', '^nope$'], output_file_regexes: ['(unclosed'] },
      ])
    )
    expect(result.errors).toEqual([
      "Job 'a' depends_on_regexes '^zzz$' did not match any jobs",
      "Job 'a' has invalid depends_on_regexes '(?=a)': regex parse error:\n    (?=a)\n    ^^^\nerror: look-around, including look-ahead and look-behind, is not supported",
      "Input file regex '^nope$' did not match any names for job 'b'",
      "Job 'b' has invalid output_file_regexes '(unclosed': regex parse error:\n    (unclosed\n    ^\nerror: unclosed group",
    ])
  })

  it('reports duplicates after expansion, once as 1.0.0 prose and once per repeat', () => {
    const result = validate(base({}, [{ name: 'agg', command: 'x {i}', parameters: { i: '1:3' } }]))
    expect(result.errors[0]).toMatch(/^Validation error: Duplicate job name 'agg' after parameter expansion/)
    expect(result.errors.slice(1)).toEqual(["Duplicate job name: 'agg'", "Duplicate job name: 'agg'"])
    expect(result.summary.job_names).toEqual(['agg', 'agg', 'agg'])
  })

  it('detects cycles, listing every job that can never run in spec order', () => {
    const result = validate(
      base({}, [
        { name: 'ok', command: 'x' },
        { name: 'a', command: 'x', depends_on: ['b'] },
        { name: 'b', command: 'x', depends_on: ['a'] },
        { name: 'after', command: 'x', depends_on: ['b', 'ok'] },
        { name: 'self', command: 'x', depends_on_regexes: ['^se'] },
      ])
    )
    expect(result.errors).toEqual(["Circular dependency detected involving jobs: 'a', 'b', 'after', 'self'"])
  })

  it('validates actions like 1.0.0 (trigger types, gating, scheduler references)', () => {
    const bad = (action: Record<string, unknown>) => validate(base({ actions: [action] })).errors
    expect(bad({ trigger_type: 'on_ready_jobs', action_type: 'run_commands', commands: ['x'] })[0]).toMatch(
      /^Action validation failed: action has unknown trigger_type 'on_ready_jobs'/
    )
    expect(bad({ trigger_type: 'on_jobs_ready', action_type: 'run_commands', commands: ['x'] })[0]).toMatch(
      /must specify at least one job/
    )
    expect(
      bad({ trigger_type: 'on_workflow_start', action_type: 'schedule_nodes', scheduler: 's', scheduler_type: 'slurm' })
    ).toEqual([
      'Action validation failed: schedule_nodes action with ' +
        'scheduler_type=slurm requires slurm_schedulers to be defined',
      "Action #1 (schedule_nodes) references non-existent slurm scheduler 's'",
    ])
    expect(
      bad({ trigger_type: 'on_jobs_complete', action_type: 'run_commands', jobs: ['ghost'], commands: ['x'] })
    ).toEqual(["Action #1 (run_commands) references non-existent job 'ghost'"])
  })

  it('checks scheduler resources and multi-node schedulers (errors in 1.0.0)', () => {
    const result = validate({
      name: 'w',
      resource_requirements: [{ name: 'big', num_cpus: 8, memory: '100g', runtime: 'PT5H', num_nodes: 2 }],
      slurm_schedulers: [{ name: 's', account: 'a', mem: '64g', walltime: '04:00:00', nodes: 4 }],
      actions: [
        { trigger_type: 'on_workflow_start', action_type: 'schedule_nodes', scheduler: 's', scheduler_type: 'slurm' },
      ],
      jobs: [{ name: 'j', command: 'x', resource_requirements: 'big', scheduler: 's' }],
    })
    expect(result.errors).toEqual([
      "Scheduler node validation failed:\n  - Scheduler 's' allocates 4 nodes but jobs (j) request a different multi-node count in their resource requirements. Set num_nodes=4 on job resource requirements to match the scheduler, or use num_nodes=1 for single-node jobs.",
      "Job 'j': runtime 'PT5H' (18000 s) exceeds scheduler 's' walltime '04:00:00' (14400 s)",
      "Job 'j': memory '100g' exceeds scheduler 's' mem '64g'",
    ])
  })

  it('rejects excluded slurm_defaults, bad env names and labelled jobs with a scheduler', () => {
    const result = validate({
      name: 'w',
      slurm_defaults: { account: 'ok', Partition: 'x', 'job-name': 'y' },
      env: { '1BAD': 'x' },
      slurm_schedulers: [{ name: 's', account: 'a' }],
      jobs: [{ name: 'j', command: 'x', labels: ['gpu'], scheduler: 's' }],
    })
    expect(result.errors).toEqual([
      "Environment validation failed: invalid environment variable name '1BAD'; expected [A-Za-z_][A-Za-z0-9_]*",
      `Validation error: Job 'j' sets both labels ["gpu"] and scheduler 's'; ` +
        `runners for a scheduler are unlabeled and never claim labeled jobs`,
      'slurm_defaults contains excluded parameters managed by torc: ' +
        'Partition, job-name. These cannot be set as defaults.',
    ])
  })
})

describe('validateSpec: summary and creation warnings', () => {
  it('fills every summary field', () => {
    const spec: WorkflowSpec = parseSpecValue({
      name: 'w',
      description: 'd',
      user_data: [{ data: 1 }, { name: 'u', data: 2 }],
      slurm_schedulers: [{ account: 'a' }, { name: 's', account: 'a' }],
      actions: [
        {
          trigger_type: 'on_jobs_ready',
          action_type: 'schedule_nodes',
          jobs: ['j_1'],
          scheduler: 's',
          scheduler_type: 'slurm',
        },
      ],
      files: [{ name: 'f_{i}', path: '/f{i}', parameters: { i: '1:2' } }],
      jobs: [{ name: 'j_{i}', command: 'x', parameters: { i: '1:2' } }],
    })
    expect(validateSpec(spec)).toEqual({
      valid: true,
      errors: [],
      warnings: [],
      summary: {
        workflow_name: 'w',
        workflow_description: 'd',
        job_count: 2,
        job_count_before_expansion: 1,
        file_count: 2,
        file_count_before_expansion: 1,
        user_data_count: 2,
        resource_requirements_count: 0,
        slurm_scheduler_count: 2,
        action_count: 1,
        has_schedule_nodes_action: true,
        job_names: ['j_1', 'j_2'],
        scheduler_names: ['s'],
      },
    })
  })

  it('warns about what 1.0.0 validation passes but creation rejects', () => {
    const result = validate({
      name: 'w',
      resource_requirements: [{ name: 'default', num_cpus: 1, memory: '1.5g', runtime: 'one hour' }],
      actions: [
        { trigger_type: 'on_workflow_start', action_type: 'email', commands: ['x'] },
        { trigger_type: 'on_workflow_start', action_type: 'run_commands' },
      ],
      jobs: [{ name: 'j', command: 'x', failure_handler: 'retry', priority: -1 }],
    })
    expect(result.valid).toBe(true)
    expect(result.warnings).toEqual([
      "Creation would fail: Cannot create resource requirement named 'default' via external API",
      "Creation would fail: Invalid memory format '1.5g': Invalid number in memory string: 1.5",
      "Creation would fail: Invalid runtime format 'one hour': Invalid " +
        'ISO 8601 duration format: Failed to parse duration: one hour',
      "Creation would fail: Failure handler 'retry' not found for job 'j'",
      "Creation would fail: priority must be >= 0, got -1 for job 'j'",
      'Creation would fail: Unknown action_type: email',
      "Creation would fail: run_commands action requires 'commands' field",
    ])
    expect(
      validateSpec(parseSpecValue({ name: 'w', jobs: [{ name: 'j', command: 'x', failure_handler: 'f' }] }), {
        creationChecks: false,
      }).warnings
    ).toEqual([])
  })
})
