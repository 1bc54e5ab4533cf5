import { describe, expect, it } from 'vitest'
import {
  buildRequest,
  type CreationPlan,
  type CreationStep,
  INCOMPLETE_NAME,
  newIdMaps,
  parseSpecValue,
  planCreation,
  recordResponse,
  rollbackRequest,
} from '../../../src/workflow-spec/index.ts'
import { SMALL } from './creation-specs.ts'

const kinds = (plan: CreationPlan) => plan.steps.map((s) => s.kind)

describe('planCreation', () => {
  it('orders the 1.0.0 REST calls and levels the jobs', () => {
    const plan = planCreation(parseSpecValue(SMALL), { user: 'alice', batchSize: 2 })
    expect(kinds(plan)).toEqual([
      'workflow',
      'cancel',
      'archive',
      'files',
      'files',
      'user_data',
      'resource_requirements',
      'slurm_scheduler',
      'failure_handler',
      'jobs',
      'jobs',
      'jobs',
      'jobs',
      'action',
      'action',
      'unmark',
      'archive',
      'reset_status',
    ])
    expect(plan.counts).toEqual({
      files: 4,
      user_data: 1,
      resource_requirements: 1,
      slurm_schedulers: 1,
      failure_handlers: 1,
      jobs: 5,
      actions: 2,
      levels: 3,
    })
    const jobs = plan.steps.filter((s): s is Extract<CreationStep, { kind: 'jobs' }> => s.kind === 'jobs')
    expect(jobs.map((s) => [s.level, s.batch, s.jobs.map((j) => j.body.name)])).toEqual([
      [0, 1, ['prep']],
      [1, 1, ['w_1', 'w_2']],
      [1, 2, ['w_3']],
      [2, 1, ['post']],
    ])
  })

  it('writes request bodies as 1.0.0 sends them, resolving names through recorded ids', () => {
    const plan = planCreation(parseSpecValue(SMALL), { user: 'alice' })
    const ids = newIdMaps()
    let next = 100
    const respond = (step: CreationStep, body: unknown): unknown => {
      const b = body as Record<string, unknown[]>
      if (step.kind === 'files') return { files: (b['files'] ?? []).map((f) => ({ ...(f as object), id: next++ })) }
      if (step.kind === 'user_data')
        return { user_data: (b['user_data'] ?? []).map((u) => ({ ...(u as object), id: next++ })) }
      if (step.kind === 'jobs') return { jobs: (b['jobs'] ?? []).map((j) => ({ ...(j as object), id: next++ })) }
      if (['cancel', 'archive', 'unmark', 'reset_status'].includes(step.kind)) return {}
      return { id: next++ }
    }
    const requests = plan.steps.map((step) => {
      const request = buildRequest(step, ids)
      recordResponse(step, respond(step, request.body), ids)
      return request
    })
    expect(requests[0]).toEqual({
      method: 'POST',
      path: '/workflows',
      body: {
        name: INCOMPLETE_NAME,
        user: 'alice',
        compute_node_wait_for_new_jobs_seconds: 90,
        compute_node_ignore_workflow_completion: false,
        compute_node_wait_for_healthy_database_minutes: 20,
        compute_node_min_time_for_new_jobs_seconds: 300,
        use_pending_failed: false,
      },
    })
    // The guard comes before any record and comes off after the last (marker.ts).
    expect(requests.slice(1, 3)).toEqual([
      { method: 'PUT', path: '/workflows/100/cancel', body: null },
      { method: 'POST', path: '/workflows/100/archive', body: { is_archived: true } },
    ])
    expect(requests.slice(-3)).toEqual([
      { method: 'PUT', path: '/workflows/100', body: { name: 'small', user: 'alice' } },
      { method: 'POST', path: '/workflows/100/archive', body: { is_archived: false } },
      { method: 'POST', path: '/workflows/100/reset_status', body: null },
    ])
    expect(requests[3]).toEqual({
      method: 'POST',
      path: '/bulk_files',
      body: {
        files: [
          { name: 'in', path: '/in', workflow_id: 100 },
          { name: 'out_1', path: '/out/1', workflow_id: 100 },
          { name: 'out_2', path: '/out/2', workflow_id: 100 },
          { name: 'out_3', path: '/out/3', workflow_id: 100 },
        ],
      },
    })
    expect(requests[4]?.body).toEqual({ user_data: [{ name: 'cfg', data: { a: 1 }, workflow_id: 100 }] })
    expect(requests[7]).toEqual({
      method: 'POST',
      path: '/failure_handlers',
      body: {
        name: 'retry',
        rules: '[{"exit_codes":[1,2],"max_retries":3},{"match_all_exit_codes":true,"max_retries":1}]',
        workflow_id: 100,
      },
    })
    const bulk = requests
      .filter((r) => r.path === '/bulk_jobs')
      .flatMap((r) => (r.body as { jobs: Record<string, unknown>[] }).jobs)
    expect(bulk.find((j) => j['name'] === 'prep')).toEqual({
      name: 'prep',
      command: 'p /in',
      status: 'uninitialized',
      cancel_on_blocking_job_failure: true,
      supports_termination: false,
      attempt_id: 1,
      priority: null,
      workflow_id: 100,
      input_file_ids: [101],
      resource_requirements_id: 106,
      scheduler_id: 107,
    })
    expect(bulk.find((j) => j['name'] === 'w_2')).toMatchObject({
      command: 'w > /out/2',
      output_file_ids: [103],
      failure_handler_id: 108,
      priority: 5,
      depends_on_job_ids: [109],
    })
    expect(bulk.find((j) => j['name'] === 'post')).toMatchObject({
      cancel_on_blocking_job_failure: false,
      input_file_ids: [102, 103, 104],
      depends_on_job_ids: [110, 111, 112],
    })
    expect(requests.at(-5)).toEqual({
      method: 'POST',
      path: '/workflows/100/actions',
      body: {
        workflow_id: 100,
        trigger_type: 'on_jobs_ready',
        action_type: 'schedule_nodes',
        job_ids: [110, 111, 112],
        action_config: {
          scheduler_type: 'slurm',
          scheduler_id: 107,
          num_allocations: 1,
          start_one_worker_per_node: false,
        },
        trigger_count: 0,
        required_triggers: 1,
        executed: false,
        persistent: false,
        is_recovery: false,
      },
    })
    expect((requests.at(-4)!.body as { job_ids: unknown }).job_ids).toBeNull()
    expect(rollbackRequest(ids)).toEqual({ method: 'DELETE', path: '/workflows/100', body: null })
  })

  it('checks responses the way torc does', () => {
    const plan = planCreation(parseSpecValue(SMALL), { user: 'a' })
    const ids = newIdMaps()
    const files = plan.steps.find((s) => s.kind === 'files') as CreationStep
    expect(() => buildRequest(files, ids)).toThrow('The workflow must be created before any other record')
    expect(() => recordResponse(plan.steps[0] as CreationStep, {}, ids)).toThrow('Created workflow missing ID')
    recordResponse(
      plan.steps[0] as CreationStep,
      { id: 1, user: 'torc-user', timestamp: '2026-01-01T00:00:00.000Z' },
      ids
    )
    expect(ids).toMatchObject({ workflowUser: 'torc-user', workflowCreatedAt: '2026-01-01T00:00:00.000Z' })
    // The rename keeps the owner Torc recorded (an authenticating server puts its own user there).
    expect(buildRequest(plan.steps.find((s) => s.kind === 'unmark') as CreationStep, ids).body).toEqual({
      name: 'small',
      user: 'torc-user',
    })
    expect(() => recordResponse(files, { files: [] }, ids)).toThrow('create_files returned 0 files, expected 4')
    const jobs = plan.steps.find((s) => s.kind === 'jobs') as CreationStep
    expect(() => buildRequest(jobs, ids)).toThrow("Input file 'in' not found for job 'prep'")
    expect(() => recordResponse(jobs, { jobs: [{}, {}] }, ids)).toThrow('Batch 1 returned 2 jobs but expected 1')
  })

  it('keeps the marker name for itself', () => {
    expect(() => planCreation(parseSpecValue({ name: INCOMPLETE_NAME, jobs: [] }), { user: 'a' })).toThrow(
      `name: "${INCOMPLETE_NAME}" is reserved for workflows still being created`
    )
  })

  it('refuses specs that creation would fail on, listing every problem first', () => {
    const bad = parseSpecValue({
      name: 'bad',
      resource_requirements: [{ name: 'default', num_cpus: 1, memory: '1g' }],
      jobs: [
        { name: 'a', command: 'x', depends_on: ['ghost'], input_files: ['nope'], failure_handler: 'fh' },
        { name: 'b', command: 'x', depends_on_regexes: ['^b$'] },
      ],
    })
    expect(() => planCreation(bad, { user: 'a' })).toThrow(
      [
        "Cannot create resource requirement named 'default' via external API",
        "Failure handler 'fh' not found for job 'a'",
        "jobs[0]: Blocking job 'ghost' not found for job 'a'",
        'jobs: Circular dependency detected in job graph',
      ].join('\n')
    )
  })

  it('adds the monitor default when asked, moves per-job stdio into execution_config, and chunks big levels', () => {
    const spec = parseSpecValue({
      name: 'w',
      jobs: [{ name: 'j_{i}', command: 'x', parameters: { i: '1:2500' }, stdio: { mode: 'combined' } }],
    })
    const plan = planCreation(spec, { user: 'a', enableResourceMonitoring: true, initialize: true })
    const body = (plan.steps[0] as Extract<CreationStep, { kind: 'workflow' }>).body
    expect(body.resource_monitor_config).toEqual({
      enabled: true,
      granularity: 'summary',
      sample_interval_seconds: 10,
      flush_interval_seconds: 300,
      generate_plots: false,
      jobs: { enabled: true, granularity: 'summary' },
      compute_node: null,
    })
    expect(Object.keys(body.execution_config?.job_stdio_overrides ?? {})).toHaveLength(2500)
    expect(kinds(plan)).toEqual([
      'workflow',
      'cancel',
      'archive',
      'jobs',
      'jobs',
      'jobs',
      'unmark',
      'archive',
      'reset_status',
      'initialize',
    ])
  })
})
