import type { components } from '../../torc/api.ts'

/**
 * Data types of the REST creation plan. Each step names its endpoint and carries the request body
 * with other records referenced by NAME; the executor turns names into ids with `buildRequest`
 * (using ids recorded from earlier responses by `recordResponse`). Bodies follow torc 1.0.0's
 * api/openapi.yaml (`src/torc/api.ts`); all paths are relative to `<server>/torc-service/v1`.
 */
export type Api = components['schemas']

/** Names that the executor resolves to server ids. */
export interface JobRefs {
  input_files: readonly string[]
  output_files: readonly string[]
  input_user_data: readonly string[]
  output_user_data: readonly string[]
  resource_requirements?: string
  scheduler?: string
  failure_handler?: string
  /** Dependency job names (explicit, then regex-matched), resolved against jobs created earlier. */
  depends_on: readonly string[]
}

/** A JobModel without ids; `refs` says what to look up. */
export interface JobDraft {
  body: Omit<
    Api['JobModel'],
    | 'workflow_id'
    | 'input_file_ids'
    | 'output_file_ids'
    | 'input_user_data_ids'
    | 'output_user_data_ids'
    | 'resource_requirements_id'
    | 'scheduler_id'
    | 'failure_handler_id'
    | 'depends_on_job_ids'
  >
  refs: JobRefs
}

export interface ActionDraft {
  trigger_type: string
  action_type: 'run_commands' | 'schedule_nodes'
  persistent: boolean
  /** Exact job names, then regex-matched names; undefined means `job_ids: null` (all jobs). */
  jobs?: { exact: string[]; matched: string[] }
  commands?: string[]
  schedule?: {
    scheduler_type: string
    scheduler: string
    num_allocations: number
    start_one_worker_per_node: boolean
    max_parallel_jobs?: number
  }
}

type Post<K extends string, P extends string> = { kind: K; method: 'POST'; path: P }

/**
 * One REST call of the creation sequence, in the order they must be sent. Bodies as sent by
 * `buildRequest` (W = the new workflow id):
 * - workflow: `POST /workflows` WorkflowModel, defaults filled (wait-for-new-jobs 90, min-time 300, ...),
 *   named INCOMPLETE_NAME (marker.ts) until `unmark`; response `id` is W, `user` and `timestamp` are kept.
 * - cancel, archive: `PUT /workflows/W/cancel` (body null) and `POST /workflows/W/archive`
 *   `{is_archived: true}`: the guard that keeps a half-made workflow from running (marker.ts).
 * - files: `POST /bulk_files` `{files: FileModel[]}` with `workflow_id: W`; response `files[]` gives ids
 *   by name.
 * - ro_crate_entity: `POST /ro_crate_entities` RoCrateEntityModel for input files with an `identifier`.
 * - user_data: `POST /bulk_user_data` `{user_data: UserDataModel[]}` (named entries only).
 * - resource_requirements / slurm_scheduler / failure_handler: one POST each (failure handler `rules`
 *   is a JSON string); response `id` per name. Unnamed schedulers are not created.
 * - jobs: `POST /bulk_jobs` `{jobs: JobModel[]}` per dependency level and chunk; ids by position.
 * - action: `POST /workflows/W/actions` WorkflowActionModel (`action_config` built from the draft).
 * - unmark: `PUT /workflows/W` `{name, user}` (the spec's name; the user Torc recorded), once every
 *   record above has landed; unarchive: `POST /workflows/W/archive` `{is_archived: false}`.
 * - reset_status: `POST /workflows/W/reset_status`, which lifts the cancel and starts run 1 (as `torc
 *   workflows init` does); initialize: `POST /workflows/W/initialize_jobs`, only when asked for.
 */
export type CreationStep =
  | (Post<'workflow', '/workflows'> & { body: Api['WorkflowModel'] })
  | (Post<'files', '/bulk_files'> & { batch: number; files: Omit<Api['FileModel'], 'workflow_id'>[] })
  | (Post<'ro_crate_entity', '/ro_crate_entities'> & {
      file: string
      body: Omit<Api['RoCrateEntityModel'], 'workflow_id' | 'file_id'>
    })
  | (Post<'user_data', '/bulk_user_data'> & {
      batch: number
      records: Omit<Api['UserDataModel'], 'workflow_id'>[]
    })
  | (Post<'resource_requirements', '/resource_requirements'> & {
      name: string
      body: Omit<Api['ResourceRequirementsModel'], 'workflow_id'>
    })
  | (Post<'slurm_scheduler', '/slurm_schedulers'> & {
      name: string
      body: Omit<Api['SlurmSchedulerModel'], 'workflow_id'>
    })
  | (Post<'failure_handler', '/failure_handlers'> & {
      name: string
      body: Omit<Api['FailureHandlerModel'], 'workflow_id'>
    })
  | (Post<'jobs', '/bulk_jobs'> & { level: number; batch: number; jobs: JobDraft[] })
  | (Post<'action', '/workflows/{id}/actions'> & { index: number; draft: ActionDraft })
  | { kind: 'cancel'; method: 'PUT'; path: '/workflows/{id}/cancel' }
  | (Post<'archive', '/workflows/{id}/archive'> & { archived: boolean })
  | { kind: 'unmark'; method: 'PUT'; path: '/workflows/{id}'; name: string; user: string }
  | Post<'reset_status', '/workflows/{id}/reset_status'>
  | Post<'initialize', '/workflows/{id}/initialize_jobs'>

export interface CreationPlan {
  workflow_name: string
  steps: CreationStep[]
  /** Sent when any step after the first fails (retried and verified by `createInTorc`); body is JSON `null`. */
  rollback: { method: 'DELETE'; path: '/workflows/{id}' }
  counts: {
    files: number
    user_data: number
    resource_requirements: number
    slurm_schedulers: number
    failure_handlers: number
    jobs: number
    actions: number
    levels: number
  }
  /** Non-fatal notes (e.g. deprecated fields that torc ignores). */
  warnings: string[]
}

/** Ids the executor has learned so far; fill them with `recordResponse`. */
export interface IdMaps {
  workflowId?: number
  /** The owner Torc recorded (an authenticating server puts its own user there). */
  workflowUser?: string
  /** When Torc created the workflow, by Torc's clock (ISO 8601). */
  workflowCreatedAt?: string
  files: Map<string, number>
  userData: Map<string, number>
  resourceRequirements: Map<string, number>
  slurmSchedulers: Map<string, number>
  failureHandlers: Map<string, number>
  jobs: Map<string, number>
}

/** A resolved request: what to send. */
export interface CreationRequest {
  method: 'POST' | 'PUT' | 'DELETE'
  path: string
  body: unknown
}
