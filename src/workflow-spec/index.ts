/**
 * Torc 1.0.0 workflow specs, runtime-agnostic (no Node APIs; runs in Workers): parse JSON, JSON5,
 * YAML and KDL; expand parameters; validate like `torc create --dry-run`; plan execution like
 * `get_execution_plan`; plan the REST creation sequence; generate Slurm schedulers.
 */
export { SpecError, type SpecIssue, formatIssue } from './errors.ts'
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
export { type SpecFormat, detectSpecFormat, formatFromFileName } from './formats.ts'
export { type ParseOptions, type ParsedSpec, parseSpec, parseSpecDetailed, parseSpecValue } from './parse.ts'
export type { FileReader } from './values.ts'
export { type ExpandOptions, expandSpec } from './expand.ts'
export { substituteVariables } from './substitute.ts'
export {
  type ValidateOptions,
  type ValidationResult,
  type ValidationSummary,
  validateSpec,
} from './validate.ts'
export type { EventTrigger, ExecutionEvent, SchedulerAllocation } from './events.ts'
export type { PlanJob } from './graph.ts'
export {
  type DatabaseExecutionPlan,
  type DatabaseWorkflow,
  type PlanOptions,
  type SpecExecutionPlan,
  planExecution,
  planExecutionFromDatabase,
} from './plan.ts'
export { type CreationOptions, planCreation } from './creation/create.ts'
export type {
  ActionDraft,
  CreationPlan,
  CreationRequest,
  CreationStep,
  IdMaps,
  JobDraft,
  JobRefs,
} from './creation/types.ts'
export { buildRequest, newIdMaps, recordResponse, rollbackRequest } from './creation/requests.ts'
export { HPC_PROFILES, type HpcPartition, type HpcProfile, HpcProfileSchema, findBestPartition } from './slurm/hpc.ts'
export type { GroupBy, PlannedScheduler, WalltimeStrategy } from './slurm/scheduler-plan.ts'
export { type GenerateSlurmOptions, type GenerateSlurmResult, generateSlurm, resolveProfile } from './slurm/generate.ts'
export { type SpecFile, MEDIA_TYPES, specFileName, writeSpec } from './write.ts'
export {
  EDGE_LIMITS,
  type ExpansionSize,
  SpecLimitError,
  checkExpansionSize,
  expansionSize,
  formatsWithinLimits,
  parseWithinLimits,
} from './limits.ts'
export { durationToSeconds, memoryToBytes, parseMemoryMb, parseWalltimeSecs, secsToWalltime } from '../torc/units.ts'
