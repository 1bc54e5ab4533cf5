import { z } from 'zod'

/**
 * The workflow-spec data model of torc 1.0.0 (`src/client/workflow_spec.rs`, `src/models.rs`) as zod
 * schemas. Serde rules reproduced: unknown keys are rejected (except in `resource_monitor`, which
 * ignores them), `null` counts as absent for optional fields, defaulted non-optional fields take the
 * default only when the key is missing, and integers are strict. JavaScript cannot tell `4.0` from
 * `4`, so a float-looking whole number passes where Rust would reject it (documented deviation).
 *
 * 1.0.0 differs from the 0.1x docs here: `FileSpec.st_mtime` is a real field (so the MCP tool's
 * advice to send it now parses), `jobs_sort_method` is gone, and there are new fields (`variables`,
 * `env`, `parameters_file`, `labels`, `priority`, `stdio`, `execution_config`, `identifier`, ...).
 */
const opt = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((v) => v ?? undefined)
    .optional()

const i64 = z.int()
const i32 = z.int32()
const str = z.string()
const bool = z.boolean()
const strList = z.array(z.string())
const strMap = z.record(z.string(), z.string())

/** Parameter maps accept strings or native sequences; non-strings become their JSON text. */
const paramMap = z
  .record(z.string(), z.unknown())
  .transform((map) =>
    Object.fromEntries(Object.entries(map).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
  )

const granularity = z.enum(['summary', 'time_series'])
export const StdioConfigSchema = z.strictObject({
  mode: z.enum(['separate', 'combined', 'no_stdout', 'no_stderr', 'none']).default('separate'),
  delete_on_success: opt(bool),
})

export const JobSpecSchema = z.strictObject({
  name: str,
  command: str,
  invocation_script: opt(str),
  env: opt(strMap),
  cancel_on_blocking_job_failure: opt(bool),
  supports_termination: opt(bool),
  resource_requirements: opt(str),
  failure_handler: opt(str),
  depends_on: opt(strList),
  depends_on_regexes: opt(strList),
  input_files: opt(strList),
  input_file_regexes: opt(strList),
  output_files: opt(strList),
  output_file_regexes: opt(strList),
  input_user_data: opt(strList),
  input_user_data_regexes: opt(strList),
  output_user_data: opt(strList),
  output_user_data_regexes: opt(strList),
  scheduler: opt(str),
  parameters: opt(paramMap),
  parameter_mode: opt(str),
  use_parameters: opt(strList),
  parameters_file: opt(str),
  use_parameters_file: opt(bool),
  stdio: opt(StdioConfigSchema),
  priority: opt(i64),
  labels: opt(strList),
})

export const FileSpecSchema = z.strictObject({
  name: str,
  path: str,
  identifier: opt(str),
  st_mtime: opt(z.number()),
  parameters: opt(paramMap),
  parameter_mode: opt(str),
  use_parameters: opt(strList),
  parameters_file: opt(str),
  use_parameters_file: opt(bool),
})

export const UserDataSpecSchema = z.strictObject({
  is_ephemeral: opt(bool),
  name: opt(str),
  data: opt(z.unknown()),
  parameters: opt(paramMap),
  parameter_mode: opt(str),
  use_parameters: opt(strList),
  parameters_file: opt(str),
  use_parameters_file: opt(bool),
})

export const ResourceRequirementsSpecSchema = z.strictObject({
  name: str,
  num_cpus: i64,
  num_gpus: i64.default(0),
  num_nodes: i64.default(1),
  memory: str,
  runtime: str.default('PT1H'),
})

export const FailureHandlerRuleSpecSchema = z.strictObject({
  exit_codes: z.array(i32).default([]),
  match_all_exit_codes: bool.default(false),
  recovery_script: opt(str),
  max_retries: i32.default(3),
})

export const FailureHandlerSpecSchema = z.strictObject({ name: str, rules: z.array(FailureHandlerRuleSpecSchema) })

export const SlurmSchedulerSpecSchema = z.strictObject({
  name: opt(str),
  account: str,
  gres: opt(str),
  mem: opt(str),
  nodes: i64.default(1),
  ntasks_per_node: opt(i64),
  partition: opt(str),
  qos: opt(str),
  tmp: opt(str),
  walltime: str.default('01:00:00'),
  extra: opt(str),
  serialize_allocations: opt(bool),
})

export const WorkflowActionSpecSchema = z.strictObject({
  trigger_type: str,
  action_type: str,
  jobs: opt(strList),
  job_name_regexes: opt(strList),
  commands: opt(strList),
  scheduler: opt(str),
  scheduler_type: opt(str),
  num_allocations: opt(i64),
  start_one_worker_per_node: opt(bool),
  max_parallel_jobs: opt(i32),
  persistent: opt(bool),
})

/** `resource_monitor` ignores unknown keys and defaults every field (serde `default`). */
export const ResourceMonitorConfigSchema = z.object({
  enabled: bool.default(false),
  granularity: granularity.default('summary'),
  sample_interval_seconds: i32.default(10),
  flush_interval_seconds: i32.default(300),
  generate_plots: bool.default(false),
  jobs: opt(z.object({ enabled: bool.default(false), granularity: granularity.default('summary') })),
  compute_node: opt(
    z.object({
      enabled: bool.default(false),
      granularity: granularity.default('summary'),
      cpu: bool.default(true),
      memory: bool.default(true),
    })
  ),
})

export const ExecutionConfigSchema = z.strictObject({
  mode: z.enum(['direct', 'slurm', 'auto']).default('direct'),
  sigkill_headroom_seconds: opt(i64),
  timeout_exit_code: opt(i32),
  staggered_start: opt(bool),
  limit_resources: opt(bool),
  termination_signal: opt(str),
  sigterm_lead_seconds: opt(i64),
  oom_exit_code: opt(i32),
  srun_termination_signal: opt(str),
  srun_mpi: opt(str),
  enable_cpu_bind: opt(bool),
  stdio: opt(StdioConfigSchema),
  job_stdio_overrides: opt(z.record(z.string(), StdioConfigSchema)),
})

export const WorkflowSpecSchema = z.strictObject({
  name: str,
  user: opt(str),
  description: opt(str),
  parameters: opt(paramMap),
  parameters_file: opt(str),
  variables: opt(strMap),
  env: opt(strMap),
  compute_node_expiration_buffer_seconds: opt(i64),
  compute_node_wait_for_new_jobs_seconds: opt(i64),
  compute_node_ignore_workflow_completion: opt(bool),
  compute_node_wait_for_healthy_database_minutes: opt(i64),
  jobs: z.array(JobSpecSchema),
  files: opt(z.array(FileSpecSchema)),
  user_data: opt(z.array(UserDataSpecSchema)),
  resource_requirements: opt(z.array(ResourceRequirementsSpecSchema)),
  failure_handlers: opt(z.array(FailureHandlerSpecSchema)),
  slurm_schedulers: opt(z.array(SlurmSchedulerSpecSchema)),
  slurm_defaults: opt(z.record(z.string(), z.unknown())),
  resource_monitor: opt(ResourceMonitorConfigSchema),
  actions: opt(z.array(WorkflowActionSpecSchema)),
  dynamic_jobs: opt(z.strictObject({ max_iterations: opt(i64) })),
  use_pending_failed: opt(bool),
  enable_ro_crate: opt(bool),
  project: opt(str),
  metadata: opt(z.record(z.string(), z.unknown())),
  execution_config: opt(ExecutionConfigSchema),
  access_groups: opt(strList),
})

export type WorkflowSpec = z.output<typeof WorkflowSpecSchema>
export type JobSpec = z.output<typeof JobSpecSchema>
export type FileSpec = z.output<typeof FileSpecSchema>
export type UserDataSpec = z.output<typeof UserDataSpecSchema>
export type ResourceRequirementsSpec = z.output<typeof ResourceRequirementsSpecSchema>
export type FailureHandlerSpec = z.output<typeof FailureHandlerSpecSchema>
export type FailureHandlerRuleSpec = z.output<typeof FailureHandlerRuleSpecSchema>
export type SlurmSchedulerSpec = z.output<typeof SlurmSchedulerSpecSchema>
export type WorkflowActionSpec = z.output<typeof WorkflowActionSpecSchema>
export type ResourceMonitorConfig = z.output<typeof ResourceMonitorConfigSchema>
export type ExecutionConfig = z.output<typeof ExecutionConfigSchema>
export type StdioConfig = z.output<typeof StdioConfigSchema>

/** Allowed keys per object kind, for "unknown field" hints. */
export const KNOWN_FIELDS: Record<string, readonly string[]> = {
  workflow: Object.keys(WorkflowSpecSchema.shape),
  jobs: Object.keys(JobSpecSchema.shape),
  files: Object.keys(FileSpecSchema.shape),
  user_data: Object.keys(UserDataSpecSchema.shape),
  resource_requirements: Object.keys(ResourceRequirementsSpecSchema.shape),
  failure_handlers: Object.keys(FailureHandlerSpecSchema.shape),
  rules: Object.keys(FailureHandlerRuleSpecSchema.shape),
  slurm_schedulers: Object.keys(SlurmSchedulerSpecSchema.shape),
  actions: Object.keys(WorkflowActionSpecSchema.shape),
  execution_config: Object.keys(ExecutionConfigSchema.shape),
  stdio: Object.keys(StdioConfigSchema.shape),
  job_stdio_overrides: Object.keys(StdioConfigSchema.shape),
  dynamic_jobs: ['max_iterations'],
}
