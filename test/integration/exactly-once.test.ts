/**
 * Exactly once, for every write tool, against the real torc-server: per pair, one preview, then two
 * applies of the same plan_id sent at the same moment (one through REST, one through MCP, in
 * alternating order). Exactly one succeeds, the other is refused with conflict (409; MCP isError),
 * and Torc's state, read through its own REST API, equals one apply. Pairs run in parallel, one
 * workflow each. Measured before the change primitive: 3 of 13 recover pairs applied twice and 7 of
 * 10 failed on both calls, leaving half-changed workflows; update_job_resources 5 of 5 twice.
 */
import { describe, expect, it } from 'vitest'
import type { ToolName } from '../../src/tools/index.ts'
import { type Confirm, callVia, mcpClient, rest } from '../helpers/worker-faces.ts'
import { createWorkflow, drive, stopRunner, torcApi, type WorkflowFixture } from '../helpers/worker-torc.ts'

const PAIRS = 20
const GB = 1024 ** 3
type Face = 'rest' | 'mcp'
type Row = Record<string, unknown>
/** What Torc shows after the two applies: one apply's effect, more (twice), or part of one (half). */
type State = 'once' | 'twice' | 'half'

interface Pair {
  /** The preview call (create_workflow previews confirm_create_workflow). */
  preview: { tool: ToolName; input: Record<string, unknown> }
  state(): Promise<State>
}
interface Case {
  tool: ToolName
  setup(i: number): Promise<Pair>
}

const items = async (path: string): Promise<Row[]> => (await torcApi<{ items: Row[] }>('GET', path)).items
const workflow = (id: number) => torcApi<{ run_id: number }>('GET', `/workflows/${id}`)
const job = (id: number) =>
  torcApi<{ status: string; attempt_id: number; resource_requirements_id: number }>('GET', `/jobs/${id}`)
const requirement = (id: number) => torcApi<{ memory: string; name: string }>('GET', `/resource_requirements/${id}`)
const status = (id: number) =>
  torcApi<{ is_canceled: boolean; jobs_by_status: Record<string, number> }>('GET', `/workflows/${id}/status`)

/** A workflow whose `oom` job was killed at 11 GB on a 10g requirement it shares with `ok` (completed). */
async function oomWorkflow(name: string, outcome: 'failed' | 'pending_failed' = 'failed'): Promise<WorkflowFixture> {
  const wf = await createWorkflow({
    name,
    resources: { work: { num_cpus: 1, memory: '10g', runtime: 'PT1H' } },
    jobs: [
      { name: 'oom', resources: 'work' },
      { name: 'ok', resources: 'work' },
    ],
  })
  await drive(wf, (j) =>
    j === 'oom'
      ? { status: outcome, return_code: 137, exec_time_minutes: 1, peak_memory_bytes: 11 * GB }
      : { status: 'completed', return_code: 0, exec_time_minutes: 1, peak_memory_bytes: 2 * GB }
  )
  await stopRunner(wf)
  return wf
}

/** A job's own copies of requirement `work` (named `work_job<id>`). */
const copiesFor = async (wf: WorkflowFixture, jobId: number) =>
  (await items(`/resource_requirements?workflow_id=${wf.id}&limit=1000`)).filter(
    (r) => r['name'] === `work_job${jobId}`
  )

const cases: Case[] = [
  {
    tool: 'recover_workflow',
    async setup(i) {
      const wf = await oomWorkflow(`once-recover-${i}`)
      const oom = wf.jobIds.get('oom')!
      const rr = (await job(oom)).resource_requirements_id
      return {
        preview: { tool: 'recover_workflow', input: { workflow_id: wf.id } },
        async state() {
          const [run, memory, j] = [(await workflow(wf.id)).run_id, (await requirement(rr)).memory, await job(oom)]
          // 10g x 1.5 = 15g (above 11 GB + 10%); twice would be a second run and 23g.
          if (run === 2 && memory === '15g' && j.status === 'ready') return 'once'
          return run > 2 || (memory !== '15g' && memory !== '10g') ? 'twice' : 'half'
        },
      }
    },
  },
  {
    tool: 'update_job_resources',
    async setup(i) {
      const wf = await oomWorkflow(`once-resources-${i}`)
      const oom = wf.jobIds.get('oom')!
      const shared = (await job(oom)).resource_requirements_id
      return {
        preview: { tool: 'update_job_resources', input: { job_id: oom, memory: '15g' } },
        async state() {
          const copies = await copiesFor(wf, oom)
          if (copies.length > 1) return 'twice'
          const [mine, other] = [await job(oom), await job(wf.jobIds.get('ok')!)]
          const ok =
            copies.length === 1 &&
            copies[0]!['memory'] === '15g' &&
            mine.resource_requirements_id === copies[0]!['id'] &&
            other.resource_requirements_id === shared &&
            (await requirement(shared)).memory === '10g'
          return ok ? 'once' : 'half'
        },
      }
    },
  },
  {
    tool: 'classify_and_resolve_failures',
    async setup(i) {
      const wf = await oomWorkflow(`once-classify-${i}`, 'pending_failed')
      const oom = wf.jobIds.get('oom')!
      return {
        preview: {
          tool: 'classify_and_resolve_failures',
          input: { workflow_id: wf.id, classifications: [{ job_id: oom, action: 'retry', memory: '15g' }] },
        },
        async state() {
          const [j, copies] = [await job(oom), await copiesFor(wf, oom)]
          if (j.attempt_id > 2 || copies.length > 1) return 'twice'
          const own =
            copies.length === 1 && copies[0]!['memory'] === '15g' && j.resource_requirements_id === copies[0]!['id']
          return j.attempt_id === 2 && j.status === 'ready' && own ? 'once' : 'half'
        },
      }
    },
  },
  {
    tool: 'cancel_workflow',
    async setup(i) {
      const wf = await createWorkflow({ name: `once-cancel-${i}`, jobs: [{ name: 'a' }, { name: 'b' }] })
      await drive(wf, () => undefined)
      return {
        preview: { tool: 'cancel_workflow', input: { workflow_id: wf.id } },
        async state() {
          const s = await status(wf.id)
          return s.is_canceled && s.jobs_by_status['canceled'] === 2 ? 'once' : 'half'
        },
      }
    },
  },
  {
    tool: 'cancel_jobs',
    async setup(i) {
      const wf = await createWorkflow({ name: `once-cancel-jobs-${i}`, jobs: [{ name: 'x' }, { name: 'y' }] })
      const x = wf.jobIds.get('x')!
      return {
        preview: { tool: 'cancel_jobs', input: { job_ids: [x] } },
        async state() {
          // Each cancel records a result with -15: one result, one cancel.
          const results = await items(`/results?workflow_id=${wf.id}&job_id=${x}&limit=100`)
          if (results.length > 1) return 'twice'
          const s = await status(wf.id)
          return results.length === 1 && (await job(x)).status === 'canceled' && s.jobs_by_status['ready'] === 1
            ? 'once'
            : 'half'
        },
      }
    },
  },
  {
    tool: 'restart_failed_jobs',
    async setup(i) {
      const wf = await createWorkflow({ name: `once-restart-${i}`, jobs: [{ name: 'f1' }, { name: 'f2' }] })
      await drive(wf, () => ({ status: 'failed', return_code: 2, exec_time_minutes: 0.1 }))
      await stopRunner(wf)
      return {
        preview: { tool: 'restart_failed_jobs', input: { workflow_id: wf.id } },
        async state() {
          const [run, s] = [(await workflow(wf.id)).run_id, await status(wf.id)]
          if (run > 2) return 'twice'
          return run === 2 && s.jobs_by_status['ready'] === 2 && s.jobs_by_status['failed'] === 0 ? 'once' : 'half'
        },
      }
    },
  },
  {
    tool: 'confirm_create_workflow',
    async setup(i) {
      const name = `once-create-${i}-${crypto.randomUUID().slice(0, 8)}`
      const spec = JSON.stringify({ name, jobs: [{ name: 'only', command: 'echo hi' }] })
      return {
        preview: { tool: 'create_workflow', input: { spec, action: 'create_workflow' } },
        async state() {
          const made = await items(`/workflows?name=${encodeURIComponent(name)}&limit=100`)
          if (made.length > 1) return 'twice'
          if (made.length === 0) return 'half'
          const s = await status(made[0]!['id'] as number)
          return s.jobs_by_status['ready'] === 1 ? 'once' : 'half'
        },
      }
    },
  },
]

type Outcome = { face: Face; kind: 'applied' | 'conflict' | 'other'; detail: string }

/** Two applies of one confirm call, released together: the MCP session is opened first. */
async function applyTwice(confirm: Confirm, first: Face): Promise<Outcome[]> {
  const client = await mcpClient()
  const viaRest = async (): Promise<Outcome> => {
    const res = await rest(confirm.tool, confirm.arguments)
    const kind =
      res.status === 200 && res.body.status === 'applied'
        ? 'applied'
        : res.status === 409 && res.body.error?.code === 'conflict'
          ? 'conflict'
          : 'other'
    return { face: 'rest', kind, detail: `${res.status} ${JSON.stringify(res.body).slice(0, 300)}` }
  }
  const viaMcp = async (): Promise<Outcome> => {
    const result = await client.callTool({ name: confirm.tool, arguments: confirm.arguments })
    const text = (result.content as { text?: string }[] | undefined)?.[0]?.text ?? ''
    const applied = (result.structuredContent as { status?: string } | undefined)?.status === 'applied'
    const kind =
      !result.isError && applied ? 'applied' : result.isError && text.startsWith('conflict: ') ? 'conflict' : 'other'
    return { face: 'mcp', kind, detail: text.slice(0, 300) }
  }
  try {
    return await Promise.all(first === 'rest' ? [viaRest(), viaMcp()] : [viaMcp(), viaRest()])
  } finally {
    await client.close()
  }
}

/** busy: the other apply held the scope's lock; after: it had finished (already applied, or the state moved on). */
const reason = (detail: string) => (/is being applied to/.test(detail) ? 'busy' : 'after')

/** Runs `fn` over `values`, `width` at a time (Torc is one SQLite database). */
async function inBatches<T, R>(values: readonly T[], width: number, fn: (value: T) => Promise<R>): Promise<R[]> {
  const out: R[] = []
  for (let i = 0; i < values.length; i += width) out.push(...(await Promise.all(values.slice(i, i + width).map(fn))))
  return out
}

describe('two applies of one plan at the same moment take effect exactly once', () => {
  for (const c of cases) {
    it(`${c.tool}: ${PAIRS} concurrent pairs`, async () => {
      const indexes = Array.from({ length: PAIRS }, (_, i) => i)
      const pairs = await inBatches(indexes, 5, (i) => c.setup(i))
      const runs = await Promise.all(
        pairs.map(async (pair, i) => {
          const face: Face = i % 2 ? 'mcp' : 'rest'
          const preview = await callVia(face, pair.preview.tool, pair.preview.input)
          expect(preview.confirm?.tool, JSON.stringify(preview).slice(0, 500)).toBe(c.tool)
          expect(preview.confirm.arguments).toMatchObject({ dry_run: false, plan_id: preview.plan_id })
          const outcomes = await applyTwice(preview.confirm, face)
          return { outcomes, state: await pair.state() }
        })
      )
      const applied = runs.map((r) => r.outcomes.filter((o) => o.kind === 'applied').length)
      const counts = {
        pairs: runs.length,
        double_applies: runs.filter((r, i) => applied[i] === 2 || r.state === 'twice').length,
        half_applies: runs.filter((r, i) => applied[i] === 0 || r.state === 'half').length,
        applied_by: {
          rest: runs.filter((r) => r.outcomes.some((o) => o.face === 'rest' && o.kind === 'applied')).length,
          mcp: runs.filter((r) => r.outcomes.some((o) => o.face === 'mcp' && o.kind === 'applied')).length,
        },
      }
      // Why the loser was refused: the lock held by the other apply, or that apply already recorded.
      const refusals = runs.flatMap((r) => r.outcomes.filter((o) => o.kind === 'conflict').map((o) => reason(o.detail)))
      const by = (k: string) => refusals.filter((r) => r === k).length
      Object.assign(counts, { refused_while_applying: by('busy'), refused_after: by('after') })
      console.log(`exactly-once ${c.tool}: ${JSON.stringify(counts)}`)
      const odd = runs.filter(
        (r) =>
          r.state !== 'once' ||
          r.outcomes
            .map((o) => o.kind)
            .sort()
            .join() !== 'applied,conflict'
      )
      expect(odd, JSON.stringify(odd.slice(0, 3), null, 1)).toEqual([])
      expect(counts).toMatchObject({ pairs: PAIRS, double_applies: 0, half_applies: 0 })
      // The two applies really overlapped: losers were refused while the winner held the lock.
      expect(by('busy')).toBeGreaterThan(0)
    })
  }
})
