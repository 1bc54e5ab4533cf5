/**
 * regroup_job_resources (src/tools/regroup.ts) on a scripted Torc: the change contract, the preview
 * of each group, refusals of groups that name foreign or repeated jobs, and a name already taken.
 */
import { describe, expect, it } from 'vitest'
import { regroupJobResources } from '../../../src/tools/regroup.ts'
import { changeContract, session } from './change-contract.ts'
import { data, failure, quietToolLogs } from './harness.ts'
import { TorcModel } from './torc-model.ts'

quietToolLogs()

/** Three jobs on "small" (ids 1001-1003), one on "gpu" (1005). */
function world() {
  const m = new TorcModel()
  const small = m.requirement('small', { memory: '2g', num_gpus: 1, num_nodes: 2 })
  const abc = ['a', 'b', 'c'].map((n) => m.job(n, small))
  const gpu = m.requirement('gpu', { memory: '40g' })
  const d = m.job('d', gpu)
  return Object.assign(m, { small, gpu, abc, d })
}
const state = (m: ReturnType<typeof world>) => ({
  requirements: [...m.requirements.values()].map(({ name, memory, num_cpus, runtime, num_gpus, num_nodes }) => ({
    name,
    memory,
    num_cpus,
    runtime,
    num_gpus,
    num_nodes,
  })),
  jobs: [...m.jobs.values()].map((j) => [j.name, m.requirements.get(j.resource_requirements_id!)?.name]),
})
const heavy = { name: 'heavy', memory: '20g', num_cpus: 4, runtime: 'PT2H', job_ids: [1001, 1002] }
const contract = {
  tool: regroupJobResources,
  world,
  state,
  input: { workflow_id: 1, groups: [heavy] },
  differing: { groups: [{ ...heavy, memory: '24g' }] },
  midway: { method: 'PUT', path: /^\/jobs\/\d+$/, nth: 2 },
  firstRead: { method: 'GET', path: '/jobs' },
}

describe('regroup_job_resources: the change contract', () => {
  changeContract(contract)
})

describe('regroup_job_resources', () => {
  it("previews each group with its jobs' current requirement; GPUs and nodes default to the first job's", async () => {
    const m = world()
    const { call } = session(contract, m)
    const preview = data(await call({ workflow_id: 1, groups: [{ ...heavy, name: undefined }] }))
    expect(preview.groups).toEqual([
      {
        group_index: 0,
        name: 'group_0',
        new_config: { memory: '20g', num_cpus: 4, runtime: 'PT2H', num_gpus: 1, num_nodes: 2 },
        job_count: 2,
        jobs: [1001, 1002].map((id, i) => ({
          job_id: id,
          name: 'ab'[i],
          current: {
            id: m.small.id,
            name: 'small',
            memory: '2g',
            num_cpus: 1,
            runtime: 'PT30M',
            num_gpus: 1,
            num_nodes: 2,
          },
        })),
      },
    ])
    expect(preview.total_jobs_affected).toBe(2)
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied).toMatchObject({
      total_jobs_updated: 2,
      groups: [{ name: 'group_0', jobs_updated: [1001, 1002] }],
    })
    expect(m.jobs.get(1003)!.resource_requirements_id).toBe(m.small.id)
  })

  it('reuses a requirement of the same name and values, and moves only the jobs not on it yet', async () => {
    const m = world()
    const { call } = session(contract, m)
    const group = { name: 'gpu', memory: '40g', num_cpus: 1, runtime: 'PT30M', num_gpus: 0, num_nodes: 1 }
    const preview = data(await call({ workflow_id: 1, groups: [{ ...group, job_ids: [m.d.id, 1003] }] }))
    expect(preview.blockers).toEqual([])
    const applied = data(await call(preview.confirm.arguments))
    expect(applied.applied.groups).toEqual([{ name: 'gpu', resource_requirements_id: m.gpu.id, jobs_updated: [1003] }])
    expect(m.torc.calls().filter((c) => c === 'POST /resource_requirements')).toEqual([])
  })

  it('a name taken by a requirement with other values blocks the plan, saying to rename the group', async () => {
    const m = world()
    const { call } = session(contract, m)
    const preview = data(await call({ workflow_id: 1, groups: [{ ...heavy, name: 'gpu' }] }))
    expect(preview).toMatchObject({ can_apply: false, confirm: null })
    expect(preview.blockers).toEqual([
      'a requirement named "gpu" already exists with other values: give the group another name',
    ])
  })

  it('refuses jobs of another workflow and jobs in two groups, naming where, before any write', async () => {
    const m = world()
    const { call } = session(contract, m)
    const foreign = failure(await call({ workflow_id: 1, groups: [{ ...heavy, job_ids: [1001, 77] }] }))
    expect(foreign).toMatchObject({
      code: 'invalid_input',
      message: 'invalid input: groups[0].job_ids: job 77 is not a job of workflow 1',
    })
    const twice = failure(await call({ workflow_id: 1, groups: [heavy, { ...heavy, name: 'again', job_ids: [1002] }] }))
    expect(twice.message).toBe('invalid input: groups[1].job_ids: job 1002 is in more than one group')
    const empty = failure(await call({ workflow_id: 1, groups: [] }))
    expect(empty.code).toBe('invalid_input')
    expect(empty.message).toMatch(/^invalid input: groups: /)
    expect(m.torc.calls().filter((c) => !c.startsWith('GET'))).toEqual([])
  })

  it('reads every page of a workflow larger than one Torc page (25,000 jobs)', async () => {
    const m = world()
    for (let i = 0; i < 25_000; i++) m.job(`w${i}`, m.small, 'completed', { id: 100_000 + i })
    const { call } = session(contract, m)
    const preview = data(await call({ workflow_id: 1, groups: [{ ...heavy, job_ids: [124_999, 1001] }] }))
    expect(preview.groups[0].jobs.map((j: { name: string }) => j.name)).toEqual(['w24999', 'a'])
    const pages = m.torc.sent.filter((s) => s.path === '/jobs').map((s) => s.query.get('offset'))
    expect(pages).toEqual(['0', '10000', '20000'])
  })
})
