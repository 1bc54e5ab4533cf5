/**
 * A small stateful torc-server for the tool tests: one workflow's jobs, requirements, results and
 * allocations in memory, answering the REST calls the tools make as torc-server 1.0.0 does (paged
 * lists honouring offset and limit, 404 bodies, status changes that move jobs). Faults are scripted
 * on top with `model.torc.on(...)`: a route added later answers first (for `times` calls), then the
 * model answers again. The integration project runs the same tools against the real server.
 */
import type { JobStatus } from '../../../src/torc/schemas.ts'
import { JOB_STATUSES } from '../../../src/torc/schemas.ts'
import { ScriptedTorc, type Sent, torcError } from '../../helpers/scripted-torc.ts'

export const GiB = 1024 ** 3

export interface ModelJob {
  id: number
  workflow_id: number
  name: string
  command: string
  status: JobStatus
  resource_requirements_id: number | null
  attempt_id: number
  compute_node_id?: number | null
  depends_on_job_ids?: number[]
  labels?: string[]
}

export interface ModelRequirement {
  id: number
  workflow_id: number
  name: string
  num_cpus: number
  num_gpus: number
  num_nodes: number
  memory: string
  runtime: string
}

export interface ModelResult {
  id: number
  job_id: number
  job_name?: string
  workflow_id: number
  run_id: number
  attempt_id: number
  compute_node_id: number
  return_code: number
  exec_time_minutes: number
  completion_time: string
  peak_memory_bytes?: number | null
  peak_cpu_percent?: number | null
  status: JobStatus
}

/** One page of `items` (those of the workflow the query names, if it names one), as torc-server pages. */
const page = (sent: Sent, all: readonly unknown[]) => {
  const wf = sent.query.get('workflow_id')
  const items = wf === null ? all : all.filter((i) => (i as { workflow_id?: number }).workflow_id === Number(wf))
  const offset = Number(sent.query.get('offset') ?? 0)
  const limit = Number(sent.query.get('limit') ?? 10_000)
  const slice = items.slice(offset, offset + limit)
  return {
    items: slice,
    offset,
    max_limit: 10_000,
    count: slice.length,
    total_count: items.length,
    has_more: offset + slice.length < items.length,
  }
}

export class TorcModel {
  readonly torc = new ScriptedTorc()
  readonly workflow = { id: 1, name: 'sweep', user: 'alice', run_id: 1, is_canceled: false, description: null }
  /** Every workflow GET /workflows lists (newest first); only `workflow` has status routes of its own. */
  readonly workflows: (typeof this.workflow)[] = [this.workflow]
  readonly jobs = new Map<number, ModelJob>()
  readonly requirements = new Map<number, ModelRequirement>()
  results: ModelResult[] = []
  computeNodes: { id: number; is_active: boolean }[] = []
  scheduled: { id: number; scheduler_id: number; status: string }[] = []
  schedulers: { id: number; name: string; account: string; walltime: string; nodes: number }[] = []
  private next = 1000
  private nextResult = 1

  constructor() {
    this.routes()
  }

  requirement(name: string, over: Partial<ModelRequirement> = {}): ModelRequirement {
    const rr: ModelRequirement = {
      id: this.next++,
      workflow_id: 1,
      name,
      num_cpus: 1,
      num_gpus: 0,
      num_nodes: 1,
      memory: '10g',
      runtime: 'PT30M',
      ...over,
    }
    this.requirements.set(rr.id, rr)
    return rr
  }

  job(name: string, rr: ModelRequirement | null, status: JobStatus = 'completed', over: Partial<ModelJob> = {}) {
    const job: ModelJob = {
      id: this.next++,
      workflow_id: 1,
      name,
      command: `run ${name}`,
      status,
      resource_requirements_id: rr?.id ?? null,
      attempt_id: 1,
      ...over,
    }
    this.jobs.set(job.id, job)
    return job
  }

  /** A result of the job's current run and attempt, in its status. */
  result(job: ModelJob, over: Partial<ModelResult> = {}): ModelResult {
    const r: ModelResult = {
      id: this.nextResult++,
      job_id: job.id,
      job_name: job.name,
      workflow_id: 1,
      run_id: this.workflow.run_id,
      attempt_id: job.attempt_id,
      compute_node_id: 1,
      return_code: job.status === 'completed' ? 0 : 1,
      exec_time_minutes: 5,
      completion_time: '2026-03-01T08:00:00Z',
      peak_memory_bytes: 2 * GiB,
      peak_cpu_percent: 90,
      status: job.status,
      ...over,
    }
    this.results.push(r)
    return r
  }

  counts(): Record<JobStatus, number> {
    const c = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>
    for (const j of this.jobs.values()) c[j.status]++
    return c
  }

  /** Each job's current result (the newest), as GET /results answers without all_runs. */
  private current(): ModelResult[] {
    const latest = new Map<number, ModelResult>()
    for (const r of this.results) if ((latest.get(r.job_id)?.id ?? -1) < r.id) latest.set(r.job_id, r)
    return [...latest.values()]
  }

  private routes(): void {
    const t = this.torc
    const w = this.workflow
    const missing = (what: string, id: number | string) => torcError(404, `${what} not found with ID: ${id}`)
    const idIn = (sent: Sent, at = 2) => Number(sent.path.split('/')[at])
    const jobOr404 = (sent: Sent) => this.jobs.get(idIn(sent)) ?? missing('Job', idIn(sent))

    t.on('GET', '/workflows', (s) =>
      page(
        s,
        this.workflows.filter((x) => !s.query.get('user') || x.user === s.query.get('user'))
      )
    )
    t.on('GET', /^\/workflows\/\d+$/, (s) => {
      const found = this.workflows.find((x) => x.id === idIn(s))
      return found ? { ...found } : missing('Workflow', idIn(s))
    })
    t.on('GET', /^\/workflows\/\d+\/status$/, (s) => {
      if (idIn(s) !== w.id) return missing('Workflow', idIn(s))
      const c = this.counts()
      const open = c.uninitialized + c.blocked + c.ready + c.pending + c.running + c.pending_failed
      return {
        workflow_id: w.id,
        workflow_name: w.name,
        workflow_user: w.user,
        total_jobs: this.jobs.size,
        jobs_by_status: c,
        is_complete: open === 0,
        is_canceled: w.is_canceled,
        total_exec_time_minutes: 10,
        active_compute_nodes: this.computeNodes.filter((n) => n.is_active).length,
        pending_scheduled_nodes: this.scheduled.filter((n) => n.status === 'pending').length,
        active_scheduled_nodes: this.scheduled.filter((n) => n.status === 'active').length,
      }
    })
    t.on('PUT', `/workflows/${w.id}/cancel`, () => {
      w.is_canceled = true
      for (const j of this.jobs.values()) if (j.status === 'running' || j.status === 'pending') j.status = 'canceled'
      return {}
    })
    t.on('POST', `/workflows/${w.id}/reset_status`, () => {
      w.run_id++
      w.is_canceled = false
      return {}
    })
    t.on('POST', `/workflows/${w.id}/initialize_jobs`, () => {
      for (const j of this.jobs.values())
        if (j.status === 'uninitialized' || j.status === 'terminated') j.status = 'ready'
      return {}
    })
    t.on('GET', `/workflows/${w.id}/remote_workers`, [])
    t.on('GET', `/workflows/${w.id}/actions`, [])

    t.on('GET', '/jobs', (s) => {
      const status = s.query.get('status')
      return page(
        s,
        [...this.jobs.values()].filter((j) => !status || j.status === status)
      )
    })
    t.on('GET', /^\/jobs\/\d+$/, (s) => {
      const job = jobOr404(s)
      return job instanceof Response ? job : { ...job }
    })
    t.on('PUT', /^\/jobs\/\d+$/, (s) => {
      const job = jobOr404(s)
      return job instanceof Response ? job : Object.assign(job, s.body as object)
    })
    t.on('PUT', /^\/jobs\/\d+\/manage_status_change\/\w+\/\d+$/, (s) => {
      const job = jobOr404(s)
      if (job instanceof Response) return job
      job.status = s.path.split('/')[4] as JobStatus
      return { ...job }
    })
    t.on('POST', /^\/jobs\/\d+\/retry\/\d+$/, (s) => {
      const job = jobOr404(s)
      if (job instanceof Response) return job
      job.attempt_id++
      job.status = 'ready'
      return { ...job }
    })
    t.on('POST', /^\/jobs\/\d+\/complete_job\/\w+\/\d+$/, (s) => {
      const job = jobOr404(s)
      if (job instanceof Response) return job
      job.status = s.path.split('/')[4] as JobStatus
      this.results.push({ ...(s.body as ModelResult), id: this.nextResult++, status: job.status })
      return { ...job }
    })

    t.on('GET', '/results', (s) => {
      const q = (name: string) => s.query.get(name)
      const all = q('all_runs') === 'true' || q('run_id') !== null
      let items = (all ? this.results : this.current()).filter(
        (r) =>
          (!q('status') || r.status === q('status')) &&
          (!q('job_id') || r.job_id === Number(q('job_id'))) &&
          (!q('run_id') || r.run_id === Number(q('run_id'))) &&
          (!q('return_code') || r.return_code === Number(q('return_code')))
      )
      const by = (q('sort_by') ?? 'id') as keyof ModelResult
      items = [...items].sort((a, b) => ((a[by] ?? 0) < (b[by] ?? 0) ? -1 : (a[by] ?? 0) > (b[by] ?? 0) ? 1 : 0))
      if (q('reverse_sort') === 'true') items.reverse()
      return page(s, items)
    })
    t.on('DELETE', /^\/results\/\d+$/, (s) => {
      this.results = this.results.filter((r) => r.id !== idIn(s))
      return {}
    })

    t.on('GET', '/resource_requirements', (s) => page(s, [...this.requirements.values()]))
    t.on('GET', /^\/resource_requirements\/\d+$/, (s) => {
      const rr = this.requirements.get(idIn(s))
      return rr ? { ...rr } : missing('Resource requirements', idIn(s))
    })
    t.on('PUT', /^\/resource_requirements\/\d+$/, (s) => {
      const rr = this.requirements.get(idIn(s))
      return rr ? Object.assign(rr, s.body as object, { id: rr.id }) : missing('Resource requirements', idIn(s))
    })
    t.on('POST', '/resource_requirements', (s) => {
      const rr = { ...(s.body as ModelRequirement), id: this.next++ }
      this.requirements.set(rr.id, rr)
      return rr
    })

    t.on('GET', '/compute_nodes', (s) =>
      page(
        s,
        this.computeNodes
          .filter((n) => s.query.get('is_active') !== 'true' || n.is_active)
          .map((n) => ({ ...n, workflow_id: w.id }))
      )
    )
    t.on('POST', '/compute_nodes', () => {
      const node = { id: this.next++, is_active: false }
      this.computeNodes.push(node)
      return node
    })
    t.on('GET', '/scheduled_compute_nodes', (s) =>
      page(
        s,
        this.scheduled.map((n) => ({
          ...n,
          workflow_id: w.id,
          scheduler_config_id: 1,
          scheduler_type: 'slurm',
        }))
      )
    )
    t.on('GET', '/slurm_schedulers', (s) =>
      page(
        s,
        this.schedulers.map((x) => ({ ...x, workflow_id: w.id }))
      )
    )
  }
}
