import { durationToSeconds, memoryToBytes } from '../../torc/units.ts'
import { errorMessage } from '../errors.ts'
import type { WorkflowSpec } from '../model.ts'
import { compileRegex } from '../regex.ts'

/**
 * Problems that torc 1.0.0 `validate_spec` lets through but creation rejects, either in the client
 * (`create_workflow`, `create_actions`, `create_jobs`) or on the server (422/500). Validation
 * reports them as warnings; the creation planner refuses to plan while any is present.
 */
export function creationProblems(spec: WorkflowSpec): string[] {
  const problems: string[] = []
  const config = workflowConfigError(spec)
  if (config !== undefined) problems.push(config)
  const handlers = new Set<string>()
  for (const handler of spec.failure_handlers ?? []) {
    if (handlers.has(handler.name)) problems.push(`Duplicate failure handler name: ${handler.name}`)
    handlers.add(handler.name)
  }
  for (const rr of spec.resource_requirements ?? []) {
    if (rr.name === 'default') problems.push("Cannot create resource requirement named 'default' via " + 'external API')
    try {
      memoryToBytes(rr.memory)
    } catch (error) {
      problems.push(`Invalid memory format '${rr.memory}': ${errorMessage(error)}`)
    }
    try {
      durationToSeconds(rr.runtime)
    } catch (error) {
      problems.push(`Invalid runtime format '${rr.runtime}': ${errorMessage(error)}`)
    }
  }
  for (const job of spec.jobs) {
    if (job.failure_handler !== undefined && !handlers.has(job.failure_handler)) {
      problems.push(`Failure handler '${job.failure_handler}' not found for job '${job.name}'`)
    }
    if (job.priority !== undefined && job.priority < 0) {
      problems.push(`priority must be >= 0, got ${job.priority} for job '${job.name}'`)
    }
  }
  const jobSet = new Set(spec.jobs.map((j) => j.name))
  const jobNames = [...jobSet]
  for (const action of spec.actions ?? []) {
    if (action.action_type === 'run_commands') {
      if (action.commands === undefined) problems.push("run_commands action requires 'commands' field")
      else if (action.commands.length === 0) problems.push("run_commands action has an empty 'commands' list")
    } else if (action.action_type !== 'schedule_nodes') problems.push(`Unknown action_type: ${action.action_type}`)
    if (action.jobs === undefined && action.job_name_regexes === undefined) continue
    const exact = (action.jobs ?? []).some((n) => jobSet.has(n))
    const regex = (action.job_name_regexes ?? []).some((p) => {
      try {
        const re = compileRegex(p)
        return jobNames.some((n) => re.test(n))
      } catch {
        return false
      }
    })
    if (!exact && !regex) problems.push('Action did not match any jobs')
  }
  return problems
}

/** The checks `create_workflow` runs on `execution_config` before `POST /workflows`. */
export function workflowConfigError(spec: WorkflowSpec): string | undefined {
  const perNode = (spec.actions ?? []).some(
    (a) => a.action_type === 'schedule_nodes' && a.start_one_worker_per_node === true
  )
  const ec = spec.execution_config
  if (ec !== undefined) {
    const slurm = ec.mode === 'slurm' || (ec.mode === 'auto' && (spec.slurm_schedulers?.length ?? 0) > 0)
    const direct = ec.mode === 'direct' || (ec.mode === 'auto' && !slurm)
    const errors: string[] = []
    if (ec.srun_mpi !== undefined) {
      const value = ec.srun_mpi
      if (value.trim() === '') {
        errors.push(
          "srun_mpi must not be empty when provided. Set a non-empty Slurm MPI mode such as 'pmix' or " +
            'omit the field.'
        )
      } else if (value.trim() !== value || !/^[A-Za-z0-9+_.-]+$/.test(value)) {
        errors.push(
          "srun_mpi must be a single safe token matching [A-Za-z0-9+_.-]+ (for example 'none' " + "or 'pmix')."
        )
      }
      if (!perNode) {
        errors.push(
          'srun_mpi requires schedule_nodes.start_one_worker_per_node = true. It only applies to the ' +
            'outer srun that launches one job runner per node.'
        )
      }
    }
    if (slurm) {
      if (ec.limit_resources === false) {
        errors.push(
          'limit_resources: false is only supported in direct mode. Slurm mode requires ' +
            'resource limits for correct srun behavior.'
        )
      }
      if (ec.termination_signal !== undefined) {
        errors.push(
          'termination_signal is only supported in direct mode. In slurm mode, use ' +
            'srun_termination_signal instead.'
        )
      }
      if (ec.sigterm_lead_seconds !== undefined) {
        errors.push(
          'sigterm_lead_seconds is only supported in direct mode. In slurm mode, termination ' +
            'timing is controlled by srun_termination_signal.'
        )
      }
      if (ec.oom_exit_code !== undefined) {
        errors.push('oom_exit_code is only supported in direct mode. In slurm mode, Slurm manages OOM detection.')
      }
    }
    if (direct) {
      if (ec.srun_termination_signal !== undefined) {
        errors.push(
          'srun_termination_signal is only supported in slurm mode. In direct mode, use ' +
            'termination_signal instead.'
        )
      }
      if (ec.enable_cpu_bind === true) {
        errors.push('enable_cpu_bind is only supported in slurm mode. It has no effect in direct mode.')
      }
    }
    if (errors.length > 0) return errors.join(' ')
  }
  if (perNode && (ec?.mode ?? 'direct') !== 'direct') {
    return "start_one_worker_per_node requires execution_config.mode to be 'direct'"
  }
  return undefined
}
