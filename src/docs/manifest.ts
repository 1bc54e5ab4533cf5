/**
 * What the pinned torc release's MCP server offers as documentation and examples: topic names and
 * the file each maps to, the examples it lists, and the example files it can serve. Only names and
 * paths (facts of the release, checked against its source by test/parity/rust-docs-manifest.test.ts);
 * the text itself is fetched at run time from TORC_DOCS_URL, and the descriptions are torc-edge's own.
 */

export interface DocTopic {
  /** The topic name get_docs and torc://docs/{topic} take. */
  topic: string
  /** The file, relative to the release's root. */
  path: string
  description: string
}

const topic = (name: string, file: string, description: string): DocTopic => ({
  topic: name,
  path: `docs/src/${file}`,
  description,
})

/** Every topic, in the order the Rust server lists them. */
export const DOC_TOPICS: readonly DocTopic[] = [
  topic('workflow-spec', 'core/reference/workflow-spec.md', 'Every field of a workflow spec, with types and defaults'),
  topic('dependencies', 'core/concepts/dependencies.md', 'How jobs wait on each other: explicit, file and user_data'),
  topic(
    'parameterization',
    'core/reference/parameterization.md',
    'Parameter ranges and lists that expand one job into many'
  ),
  topic('slurm', 'specialized/hpc/slurm.md', 'Running on Slurm: schedulers, accounts, partitions, allocations'),
  topic('job-states', 'core/concepts/job-states.md', 'The statuses a job passes through and what moves it on'),
  topic('actions', 'specialized/design/workflow-actions.md', 'Commands and allocations triggered by workflow events'),
  topic('failure-handlers', 'specialized/fault-tolerance/failure-handlers.md', 'Retry rules keyed on exit codes'),
  topic('recovery', 'specialized/fault-tolerance/automatic-recovery.md', 'Recovering from OOM kills and timeouts'),
  topic('ai-recovery', 'specialized/fault-tolerance/ai-assisted-recovery.md', 'Classifying pending_failed jobs'),
  topic('resource-monitoring', 'core/reference/resource-monitoring.md', 'Measuring CPU and memory of running jobs'),
  topic('cli', 'core/reference/cli.md', 'The torc command line, command by command (long: read it in parts)'),
  topic('cli-cheatsheet', 'core/reference/cli-cheatsheet.md', 'The most used torc commands on one page'),
  topic('quick-start', 'getting-started/quick-start.md', 'Where to begin: local or HPC'),
  topic('quick-start-local', 'getting-started/quick-start-local.md', 'First workflow on one machine'),
  topic('quick-start-hpc', 'getting-started/quick-start-hpc.md', 'First workflow on a Slurm cluster'),
  topic('architecture', 'core/concepts/architecture.md', 'Server, clients and job runners, and how they talk'),
  topic('checkpointing', 'specialized/fault-tolerance/checkpointing.md', 'Ending jobs cleanly on SIGTERM and resuming'),
  topic('hpc-profiles', 'specialized/hpc/hpc-profiles.md', 'Cluster profiles: partitions and limits torc knows'),
  topic('hpc-profiles-reference', 'specialized/hpc/hpc-profiles-reference.md', 'HPC profile fields and commands'),
  topic('workflow-formats', 'core/workflows/workflow-formats.md', 'Writing specs in YAML, JSON, JSON5 or KDL'),
  topic('workflow-definition', 'core/concepts/workflow-definition.md', 'What a workflow is made of'),
  topic('parallelization', 'core/concepts/parallelization.md', 'Ways to run many jobs at once'),
  topic('job-runners', 'core/concepts/job-runners.md', 'The processes that claim and run jobs'),
  topic('intelligent-restart', 'core/concepts/intelligent-restart.md', 'Rerunning only jobs whose inputs changed'),
  topic('resources', 'core/reference/resources.md', 'CPU, memory, GPU, node and runtime requirements'),
  topic('configuration', 'core/reference/configuration.md', 'Configuration files and settings'),
  topic(
    'environment-variables',
    'core/reference/environment-variables.md',
    'Environment variables torc reads and sets'
  ),
  topic('debug-failed-job', 'core/how-to/debug-failed-job.md', 'Steps to find why a job failed'),
  topic('rerun-failed-jobs', 'core/how-to/rerun-failed-jobs.md', 'Steps to run failed jobs again'),
  topic('cancel-workflow', 'core/how-to/cancel-workflow.md', 'Steps to stop a workflow'),
  topic('slurm-workflows', 'specialized/hpc/slurm-workflows.md', 'Patterns for workflows that run under Slurm'),
  topic('allocation-strategies', 'specialized/hpc/allocation-strategies.md', 'One big allocation or many small ones'),
  topic('tutorials', 'core/tutorials/index.md', 'The tutorials there are (tutorial-* topics)'),
  topic('tutorial-diamond', 'core/tutorials/diamond.md', 'Tutorial: fan-out and fan-in'),
  topic('tutorial-simple-params', 'core/tutorials/simple-params.md', 'Tutorial: a first parameter sweep'),
  topic('tutorial-advanced-params', 'core/tutorials/advanced-params.md', 'Tutorial: multi-dimensional sweeps'),
  topic('tutorial-many-jobs', 'core/tutorials/many-jobs.md', 'Tutorial: a workflow of many jobs'),
  topic('tutorial-user-data', 'core/tutorials/user-data.md', 'Tutorial: passing data through user_data'),
  topic('tutorial-multi-stage', 'core/tutorials/multi-stage-barrier.md', 'Tutorial: stages joined by barrier jobs'),
]

export interface ListedExample {
  name: string
  description: string
}

/** The examples list_examples offers, in the Rust server's order. */
export const LISTED_EXAMPLES: readonly ListedExample[] = [
  { name: 'sample_workflow', description: 'Files, user_data, resources, jobs and Slurm schedulers together' },
  { name: 'diamond_workflow', description: 'One job fans out to two, which fan back in, linked by files' },
  { name: 'hundred_jobs_parameterized', description: 'A hundred independent jobs from one parameterized job' },
  { name: 'data_pipeline_parameterized', description: 'Per-dataset stages swept by parameter, then aggregated' },
  { name: 'hyperparameter_sweep', description: 'Grid search over learning rate, batch size and optimizer' },
  { name: 'hyperparameter_sweep_shared_params', description: 'The same grid, with parameters defined once' },
  { name: 'simulation_sweep', description: 'A scientific simulation run across parameter values' },
  { name: 'multi_stage_barrier_pattern', description: 'Large stages separated by barrier jobs' },
  { name: 'workflow_actions_simple', description: 'Commands run when the workflow starts and completes' },
  { name: 'workflow_actions_simple_slurm', description: 'Slurm nodes requested stage by stage by actions' },
  { name: 'workflow_actions_data_pipeline', description: 'A pipeline whose actions manage its resources' },
  { name: 'workflow_actions_ml_training', description: 'GPU nodes requested as training jobs become ready' },
  { name: 'slurm_staged_pipeline', description: 'Slurm stages scheduled automatically, with monitoring' },
  { name: 'resource_monitoring_demo', description: 'CPU and memory sampled over time while jobs run' },
  { name: 'failure_handler_simulation', description: 'Failure handlers retrying on chosen exit codes' },
  { name: 'failure_handler_demo', description: 'A short failure handler with retries' },
  { name: 'simple_retry', description: 'The smallest job that retries after failing' },
  { name: 'zip_parameter_mode', description: 'Parameters paired element by element, not crossed' },
]

/** Every spec file under examples/ that get_example can serve (by subfolder), as in the release. */
export const EXAMPLE_FILES: Readonly<Record<ExampleFolder, readonly string[]>> = {
  yaml: [
    'chained_allocations.yaml',
    'data_pipeline_parameterized.yaml',
    'diamond_workflow.yaml',
    'direct_mode_checkpointing.yaml',
    'dynamic_orchestrator_local.yaml',
    'dynamic_orchestrator_slurm.yaml',
    'failure_handler_demo.yaml',
    'failure_handler_simulation.yaml',
    'fan_in_with_regexes.yaml',
    'hundred_jobs_parameterized.yaml',
    'hyperparameter_sweep.yaml',
    'hyperparameter_sweep_shared_params.yaml',
    'labeled_jobs.yaml',
    'multi_node_slurm.yaml',
    'multi_stage_barrier_pattern.yaml',
    'parameterized_from_csv.yaml',
    'parameterized_from_json.yaml',
    'parameterized_shared_table.yaml',
    'parameterized_user_data.yaml',
    'priority_workflow.yaml',
    'resource_monitoring_demo.yaml',
    'ro_crate_provenance.yaml',
    'sample_workflow.yaml',
    'simple_retry.yaml',
    'simulation_sweep.yaml',
    'single_allocation_mpi_stages.yaml',
    'slurm_staged_pipeline.yaml',
    'stdio_configuration.yaml',
    'variables_demo.yaml',
    'workflow_actions_data_pipeline.yaml',
    'workflow_actions_ml_training.yaml',
    'workflow_actions_multi_class_slurm.yaml',
    'workflow_actions_simple.yaml',
    'workflow_actions_simple_slurm.yaml',
    'zip_parameter_mode.yaml',
  ],
  json: [
    'data_pipeline_parameterized.json5',
    'diamond_workflow.json5',
    'failure_handler_simulation.json',
    'hundred_jobs_parameterized.json5',
    'hundred_jobs_workflow.json5',
    'hyperparameter_sweep.json5',
    'hyperparameter_sweep_shared_params.json5',
    'multi_stage_barrier_pattern.json5',
    'resource_monitoring_demo.json5',
    'sample_workflow.json',
    'sample_workflow.json5',
    'simulation_sweep.json5',
    'slurm_staged_pipeline.json5',
    'variables_demo.json',
    'variables_demo.json5',
    'workflow_actions_data_pipeline.json5',
    'workflow_actions_ml_training.json5',
    'workflow_actions_simple.json5',
    'workflow_actions_simple_slurm.json5',
    'zip_parameter_mode.json5',
  ],
  kdl: [
    'diamond_workflow.kdl',
    'failure_handler_simulation.kdl',
    'hundred_jobs_parameterized.kdl',
    'hyperparameter_sweep.kdl',
    'hyperparameter_sweep_shared_params.kdl',
    'mixed_workload.kdl',
    'resource_monitoring_demo.kdl',
    'sample_workflow.kdl',
    'simple_slurm.kdl',
    'slurm_staged_pipeline.kdl',
    'variables_demo.kdl',
    'workflow_actions_data_pipeline.kdl',
    'workflow_actions_ml_training.kdl',
    'workflow_actions_simple.kdl',
    'workflow_actions_simple_slurm.kdl',
    'zip_parameter_mode.kdl',
  ],
  subgraphs: [
    'subgraphs_workflow.json5',
    'subgraphs_workflow.kdl',
    'subgraphs_workflow.yaml',
    'subgraphs_workflow_no_slurm.json5',
    'subgraphs_workflow_no_slurm.kdl',
    'subgraphs_workflow_no_slurm.yaml',
  ],
}

/** The folders get_example searches, in the Rust server's order. */
export const EXAMPLE_FOLDERS = ['yaml', 'json', 'kdl', 'subgraphs'] as const
export type ExampleFolder = (typeof EXAMPLE_FOLDERS)[number]
