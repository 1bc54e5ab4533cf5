import { z } from 'zod'
import { defineTool } from '../registry.ts'
import {
  type Job,
  JobSchema,
  type JobStatus,
  ResourceRequirementsSchema,
  type Result,
  ResultSchema,
} from '../torc/schemas.ts'
import { fitPage, jobId, jobStatus, limit, offset, pageInfo, readOnly, workflowId } from './fields.ts'

const jobBrief = z.object({
  job_id: z.number().int().describe('Job id.'),
  name: z.string().describe('Job name.'),
  command: z.string().describe('Command line the job runs.'),
  labels: z.array(z.string()).describe('Routing labels (empty when none).'),
})
const brief = (job: Job) => ({ job_id: job.id, name: job.name, command: job.command, labels: job.labels ?? [] })

export const getJobDetails = defineTool({
  name: 'get_job_details',
  title: 'Get job details',
  description:
    'Get one job in full: command, status, dependencies, resource requirements, and its latest result ' +
    '(return code, run and attempt ids, execution time, peak memory and CPU). Use this to inspect a failed ' +
    'job before reading its logs; the run_id and attempt_id it returns locate the log files.',
  input: z.object({ job_id: jobId }),
  output: z.object({
    job_id: z.number().int().describe('Job id.'),
    workflow_id: z.number().int().describe('Workflow the job belongs to.'),
    name: z.string().describe('Job name.'),
    command: z.string().describe('Command line.'),
    status: z.string().nullable().describe('Current status (API spelling, e.g. "failed").'),
    attempt_id: z.number().int().nullable().describe('Current attempt (grows when a failure handler retries).'),
    labels: z.array(z.string()).describe('Routing labels.'),
    invocation_script: z.string().nullable().describe('Wrapper script, if any.'),
    supports_termination: z.boolean().nullable().describe('Whether the job handles SIGTERM.'),
    cancel_on_blocking_job_failure: z.boolean().nullable().describe('Canceled when an upstream job fails.'),
    depends_on_job_ids: z.array(z.number().int()).describe('Jobs this one waits for.'),
    resource_requirements: z
      .object({
        id: z.number().int().describe('Resource requirement id (shared by jobs that use it).'),
        name: z.string().describe('Resource requirement name.'),
        num_cpus: z.number().int().describe('CPUs.'),
        num_gpus: z.number().int().describe('GPUs.'),
        num_nodes: z.number().int().describe('Nodes.'),
        memory: z.string().describe('Memory, e.g. "10g".'),
        runtime: z.string().describe('Runtime limit, ISO 8601, e.g. "PT30M".'),
      })
      .nullable()
      .describe('Requested resources, or null when the job has none.'),
    latest_result: z
      .object({
        run_id: z.number().int().describe('Workflow run the result belongs to.'),
        attempt_id: z.number().int().nullable().describe('Attempt the result belongs to.'),
        status: z.string().describe('Status the job finished with.'),
        return_code: z.number().int().describe('Process return code (137 often means killed for memory).'),
        exec_time_minutes: z.number().describe('Execution time in minutes.'),
        completion_time: z.string().describe('When it finished.'),
        peak_memory_bytes: z.number().nullable().describe('Peak memory, when monitored.'),
        peak_cpu_percent: z.number().nullable().describe('Peak CPU percent (100 per core), when monitored.'),
        avg_cpu_percent: z.number().nullable().describe('Average CPU percent, when monitored.'),
      })
      .nullable()
      .describe('The current result, or null when the job has not finished in this run.'),
  }),
  annotations: readOnly,
  async handler({ job_id }, { torc }) {
    const job = await torc.get(`/jobs/${job_id}`, JobSchema)
    const [requirements, results] = await Promise.all([
      job.resource_requirements_id == null
        ? null
        : torc.get(`/resource_requirements/${job.resource_requirements_id}`, ResourceRequirementsSchema),
      // Newest first: a job retried within the run has one result per attempt.
      torc.list(
        '/results',
        ResultSchema,
        { workflow_id: job.workflow_id, job_id, sort_by: 'id', reverse_sort: true },
        { limit: 1 }
      ),
    ])
    const result = results.items[0]
    return {
      job_id: job.id,
      workflow_id: job.workflow_id,
      name: job.name,
      command: job.command,
      status: job.status ?? null,
      attempt_id: job.attempt_id ?? null,
      labels: job.labels ?? [],
      invocation_script: job.invocation_script ?? null,
      supports_termination: job.supports_termination ?? null,
      cancel_on_blocking_job_failure: job.cancel_on_blocking_job_failure ?? null,
      depends_on_job_ids: job.depends_on_job_ids ?? [],
      resource_requirements: requirements && {
        id: requirements.id,
        name: requirements.name,
        num_cpus: requirements.num_cpus,
        num_gpus: requirements.num_gpus,
        num_nodes: requirements.num_nodes,
        memory: requirements.memory,
        runtime: requirements.runtime,
      },
      latest_result: result
        ? {
            run_id: result.run_id,
            attempt_id: result.attempt_id ?? null,
            status: result.status,
            return_code: result.return_code,
            exec_time_minutes: result.exec_time_minutes,
            completion_time: result.completion_time,
            peak_memory_bytes: result.peak_memory_bytes ?? null,
            peak_cpu_percent: result.peak_cpu_percent ?? null,
            avg_cpu_percent: result.avg_cpu_percent ?? null,
          }
        : null,
    }
  },
  summarize: (out) => `job ${out.job_id} "${out.name}" is ${out.status ?? 'unknown'}`,
})

export const listJobsByStatus = defineTool({
  name: 'list_jobs_by_status',
  title: 'List jobs by status',
  description:
    'List the jobs of a workflow that are in one status (uninitialized, blocked, ready, pending, running, ' +
    'completed, failed, canceled, terminated, disabled, pending_failed), with name and command. ' +
    'Use this to see which jobs are running or waiting. Paged: returns total and has_more.',
  input: z.object({ workflow_id: workflowId, status: jobStatus, limit: limit(100, 1000), offset }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    status: z.string().describe('The status listed.'),
    ...pageInfo,
    jobs: z.array(jobBrief).describe('Jobs in that status, by id.'),
  }),
  annotations: readOnly,
  async handler({ workflow_id, status, limit, offset }, { torc }) {
    const { items, total } = await torc.list('/jobs', JobSchema, { workflow_id, status }, { limit, offset })
    const fitted = fitPage(items.map(brief), total, offset)
    return { workflow_id, status, ...fitted.page, jobs: fitted.items }
  },
  summarize: (out) => `${out.total} ${out.status} jobs in workflow ${out.workflow_id}`,
})

/** Statuses that mean the job itself did not succeed (canceled jobs only had a failed upstream). */
const FAILED_STATUSES = ['failed', 'terminated', 'pending_failed'] as const satisfies readonly JobStatus[]
/** Results fetched per status to attach error information; a workflow with more failures gets none for the rest. */
const RESULT_SCAN_LIMIT = 20_000

export const listFailedJobs = defineTool({
  name: 'list_failed_jobs',
  title: 'List failed jobs',
  description:
    'List the jobs of a workflow that did not succeed (failed, terminated at the end of an allocation, or ' +
    'pending_failed awaiting classification) with their return code, execution time and peak memory. ' +
    'Use this to answer "why did a job fail?" before reading logs or checking resources.',
  input: z.object({ workflow_id: workflowId, limit: limit(100, 1000), offset }),
  output: z.object({
    workflow_id: z.number().int().describe('Workflow id.'),
    failed_job_count: z
      .number()
      .int()
      .describe('Jobs failed, terminated or pending_failed in all (the same as total).'),
    ...pageInfo,
    counts_by_status: z
      .object({
        failed: z.number().int().describe('Jobs that exited with an error.'),
        terminated: z.number().int().describe('Jobs killed by Torc, usually at the end of a Slurm allocation.'),
        pending_failed: z.number().int().describe('Failures awaiting classification (retry or fail).'),
      })
      .describe('The failures split by status.'),
    failed_jobs: z
      .array(
        jobBrief.extend({
          status: z.string().describe('failed, terminated or pending_failed.'),
          return_code: z
            .number()
            .int()
            .nullable()
            .describe('Return code of the latest result (137: killed, often OOM).'),
          exec_time_minutes: z.number().nullable().describe('Execution time of the latest result.'),
          peak_memory_bytes: z.number().nullable().describe('Peak memory of the latest result, when monitored.'),
          run_id: z.number().int().nullable().describe('Run of the latest result (locates the log files).'),
          attempt_id: z.number().int().nullable().describe('Attempt of the latest result (locates the log files).'),
        })
      )
      .describe('The failed jobs, by id.'),
  }),
  annotations: readOnly,
  async handler({ workflow_id, limit, offset }, { torc }) {
    // Each status's first offset+limit jobs by id: merged, they hold the page wanted.
    const window = offset + limit
    const perStatus = await Promise.all(
      FAILED_STATUSES.map(async (status) => {
        const [jobs, results] = await Promise.all([
          torc.list('/jobs', JobSchema, { workflow_id, status }, { limit: window }),
          torc.list('/results', ResultSchema, { workflow_id, status }, { limit: RESULT_SCAN_LIMIT }),
        ])
        return { status, jobs, results: results.items }
      })
    )
    const latest = new Map<number, Result>()
    for (const { results } of perStatus) for (const r of results) latest.set(r.job_id, r)
    const all = perStatus
      .flatMap(({ status, jobs }) => jobs.items.map((job) => ({ job, status })))
      .sort((a, b) => a.job.id - b.job.id)
    const total = perStatus.reduce((n, s) => n + s.jobs.total, 0)
    const rows = all.slice(offset, window).map(({ job, status }) => {
      const r = latest.get(job.id)
      return {
        ...brief(job),
        status,
        return_code: r?.return_code ?? null,
        exec_time_minutes: r?.exec_time_minutes ?? null,
        peak_memory_bytes: r?.peak_memory_bytes ?? null,
        run_id: r?.run_id ?? null,
        attempt_id: r?.attempt_id ?? null,
      }
    })
    const count = (s: (typeof FAILED_STATUSES)[number]) => perStatus.find((p) => p.status === s)!.jobs.total
    const fitted = fitPage(rows, total, offset)
    return {
      workflow_id,
      failed_job_count: total,
      ...fitted.page,
      counts_by_status: {
        failed: count('failed'),
        terminated: count('terminated'),
        pending_failed: count('pending_failed'),
      },
      failed_jobs: fitted.items,
    }
  },
  summarize: (out) => `${out.failed_job_count} failed jobs in workflow ${out.workflow_id}`,
})

export const jobTools = [getJobDetails, listJobsByStatus, listFailedJobs]
