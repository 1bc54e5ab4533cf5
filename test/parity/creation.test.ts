import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildRequest,
  type CreationPlan,
  type CreationStep,
  newIdMaps,
  type PlanJob,
  parseSpecValue,
  planCreation,
  planExecution,
  planExecutionFromDatabase,
  recordResponse,
  rollbackRequest,
} from '../../src/workflow-spec/index.ts'
import { SMALL } from '../unit/workflow-spec/creation-specs.ts'
import { examples, needCli, needServer, readFromCrate, sorted, startServer, type TorcServer, torcJson } from './torc.ts'

/**
 * Creation's REST calls against a real torc-server 1.0.0, and the records and plans the CLI makes of the same specs.
 */
describe.runIf(needServer())('creation against a real torc-server 1.0.0', () => {
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

  describe.runIf(needCli())(
    'same records as `torc create` + `torc workflows init`, same plans as `torc workflows execution-plan`',
    () => {
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
