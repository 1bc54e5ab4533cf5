/**
 * A scripted Torc holding one workflow's state, answering the endpoints a watch's check and
 * recover_workflow's plan and apply use (test/helpers/scripted-torc.ts does the HTTP side), and a
 * pretend job runner: `run()` finishes every ready job, failing with 137 those whose requirement
 * has less memory than they need. The integration and end-to-end tests do the same against the
 * real torc-server and the real `torc run`; this one pins the tick's logic in milliseconds.
 */
import { ScriptedTorc, type Sent } from '../../helpers/scripted-torc.ts'

const GiB = 1024 ** 3

interface WJob {
  id: number
  name: string
  status: string
  /** Memory the job really needs, in GiB. */
  needs: number
  result: { return_code: number; status: string; peak: number; run: number } | null
}

export class TorcWorld {
  readonly torc = new ScriptedTorc()
  readonly workflow = { id: 1, name: 'oom-world', user: 'tester', run_id: 1, is_canceled: false }
  readonly rr = {
    id: 5,
    workflow_id: 1,
    name: 'work',
    num_cpus: 1,
    num_gpus: 0,
    num_nodes: 1,
    memory: '10g',
    runtime: 'PT30M',
  }
  readonly jobs: WJob[]
  runners = 0
  allocations = { pending: 0, active: 0 }
  down = false
  /** Each answer waits this long (ms): lets two ticks be in flight at once. */
  delayMs = 0

  constructor(needs: number[]) {
    this.jobs = needs.map((n, i) => ({ id: 100 + i, name: `work_${i + 1}`, status: 'ready', needs: n, result: null }))
    this.routes()
  }

  /** The runner: every ready job runs once, failing (137) when it needs more memory than it has. */
  run(): void {
    const have = Number.parseInt(this.rr.memory, 10)
    for (const job of this.jobs.filter((j) => j.status === 'ready')) {
      const ok = job.needs <= have
      job.status = ok ? 'completed' : 'failed'
      job.result = {
        return_code: ok ? 0 : 137,
        status: job.status,
        peak: Math.min(job.needs, have * 1.05) * GiB,
        run: this.workflow.run_id,
      }
    }
  }

  counts(): Record<string, number> {
    const all = [
      'uninitialized',
      'blocked',
      'ready',
      'pending',
      'running',
      'completed',
      'failed',
      'canceled',
      'terminated',
      'disabled',
      'pending_failed',
    ]
    const c = Object.fromEntries(all.map((s) => [s, 0])) as Record<string, number>
    for (const j of this.jobs) c[j.status]!++
    return c
  }

  private routes(): void {
    const t = this.torc
    const w = this.workflow
    const jobModel = (j: WJob) => ({
      id: j.id,
      workflow_id: w.id,
      name: j.name,
      command: 'work',
      status: j.status,
      resource_requirements_id: this.rr.id,
    })
    const page = (items: unknown[]) => ({
      items,
      offset: 0,
      max_limit: 10_000,
      count: items.length,
      total_count: items.length,
      has_more: false,
    })
    // Every answer passes here: a Torc that is down refuses the connection and changes nothing.
    const on = (method: string, path: string | RegExp, fn: (sent: Sent) => unknown) =>
      t.on(method, path, async (sent: Sent) => {
        if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs))
        return this.down ? { fault: 'refused' } : fn(sent)
      })
    on('GET', '/workflows/1', () => ({ ...w }))
    on('GET', '/workflows/2/status', () =>
      Response.json({ error: { message: 'workflow 2 not found' } }, { status: 404 })
    )
    on('GET', '/workflows/1/status', () => {
      const c = this.counts()
      const open = c.uninitialized! + c.blocked! + c.ready! + c.pending! + c.running! + c.pending_failed!
      return {
        workflow_id: w.id,
        workflow_name: w.name,
        workflow_user: w.user,
        total_jobs: this.jobs.length,
        jobs_by_status: c,
        is_complete: open === 0,
        is_canceled: w.is_canceled,
        total_exec_time_minutes: 1,
        active_compute_nodes: this.runners,
        pending_scheduled_nodes: this.allocations.pending,
        active_scheduled_nodes: this.allocations.active,
      }
    })
    on('GET', '/results', (sent) =>
      page(
        this.jobs
          .filter((j) => j.result && j.result.run === w.run_id && j.status === sent.query.get('status'))
          .map((j) => ({
            id: j.id * 10 + w.run_id,
            job_id: j.id,
            job_name: j.name,
            workflow_id: w.id,
            run_id: w.run_id,
            attempt_id: 1,
            compute_node_id: 1,
            return_code: j.result!.return_code,
            exec_time_minutes: 3,
            completion_time: new Date().toISOString(),
            peak_memory_bytes: j.result!.peak,
            status: j.status,
          }))
      )
    )
    on('GET', '/jobs', () => page(this.jobs.map(jobModel)))
    on('GET', /^\/jobs\/\d+$/, (sent) => jobModel(this.jobs.find((j) => `/jobs/${j.id}` === sent.path)!))
    on('GET', '/resource_requirements', () => page([this.rr]))
    on('GET', `/resource_requirements/${this.rr.id}`, () => ({ ...this.rr }))
    on('PUT', `/resource_requirements/${this.rr.id}`, (sent) => Object.assign(this.rr, sent.body as object))
    on('GET', '/compute_nodes', () =>
      page(Array.from({ length: this.runners }, (_, i) => ({ id: i + 1, is_active: true })))
    )
    on('GET', '/scheduled_compute_nodes', () => page([]))
    on('GET', '/slurm_schedulers', () => page([]))
    on('GET', '/workflows/1/remote_workers', () => [])
    on('PUT', /^\/jobs\/\d+\/manage_status_change\/uninitialized\/\d+$/, (sent) => {
      const job = this.jobs.find((j) => sent.path.startsWith(`/jobs/${j.id}/`))!
      job.status = 'uninitialized'
      return jobModel(job)
    })
    on('POST', '/workflows/1/reset_status', () => {
      w.run_id++
      return {}
    })
    on('POST', '/workflows/1/initialize_jobs', () => {
      for (const j of this.jobs) if (j.status === 'uninitialized') j.status = 'ready'
      return {}
    })
  }
}
