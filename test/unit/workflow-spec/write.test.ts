import { describe, expect, it } from 'vitest'
import { parseSpec, parseSpecValue, specFileName, writeSpec } from '../../../src/workflow-spec/index.ts'

/** Absent, undefined and `[]` mean the same to torc. */
const normal = (value: unknown) =>
  JSON.parse(JSON.stringify(value), (_, v: unknown) => (Array.isArray(v) && v.length === 0 ? undefined : v))

describe('writeSpec', () => {
  it('names files after the workflow, safely', () => {
    expect(specFileName('my workflow/v2', 'yaml')).toBe('my_workflow_v2.yaml')
    expect(specFileName('../../etc/passwd', 'json')).toBe('etc_passwd.json')
    expect(specFileName('...', 'kdl')).toBe('workflow.kdl')
    expect(specFileName('a'.repeat(300), 'json5')).toBe(`${'a'.repeat(100)}.json5`)
  })

  it('writes KDL that reads back as the same spec, and says what KDL cannot hold', () => {
    const spec = parseSpecValue({
      name: 'kdl "quoted"\nname',
      description: 'a\\b',
      parameters: { n: '1:3' },
      env: { MODE: 'fast' },
      jobs: [
        {
          name: 'j_{n}',
          command: 'echo "${files.input.in}" \\d',
          use_parameters: ['n'],
          labels: ['gpu', 'x'],
          stdio: { mode: 'combined' },
        },
        {
          name: 'post',
          command: 'echo',
          depends_on_regexes: ['^j_\\d$'],
          cancel_on_blocking_job_failure: false,
          supports_termination: true,
        },
      ],
      files: [{ name: 'in', path: '/data/in.csv', identifier: 'urn:in' }],
      user_data: [{ name: 'cfg', data: { a: [1, 'two'] }, is_ephemeral: true }, { data: 3 }],
      resource_requirements: [{ name: 'r', num_cpus: 2, num_gpus: 1, memory: '4g', runtime: 'PT5M' }],
      failure_handlers: [
        {
          name: 'fh',
          rules: [
            { exit_codes: [1, -2], max_retries: 2 },
            { match_all_exit_codes: true, recovery_script: 'fix.sh' },
          ],
        },
      ],
      slurm_schedulers: [
        { name: 's', account: 'acct', nodes: 2, walltime: '02:00:00', extra: '--exclusive' },
        { account: 'anon' },
      ],
      actions: [
        {
          trigger_type: 'on_jobs_ready',
          action_type: 'schedule_nodes',
          jobs: ['post'],
          scheduler: 's',
          scheduler_type: 'slurm',
          num_allocations: 2,
        },
        {
          trigger_type: 'on_workflow_start',
          action_type: 'run_commands',
          commands: ['echo a', 'echo b'],
          job_name_regexes: ['^j_'],
        },
      ],
      resource_monitor: { enabled: true, granularity: 'time_series', jobs: { enabled: true } },
      slurm_defaults: { qos: 'high', 'cpus-per-task': 4, exclusive: true },
      execution_config: { mode: 'slurm', limit_resources: false, stdio: { mode: 'separate', delete_on_success: true } },
      compute_node_wait_for_new_jobs_seconds: 30,
      use_pending_failed: true,
    })
    const kdl = writeSpec(spec, 'kdl')
    expect(kdl).toMatchObject({ format: 'kdl', media_type: 'application/kdl', file_name: 'kdl_quoted_name.kdl' })
    expect(kdl.note).toBeUndefined()
    expect(normal(parseSpec(kdl.text, 'kdl', { kdlAliases: false }))).toEqual(normal(spec))

    const lossy = writeSpec(
      parseSpecValue({ ...spec, jobs: [{ name: 'a', command: 'x', priority: 2, input_file_regexes: ['^in$'] }] }),
      'kdl'
    )
    expect(lossy).toMatchObject({
      format: 'yaml',
      file_name: 'kdl_quoted_name.yaml',
      note: 'written as YAML: KDL cannot express jobs[0].input_file_regexes, jobs[0].priority',
    })
  })
})
