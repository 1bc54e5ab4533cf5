/** A small spec that uses every record kind, shared by the unit and parity creation tests. */
export const SMALL = {
  name: 'small',
  user: 'ignored',
  files: [
    { name: 'in', path: '/in' },
    { name: 'out_{i}', path: '/out/{i}', parameters: { i: '1:3' } },
  ],
  user_data: [{ name: 'cfg', data: { a: 1 } }, { data: 'unnamed is skipped' }],
  resource_requirements: [{ name: 'r', num_cpus: 2, memory: '4g' }],
  slurm_schedulers: [{ name: 's', account: 'acct' }, { account: 'skipped' }],
  failure_handlers: [
    { name: 'retry', rules: [{ exit_codes: [1, 2] }, { match_all_exit_codes: true, max_retries: 1 }] },
  ],
  actions: [
    {
      trigger_type: 'on_jobs_ready',
      action_type: 'schedule_nodes',
      job_name_regexes: ['^w_'],
      scheduler: 's',
      scheduler_type: 'slurm',
    },
    { trigger_type: 'on_workflow_complete', action_type: 'run_commands', commands: ['echo done'] },
  ],
  jobs: [
    { name: 'prep', command: 'p ${files.input.in}', resource_requirements: 'r', scheduler: 's' },
    {
      name: 'w_{i}',
      command: 'w > ${files.output.out_{i}}',
      parameters: { i: '1:3' },
      depends_on: ['prep'],
      failure_handler: 'retry',
      priority: 5,
    },
    {
      name: 'post',
      command: 'q',
      input_file_regexes: ['^out_\\d$'],
      depends_on_regexes: ['^w_'],
      cancel_on_blocking_job_failure: false,
    },
  ],
}
