/** The specs of the AI-assisted workflow tutorial's prompts, shared by the unit and parity tests. */

/** Tutorial prompt 1: preprocess, 10 indexed work jobs at 10 CPU / 20 GB, postprocess. */
export const FAN_OUT_FAN_IN = {
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
export const FILE_PIPELINE = {
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
