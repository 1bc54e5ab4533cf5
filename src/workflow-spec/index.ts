/**
 * Torc 1.0.0 workflow specs, runtime-agnostic (no Node APIs; runs in Workers): parse JSON, JSON5,
 * YAML and KDL; expand parameters; validate like `torc create --dry-run`; plan execution like
 * `get_execution_plan`; plan the REST creation sequence; generate Slurm schedulers.
 */

export { durationToSeconds, memoryToBytes, parseMemoryMb, parseWalltimeSecs, secsToWalltime } from '../torc/units.ts'
export { CREATION_BUDGET, type CreationBudget } from './creation/budget.ts'
export { type CreationOptions, planCreation } from './creation/create.ts'
export {
  type CreatedWorkflow,
  CreationFailed,
  type CreationFailure,
  type CreationRun,
  createInTorc,
} from './creation/execute.ts'
export { INCOMPLETE_NAME, SWEEP_MIN_AGE_MS } from './creation/marker.ts'
export { buildRequest, newIdMaps, recordResponse, rollbackRequest } from './creation/requests.ts'
export { type SweepOptions, type SweepReport, sweepIncomplete, sweepSentence } from './creation/sweep.ts'
export type {
  ActionDraft,
  CreationPlan,
  CreationRequest,
  CreationStep,
  IdMaps,
  JobDraft,
  JobRefs,
} from './creation/types.ts'
export { formatIssue, SpecError, type SpecIssue } from './errors.ts'
export type { EventTrigger, ExecutionEvent, SchedulerAllocation } from './events.ts'
export { type ExpandOptions, expandSpec } from './expand.ts'
export { detectSpecFormat, formatFromFileName, type SpecFormat } from './formats.ts'
export type { PlanJob } from './graph.ts'
export {
  checkExpansionSize,
  EDGE_LIMITS,
  type ExpansionSize,
  expansionSize,
  formatsWithinLimits,
  parseWithinLimits,
  SpecLimitError,
} from './limits.ts'
export type {
  ExecutionConfig,
  FailureHandlerRuleSpec,
  FailureHandlerSpec,
  FileSpec,
  JobSpec,
  ResourceMonitorConfig,
  ResourceRequirementsSpec,
  SlurmSchedulerSpec,
  StdioConfig,
  UserDataSpec,
  WorkflowActionSpec,
  WorkflowSpec,
} from './model.ts'
export { WorkflowSpecSchema } from './model.ts'
export { type ParsedSpec, type ParseOptions, parseSpec, parseSpecDetailed, parseSpecValue } from './parse.ts'
export {
  type DatabaseExecutionPlan,
  type DatabaseWorkflow,
  type PlanOptions,
  planExecution,
  planExecutionFromDatabase,
  type SpecExecutionPlan,
} from './plan.ts'
export { type GenerateSlurmOptions, type GenerateSlurmResult, generateSlurm, resolveProfile } from './slurm/generate.ts'
export { findBestPartition, type HpcPartition, type HpcProfile, HpcProfileSchema } from './slurm/hpc.ts'
export { HPC_PROFILES } from './slurm/profiles.ts'
export type { GroupBy, PlannedScheduler, WalltimeStrategy } from './slurm/scheduler-plan.ts'
export { substituteVariables } from './substitute.ts'
export {
  type ValidateOptions,
  type ValidationResult,
  type ValidationSummary,
  validateSpec,
} from './validate.ts'
export type { FileReader } from './values.ts'
export { MEDIA_TYPES, type SpecFile, specFileName, writeSpec } from './write.ts'
