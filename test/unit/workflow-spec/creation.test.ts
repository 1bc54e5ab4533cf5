import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildRequest,
  type CreationPlan,
  type CreationStep,
  INCOMPLETE_NAME,
  newIdMaps,
  type PlanJob,
  parseSpecValue,
  planCreation,
  planExecution,
  planExecutionFromDatabase,
  recordResponse,
  rollbackRequest,
} from '../../../src/workflow-spec/index.ts'
import {
  CLI_SKIP,
  examples,
  HAS_CLI,
  HAS_SERVER,
  readFromCrate,
  sorted,
  startServer,
  type TorcServer,
  torcJson,
} from './helpers.ts'

const SMALL = {
  name: 'small',
  user: 'ignored',
  files: [
    { name: 'in', path: '/in' },
    { name: 'out_{i}', path: '/out/{i}', parameters: { i: '1:3' } },
  ],
  user_data: [{ name: 'cfg', data: { a: 1 } }, { data: 'unnamed is skipped' }],
  resource_requirements: [{ name: 'r', num_cpus: 2, memory: '4g' }],
  slurm_schedulers: [{ name: 's', account: 'acct' }, { account: 'skipped' }],
  failure_handlers: [
    { name: 'retry', rules: [{ exit_codes: [1, 2] }, { match_all_exit_codes: true, max_retries: 1 }] },
  ],
  actions: [
    {
      trigger_type: 'on_jobs_ready',
      action_type: 'schedule_nodes',
      job_name_regexes: ['^w_'],
      scheduler: 's',
      scheduler_type: 'slurm',
    },
    { trigger_type: 'on_workflow_complete', action_type: 'run_commands', commands: ['echo done'] },
  ],
  jobs: [
    { name: 'prep', command: 'p ${files.input.in}', resource_requirements: 'r', scheduler: 's' },
    {
      name: 'w_{i}',
      command: 'w > ${files.output.out_{i}}',
      parameters: { i: '1:3' },
      depends_on: ['prep'],
      failure_handler: 'retry',
      priority: 5,
    },
    {
      name: 'post',
      command: 'q',
      input_file_regexes: ['^out_\\d$'],
      depends_on_regexes: ['^w_'],
      cancel_on_blocking_job_failure: false,
    },
  ],
}

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

describe.skipIf(!HAS_SERVER)('creation against a real torc-server 1.0.0', () => {
  let server: TorcServer
  beforeAll(async () => {
    server = await startServer()
  }, 60_000)
  afterAll(() => server?.stop())

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
    return JSON.parse(text)
  }

  /** The tiny executor the Worker will have: send each step, learn ids, roll back on failure. */
  async function execute(plan: CreationPlan): Promise<number> {
    const ids = newIdMaps()
    try {
      for (const step of plan.steps) {
        const request = buildRequest(step, ids)
        recordResponse(step, await call(request.method, request.path, request.body), ids)
      }
      return ids.workflowId as number
    } catch (error) {
      const rollback = rollbackRequest(ids)
      if (rollback) await call(rollback.method, rollback.path, null).catch(() => undefined)
      throw error
    }
  }

  const items = async (path: string): Promise<Record<string, unknown>[]> =>
    ((await call('GET', path)) as { items: Record<string, unknown>[] }).items

  /** The workflow as names, so two creations can be compared regardless of ids. */
  async function snapshot(id: number) {
    const names = (list: Record<string, unknown>[]) =>
      new Map(list.map((x) => [x['id'] as number, x['name'] as string]))
    const files = await items(`/files?workflow_id=${id}&limit=100000`)
    const userData = await items(`/user_data?workflow_id=${id}&limit=100000`)
    const rrs = await items(`/resource_requirements?workflow_id=${id}&limit=100000`)
    const schedulers = await items(`/slurm_schedulers?workflow_id=${id}&limit=100000`)
    const handlers = await items(`/workflows/${id}/failure_handlers?limit=100000`)
    const jobs = await items(`/jobs?workflow_id=${id}&include_relationships=true&limit=100000`)
    const [f, u, r, s, h, j] = [files, userData, rrs, schedulers, handlers, jobs].map(names) as Map<number, string>[]
    const map = (list: unknown, by: Map<number, string> | undefined) =>
      sorted(((list as number[] | null) ?? []).map((i) => by?.get(i) ?? `?${i}`))
    const strip = (x: Record<string, unknown>, ...keys: string[]) =>
      Object.fromEntries(Object.entries(x).filter(([k]) => !['id', 'workflow_id', ...keys].includes(k)))
    const workflow = strip(
      (await call('GET', `/workflows/${id}`)) as Record<string, unknown>,
      'timestamp',
      'submission_directory'
    )
    const actions = ((await call('GET', `/workflows/${id}/actions`)) as Record<string, unknown>[]).map((a) => {
      const config = { ...(a['action_config'] as Record<string, unknown>) }
      if (typeof config['scheduler_id'] === 'number' && config['scheduler_id'] !== 0)
        config['scheduler_id'] = s?.get(config['scheduler_id'])
      return { ...strip(a), action_config: config, job_ids: map(a['job_ids'], j) }
    })
    return {
      workflow,
      files: sorted(files.map((x) => `${x['name']}=${x['path']}`)),
      user_data: userData.map((x) => strip(x)),
      resource_requirements: rrs.map((x) => strip(x)).filter((x) => x['name'] !== 'default'),
      slurm_schedulers: schedulers.map((x) => strip(x)),
      failure_handlers: handlers.map((x) => strip(x)),
      actions,
      jobs: jobs
        .map(
          (x): Record<string, unknown> => ({
            ...strip(
              x,
              'depends_on_job_ids',
              'input_file_ids',
              'output_file_ids',
              'input_user_data_ids',
              'output_user_data_ids',
              'resource_requirements_id',
              'scheduler_id',
              'failure_handler_id'
            ),
            depends_on: map(x['depends_on_job_ids'], j),
            input_files: map(x['input_file_ids'], f),
            output_files: map(x['output_file_ids'], f),
            input_user_data: map(x['input_user_data_ids'], u),
            output_user_data: map(x['output_user_data_ids'], u),
            resource_requirements:
              x['resource_requirements_id'] == null ? null : r?.get(x['resource_requirements_id'] as number),
            scheduler: x['scheduler_id'] == null ? null : s?.get(x['scheduler_id'] as number),
            failure_handler: x['failure_handler_id'] == null ? null : h?.get(x['failure_handler_id'] as number),
          })
        )
        .sort((a, b) => (String(a['name']) < String(b['name']) ? -1 : 1)),
    }
  }

  it('creates the tiny workflow and rolls back a failing one', async () => {
    const id = await execute(planCreation(parseSpecValue(SMALL), { user: 'alice' }))
    const got = await snapshot(id)
    // The guard is off again: its own name, not archived, not canceled, run 1 (reset_status).
    expect(got.workflow).toMatchObject({
      name: 'small',
      user: 'alice',
      is_archived: false,
      is_canceled: false,
      run_id: 1,
    })
    expect(got.jobs.find((j) => j['name'] === 'post')).toMatchObject({
      depends_on: ['w_1', 'w_2', 'w_3'],
      input_files: ['out_1', 'out_2', 'out_3'],
    })
    const broken = planCreation(
      parseSpecValue({
        name: 'x',
        resource_requirements: [{ name: 'r', num_cpus: 1, memory: '1g', runtime: 'PT1H' }],
        jobs: [],
      }),
      { user: 'a' }
    )
    const rr = broken.steps.find((s) => s.kind === 'resource_requirements')
    ;(rr as Extract<CreationStep, { kind: 'resource_requirements' }>).body.runtime = 'forever'
    const before = (await items('/workflows?limit=1000')).length
    await expect(execute(broken)).rejects.toThrow(/resource_requirements: 422/)
    expect((await items('/workflows?limit=1000')).length).toBe(before)
  })

  describe.skipIf(!HAS_CLI)(
    'same records as `torc create` + `torc workflows init`, same plans as `torc workflows execution-plan`',
    () => {
      if (!HAS_CLI) it.skip(CLI_SKIP, () => {})
      // `torc workflows init` stats the files it finds from its working directory; the edge has no
      // disk, so the CLI initialises from an empty one (missing inputs are allowed with --force).
      const empty = mkdtempSync(join(tmpdir(), 'torc-init-'))
      afterAll(() => rmSync(empty, { recursive: true, force: true }))

      type Plan = ReturnType<typeof planExecutionFromDatabase>
      type CliPlan = Omit<Plan, 'events'> & {
        events: (Omit<Plan['events'][number], 'scheduler_allocations'> & {
          scheduler_allocations: {
            scheduler: string
            scheduler_type: string
            num_allocations: number
            job_names: string[]
          }[]
        })[]
      }
      /** A plan in full, with every collection whose order torc leaves unspecified sorted. */
      const full = (p: Plan | CliPlan) => ({
        workflow: [p.workflow_id, p.workflow_name, p.total_events, p.total_jobs],
        root_events: sorted(p.root_events),
        leaf_events: sorted(p.leaf_events),
        events: [...p.events]
          .sort((a, b) => (a.id < b.id ? -1 : 1))
          .map((e) => ({
            id: e.id,
            trigger:
              e.trigger.type === 'JobsComplete'
                ? { ...e.trigger, data: { jobs: sorted(e.trigger.data.jobs) } }
                : e.trigger,
            trigger_description: e.trigger_description,
            jobs_becoming_ready: sorted(e.jobs_becoming_ready),
            depends_on_events: sorted(e.depends_on_events),
            unlocks_events: sorted(e.unlocks_events),
            scheduler_allocations: sorted(
              e.scheduler_allocations.map((a) => {
                const jobs = 'jobs' in a ? a.jobs : a.job_names
                return JSON.stringify([a.scheduler, a.scheduler_type, a.num_allocations, sorted(jobs)])
              })
            ),
          })),
      })

      it.each(examples().map((e) => [e.name, e] as const))('%s', async (_, example) => {
        const options = { format: example.format, readFile: readFromCrate, kdlAliases: false }
        const ours = await execute(planCreation(example.text, { ...options, user: 'tester', initialize: true }))
        const env = { TORC_API_URL: server.url, USER: 'tester' }
        const cli = (await torcJson(['create', '--no-resource-monitoring', example.path], env)) as {
          workflow_id: number
        }
        // --async and our own polling: the CLI waits in 10-second steps.
        const init = (await torcJson(
          ['workflows', 'init', String(cli.workflow_id), '--force', '--no-prompts', '--async'],
          env,
          empty
        )) as { task_id: number }
        for (let status = ''; status !== 'succeeded'; await new Promise((r) => setTimeout(r, 20))) {
          status = ((await call('GET', `/tasks/${init.task_id}`)) as { status: string }).status
          expect(status).not.toBe('failed')
        }
        const [a, b] = [await snapshot(ours), await snapshot(cli.workflow_id)]
        expect(a).toEqual(b)
        expect(a.jobs.filter((j) => j['status'] === 'uninitialized')).toEqual([])
        if (example.name === 'yaml/diamond_workflow.yaml') {
          // Its dependencies exist only through files: initialisation made them, on both sides.
          expect(a.jobs.map((j) => [j['name'], j['status'], j['depends_on']])).toEqual([
            ['postprocess', 'blocked', ['work1', 'work2']],
            ['preprocess', 'ready', []],
            ['work1', 'blocked', ['preprocess']],
            ['work2', 'blocked', ['preprocess']],
          ])
        }

        const jobs = (await items(`/jobs?workflow_id=${ours}&include_relationships=true&limit=100000`)) as PlanJob[]
        const actions = (await call('GET', `/workflows/${ours}/actions`)) as Parameters<
          typeof planExecutionFromDatabase
        >[0]['actions']
        const schedulers = (await items(`/slurm_schedulers?workflow_id=${ours}&limit=100000`)) as {
          id: number
          name: string
        }[]
        const plan = planExecutionFromDatabase({
          workflow: { id: ours, name: example.name },
          jobs,
          actions,
          slurmSchedulers: schedulers,
        })
        const theirs = (await torcJson(['workflows', 'execution-plan', String(ours)], env)) as CliPlan
        expect(full(plan)).toEqual(full({ ...theirs, workflow_name: example.name }))
        // The CLI plans its own workflow the same way: the two initialised workflows run alike.
        const theirsOfCli = (await torcJson(['workflows', 'execution-plan', String(cli.workflow_id)], env)) as CliPlan
        expect(full({ ...theirsOfCli, workflow_id: ours })).toEqual(full(theirs))
        if (example.name.startsWith('subgraphs/')) {
          // As the Rust test asserts for these: the database plan matches the spec plan.
          const spec = planExecution(example.text, options)
          expect(sorted(plan.events.flatMap((e) => e.jobs_becoming_ready))).toEqual(
            sorted(spec.events.flatMap((e) => e.jobs_becoming_ready))
          )
        }
      })
    }
  )
})
