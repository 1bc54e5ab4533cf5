import { SpecError } from '../errors.ts'
import type { Api, CreationRequest, CreationStep, IdMaps, JobDraft } from './types.ts'

/**
 * The name→id bookkeeping an executor of a creation plan needs, as pure functions:
 * `buildRequest` fills ids into a step's body, `recordResponse` learns ids from the response and
 * checks it the way torc 1.0.0 does (counts, missing ids). Messages match 1.0.0's.
 */
export function newIdMaps(): IdMaps {
  return {
    files: new Map(),
    userData: new Map(),
    resourceRequirements: new Map(),
    slurmSchedulers: new Map(),
    failureHandlers: new Map(),
    jobs: new Map(),
  }
}

const fail = (message: string): never => {
  throw new SpecError(message)
}

function workflowId(ids: IdMaps): number {
  return ids.workflowId ?? fail('The workflow must be created before any other record')
}

function lookup(map: Map<string, number>, name: string, message: string): number {
  return map.get(name) ?? fail(message)
}

/** The request for one step, with every referenced name replaced by its server id. */
export function buildRequest(step: CreationStep, ids: IdMaps): CreationRequest {
  if (step.kind === 'workflow') return { method: 'POST', path: step.path, body: step.body }
  const wf = workflowId(ids)
  const path = step.path.replace('{id}', String(wf))
  switch (step.kind) {
    case 'files':
      return { method: 'POST', path, body: { files: step.files.map((f) => ({ ...f, workflow_id: wf })) } }
    case 'user_data':
      return { method: 'POST', path, body: { user_data: step.records.map((r) => ({ ...r, workflow_id: wf })) } }
    case 'ro_crate_entity': {
      const fileId = lookup(ids.files, step.file, `missing file id for '${step.file}'`)
      return { method: 'POST', path, body: { ...step.body, workflow_id: wf, file_id: fileId } }
    }
    case 'resource_requirements':
    case 'slurm_scheduler':
    case 'failure_handler':
      return { method: 'POST', path, body: { ...step.body, workflow_id: wf } }
    case 'jobs': {
      const body: Api['JobsModel'] = { jobs: step.jobs.map((job) => jobModel(job, wf, ids)) }
      return { method: 'POST', path, body }
    }
    case 'action':
      return { method: 'POST', path, body: actionModel(step, wf, ids) }
    case 'archive':
      return { method: 'POST', path, body: { is_archived: step.archived } }
    case 'unmark':
      // PUT leaves every field it is not given as it is (COALESCE); `user` is required by the model.
      return { method: 'PUT', path, body: { name: step.name, user: ids.workflowUser ?? step.user } }
    case 'cancel':
      return { method: 'PUT', path, body: null }
    case 'reset_status':
    case 'initialize':
      return { method: 'POST', path, body: null }
  }
}

function jobModel(job: JobDraft, wf: number, ids: IdMaps): Api['JobModel'] {
  const { refs, body } = job
  const name = body.name
  const list = (names: readonly string[], map: Map<string, number>, label: string): number[] | undefined => {
    if (names.length === 0) return undefined
    return names.map((n) => lookup(map, n, `${label} '${n}' not found for job '${name}'`))
  }
  const model: Api['JobModel'] = { ...body, workflow_id: wf }
  const set = <K extends keyof Api['JobModel']>(key: K, value: Api['JobModel'][K] | undefined): void => {
    if (value !== undefined) model[key] = value
  }
  set('input_file_ids', list(refs.input_files, ids.files, 'Input file'))
  set('output_file_ids', list(refs.output_files, ids.files, 'Output file'))
  set('input_user_data_ids', list(refs.input_user_data, ids.userData, 'Input user data'))
  set('output_user_data_ids', list(refs.output_user_data, ids.userData, 'Output user data'))
  if (refs.resource_requirements !== undefined) {
    const rr = refs.resource_requirements
    model.resource_requirements_id = lookup(
      ids.resourceRequirements,
      rr,
      `Resource requirements '${rr}' ` + `not found for job '${name}'`
    )
  }
  if (refs.scheduler !== undefined) {
    model.scheduler_id = lookup(
      ids.slurmSchedulers,
      refs.scheduler,
      `Scheduler '${refs.scheduler}' not ` + `found for job '${name}'`
    )
  }
  if (refs.failure_handler !== undefined) {
    const fh = refs.failure_handler
    model.failure_handler_id = lookup(
      ids.failureHandlers,
      fh,
      `Failure handler '${fh}' not found for ` + `job '${name}'`
    )
  }
  if (refs.depends_on.length > 0) {
    model.depends_on_job_ids = refs.depends_on.map((d) =>
      lookup(ids.jobs, d, `Dependency '${d}' not found for job '${name}' (not yet created)`)
    )
  }
  return model
}

type ActionStep = Extract<CreationStep, { kind: 'action' }>

function actionModel(step: ActionStep, wf: number, ids: IdMaps): Api['WorkflowActionModel'] {
  const { draft } = step
  let jobIds: number[] | null = null
  if (draft.jobs !== undefined) {
    jobIds = draft.jobs.exact.map((n) => lookup(ids.jobs, n, `Action references job '${n}' which does not exist`))
    const seen = new Set(jobIds)
    for (const n of draft.jobs.matched) {
      const id = ids.jobs.get(n)
      if (id !== undefined && !seen.has(id)) {
        seen.add(id)
        jobIds.push(id)
      }
    }
    if (jobIds.length === 0) fail('Action did not match any jobs')
  }
  let config: Record<string, unknown>
  if (draft.action_type === 'run_commands') {
    config = { commands: draft.commands ?? fail("run_commands action requires 'commands' field") }
  } else {
    const s = draft.schedule ?? fail("schedule_nodes action requires 'scheduler_type' field")
    const schedulerId =
      s.scheduler_type === 'slurm'
        ? lookup(ids.slurmSchedulers, s.scheduler, `Slurm scheduler '${s.scheduler}' not found`)
        : 0
    config = {
      scheduler_type: s.scheduler_type,
      scheduler_id: schedulerId,
      num_allocations: s.num_allocations,
      start_one_worker_per_node: s.start_one_worker_per_node,
      ...(s.max_parallel_jobs === undefined ? {} : { max_parallel_jobs: s.max_parallel_jobs }),
    }
  }
  return {
    workflow_id: wf,
    trigger_type: draft.trigger_type,
    action_type: draft.action_type,
    action_config: config,
    job_ids: jobIds,
    trigger_count: 0,
    required_triggers: 1,
    executed: false,
    persistent: draft.persistent,
    is_recovery: false,
  }
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}

function idOf(value: unknown, what: string): number {
  const id = record(value)['id']
  return typeof id === 'number' ? id : fail(`Created ${what} missing ID`)
}

/** Learns ids from a step's response (parsed JSON) and checks it; throws SpecError on a bad response. */
export function recordResponse(step: CreationStep, response: unknown, ids: IdMaps): void {
  switch (step.kind) {
    case 'workflow': {
      ids.workflowId = idOf(response, 'workflow')
      const { user, timestamp } = record(response)
      if (typeof user === 'string') ids.workflowUser = user
      if (typeof timestamp === 'string') ids.workflowCreatedAt = timestamp
      return
    }
    case 'files':
    case 'user_data': {
      const isFiles = step.kind === 'files'
      const key = isFiles ? 'files' : 'user_data'
      const label = isFiles ? 'create_files' : 'create_user_data_list'
      const sent = isFiles ? step.files.map((f) => f.name) : step.records.map((r) => r.name)
      const list = record(response)[key]
      if (!Array.isArray(list)) fail(`${label} response missing ${key} array`)
      const created = list as unknown[]
      if (created.length !== sent.length) {
        fail(`${label} returned ${created.length} ${isFiles ? 'files' : 'records'}, expected ${sent.length}`)
      }
      const map = isFiles ? ids.files : ids.userData
      const expected = new Set(sent)
      for (const item of created) {
        const name = record(item)['name']
        if (typeof name !== 'string' || !expected.has(name)) {
          fail(`${label} returned unknown ${isFiles ? 'file' : 'user_data'} name '${String(name)}'`)
        }
        map.set(name as string, idOf(item, isFiles ? 'file' : 'user data'))
      }
      for (const name of sent) if (!map.has(name)) fail(`${label} did not return an id for '${name}'`)
      return
    }
    case 'resource_requirements':
      ids.resourceRequirements.set(step.name, idOf(response, 'resource requirements'))
      return
    case 'slurm_scheduler':
      ids.slurmSchedulers.set(step.name, idOf(response, 'slurm scheduler'))
      return
    case 'failure_handler':
      ids.failureHandlers.set(step.name, idOf(response, 'failure handler'))
      return
    case 'jobs': {
      const list = record(response)['jobs']
      if (!Array.isArray(list)) fail('Create jobs response missing items')
      const created = list as unknown[]
      if (created.length !== step.jobs.length) {
        fail(`Batch ${step.batch} returned ${created.length} jobs but expected ${step.jobs.length}`)
      }
      for (const [i, job] of created.entries()) ids.jobs.set(step.jobs[i]?.body.name as string, idOf(job, 'job'))
      return
    }
    default:
      return
  }
}

/** The best-effort rollback request once the workflow exists (`DELETE /workflows/{id}`, body null). */
export function rollbackRequest(ids: IdMaps): CreationRequest | undefined {
  if (ids.workflowId === undefined) return undefined
  return { method: 'DELETE', path: `/workflows/${ids.workflowId}`, body: null }
}
