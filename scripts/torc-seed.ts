/**
 * Builds workflows in a REAL torc-server and drives their jobs through the same endpoints a job
 * runner uses (claim → start → complete with results), so tools see genuine Torc state.
 * Runtime-agnostic (fetch only): the tests use it inside workerd, the benchmarks from Node.
 */
export type TorcApi = <T = unknown>(method: string, path: string, body?: unknown) => Promise<T>

export const torcApiAt =
  (apiUrl: string): TorcApi =>
  async (method, path, body) => {
    const res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 300)}`)
    return text ? JSON.parse(text) : null
  }

export interface JobSpec {
  name: string
  command?: string
  depends_on?: string[]
  /** Name of a resource requirement in the workflow's `resources`. */
  resources?: string
}

export interface Outcome {
  status: 'completed' | 'failed' | 'terminated' | 'canceled' | 'pending_failed'
  return_code: number
  exec_time_minutes: number
  peak_memory_bytes?: number
  peak_cpu_percent?: number
}

export interface WorkflowFixture {
  id: number
  jobIds: Map<string, number>
  computeNodeId: number
  runId: number
}

interface Created {
  id: number
  name: string
}

/** Creates the workflow, its resource requirements and jobs, then initialises it as `torc` does. */
export async function createWorkflow(
  torcApi: TorcApi,
  options: {
    name: string
    user?: string
    description?: string
    resources?: Record<string, { num_cpus: number; memory: string; runtime: string }>
    jobs: JobSpec[]
  }
): Promise<WorkflowFixture> {
  const wf = await torcApi<Created>('POST', '/workflows', {
    name: options.name,
    user: options.user ?? 'tester',
    description: options.description,
  })
  const rrIds = new Map<string, number>()
  for (const [name, rr] of Object.entries(options.resources ?? {})) {
    const created = await torcApi<Created>('POST', '/resource_requirements', {
      workflow_id: wf.id,
      name,
      num_gpus: 0,
      num_nodes: 1,
      ...rr,
    })
    rrIds.set(name, created.id)
  }
  const jobIds = new Map<string, number>()
  // Bulk-create by dependency level so every dependency id exists when referenced.
  let remaining = options.jobs
  while (remaining.length) {
    const level = remaining.filter((j) => (j.depends_on ?? []).every((d) => jobIds.has(d)))
    if (!level.length) throw new Error('dependency cycle in fixture')
    for (let i = 0; i < level.length; i += 1000) {
      const chunk = level.slice(i, i + 1000)
      const created = await torcApi<{ jobs: Created[] }>('POST', '/bulk_jobs', {
        jobs: chunk.map((j) => ({
          workflow_id: wf.id,
          name: j.name,
          command: j.command ?? `echo ${j.name}`,
          resource_requirements_id: j.resources ? rrIds.get(j.resources) : undefined,
          depends_on_job_ids: (j.depends_on ?? []).map((d) => jobIds.get(d)),
        })),
      })
      for (const job of created.jobs) jobIds.set(job.name, job.id)
    }
    remaining = remaining.filter((j) => !jobIds.has(j.name))
  }
  await torcApi('POST', `/workflows/${wf.id}/reset_status`)
  await torcApi('POST', `/workflows/${wf.id}/reset_job_status?failed_only=false`)
  await torcApi('POST', `/workflows/${wf.id}/initialize_jobs`)
  const runId = (await torcApi<{ run_id: number }>('GET', `/workflows/${wf.id}`)).run_id
  const node = await torcApi<Created>('POST', '/compute_nodes', {
    workflow_id: wf.id,
    hostname: 'node-test-1',
    pid: 4242,
    start_time: new Date().toISOString(),
    is_active: true,
    num_cpus: 104,
    memory_gb: 240,
    num_gpus: 0,
    num_nodes: 1,
    compute_node_type: 'local',
  })
  return { id: wf.id, jobIds, computeNodeId: node.id, runId }
}

/**
 * Runs whatever is ready, level after level, finishing each job with the outcome `outcomeOf` gives
 * (undefined leaves the job running). Jobs blocked behind failures are canceled by Torc itself.
 */
export async function drive(
  torcApi: TorcApi,
  wf: WorkflowFixture,
  outcomeOf: (name: string) => Outcome | undefined,
  options: { start?: boolean } = {}
): Promise<void> {
  for (;;) {
    const claimed = await torcApi<{ jobs?: { id: number; name: string }[] | null }>(
      'POST',
      `/workflows/${wf.id}/claim_next_jobs?limit=10000`
    )
    const jobs = claimed.jobs ?? []
    if (!jobs.length) {
      if (!(await unblockPending(torcApi, wf.id))) return
      continue
    }
    const completions = []
    for (const job of jobs) {
      // Torc accepts completions of claimed (pending) jobs; starting each one costs a request per job.
      if (options.start ?? true) await torcApi('PUT', `/jobs/${job.id}/start_job/${wf.runId}/${wf.computeNodeId}`)
      const outcome = outcomeOf(job.name)
      if (!outcome) continue
      completions.push({
        job_id: job.id,
        run_id: wf.runId,
        status: outcome.status,
        result: {
          job_id: job.id,
          workflow_id: wf.id,
          run_id: wf.runId,
          attempt_id: 1,
          compute_node_id: wf.computeNodeId,
          completion_time: new Date().toISOString(),
          ...outcome,
        },
      })
    }
    if (!completions.length) return
    for (let i = 0; i < completions.length; i += 1000) {
      const res = await torcApi<{ errors: unknown[] }>('POST', `/workflows/${wf.id}/batch_complete_jobs`, {
        completions: completions.slice(i, i + 1000),
      })
      if (res.errors.length) throw new Error(`batch_complete_jobs: ${JSON.stringify(res.errors.slice(0, 3))}`)
    }
  }
}

/**
 * Torc unblocks dependents in the background after completions (every 0.1 s as the tests start it):
 * wait while that may be under way. Jobs still blocked after 3 s wait on something else (a
 * pending_failed or running job).
 */
async function unblockPending(torcApi: TorcApi, workflowId: number): Promise<boolean> {
  const deadline = Date.now() + 3_000
  while (Date.now() < deadline) {
    const s = await torcApi<{ jobs_by_status: Record<string, number> }>('GET', `/workflows/${workflowId}/status`)
    const { blocked = 0, ready = 0, running = 0, pending = 0 } = s.jobs_by_status
    if (ready > 0) return true
    if (blocked === 0 || running > 0 || pending > 0) return false
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return false
}

/** The job runner exits: its compute node is marked inactive, as a real runner does on the way out. */
export async function stopRunner(torcApi: TorcApi, wf: WorkflowFixture): Promise<void> {
  const node = await torcApi<Record<string, unknown>>('GET', `/compute_nodes/${wf.computeNodeId}`)
  await torcApi('PUT', `/compute_nodes/${wf.computeNodeId}`, { ...node, is_active: false })
}

const GiB = 1024 ** 3

/**
 * The tutorial's OOM workflow: 10 jobs at 10g (4 CPUs, PT30M); work_1..3 are killed with 137 at
 * peaks of 27-29.9 GB after 3.2 minutes, the other 7 complete in 4 minutes but also peak near 30 GB.
 */
export async function tutorialOomWorkflow(torcApi: TorcApi, name: string): Promise<WorkflowFixture> {
  const peaks = [27, 29.9, 28, 29, 29.5, 28.5, 30, 29.2, 28.8, 29.7]
  const wf = await createWorkflow(torcApi, {
    name,
    resources: { work: { num_cpus: 4, memory: '10g', runtime: 'PT30M' } },
    jobs: peaks.map((_, i) => ({ name: `work_${i + 1}`, command: `python work.py ${i + 1}`, resources: 'work' })),
  })
  await drive(torcApi, wf, (job): Outcome => {
    const i = Number(job.split('_')[1]) - 1
    const peak_memory_bytes = Math.round(peaks[i]! * GiB)
    return i < 3
      ? { status: 'failed', return_code: 137, exec_time_minutes: 3.2, peak_memory_bytes }
      : { status: 'completed', return_code: 0, exec_time_minutes: 4, peak_memory_bytes }
  })
  await stopRunner(torcApi, wf)
  return wf
}

/** The tutorial's timeout workflow: job_slow terminated by Torc (-9) at ~6 min against PT5M; job_fast completes. */
export async function tutorialTimeoutWorkflow(torcApi: TorcApi, name: string): Promise<WorkflowFixture> {
  const wf = await createWorkflow(torcApi, {
    name,
    resources: { job_resources: { num_cpus: 1, memory: '1g', runtime: 'PT5M' } },
    jobs: [
      { name: 'job_fast', resources: 'job_resources' },
      { name: 'job_slow', resources: 'job_resources' },
    ],
  })
  await drive(torcApi, wf, (job) =>
    job === 'job_fast'
      ? { status: 'completed', return_code: 0, exec_time_minutes: 1.02 }
      : { status: 'terminated', return_code: -9, exec_time_minutes: 5.97 }
  )
  await stopRunner(torcApi, wf)
  return wf
}

/** Adds a Slurm scheduler to a workflow the way `torc slurm create` does (no sbatch involved). */
export async function addSlurmScheduler(
  torcApi: TorcApi,
  workflowId: number,
  scheduler: { name: string; account: string; walltime: string; mem?: string; partition?: string; nodes?: number }
): Promise<number> {
  const created = await torcApi<Created>('POST', '/slurm_schedulers', {
    workflow_id: workflowId,
    nodes: 1,
    qos: 'normal',
    ...scheduler,
  })
  return created.id
}
