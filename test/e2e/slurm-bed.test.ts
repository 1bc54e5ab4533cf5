/**
 * The Slurm test bed is real: Slurm 22.05's own sbatch/squeue/sacct/scancel against slurmctld, slurmd
 * and slurmdbd on loopback (scripts/slurm), cgroup enforcement, and torc 1.0.0 end to end (a real
 * torc-server, `torc slurm generate` with the dynamically detected profile, `torc submit`, jobs run by
 * torc-slurm-job-runner inside Slurm allocations, `torc slurm sacct`). Nothing here is faked.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { run, waitFor } from '../../scripts/slurm/procs.ts'
import { installTorc } from '../../scripts/torc-install.ts'
import { torcBin } from '../../scripts/torc-paths.ts'
import { type RunningTorc, startTorcServer } from '../../scripts/torc-server.ts'
import { haveSlurm, slurmBed, type TestBed } from '../setup/slurm.ts'

const scratch = mkdtempSync(join(tmpdir(), 'torc-edge-slurm-bed-'))
const timings: Record<string, number> = {}
let bed: TestBed

/** Runs `body`, recording how long it took under `name` (printed after the file). */
async function timed<T>(name: string, body: () => Promise<T>): Promise<T> {
  const t0 = performance.now()
  try {
    return await body()
  } finally {
    timings[name] = Math.round(performance.now() - t0)
  }
}

async function slurm(cmd: string, args: string[]): Promise<string> {
  const r = await run(cmd, args, { env: bed.env, cwd: scratch, timeoutMs: 30_000 })
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return r.stdout.trim()
}

const sbatch = async (...args: string[]) => slurm('sbatch', ['--parsable', '-D', scratch, ...args])
const squeueState = async (id: string) => slurm('squeue', ['-h', '-j', id, '-o', '%T']).catch(() => '')

/** The allocation's State and ExitCode from sacct (text form: `sacct --json` gets exit codes wrong in 22.05). */
async function sacctRow(id: string): Promise<{ state: string; exit: string }> {
  const [state = '', exit = ''] = (await slurm('sacct', ['-n', '-P', '-X', '-j', id, '-o', 'State,ExitCode'])).split(
    '|'
  )
  return { state, exit }
}

const TERMINAL = /^(COMPLETED|FAILED|CANCELLED|OUT_OF_MEMORY|TIMEOUT|NODE_FAIL)/
const finalRow = (id: string) =>
  waitFor(`job ${id} to reach a terminal state in sacct`, 60_000, async () => {
    const row = await sacctRow(id)
    return TERMINAL.test(row.state) ? row : undefined
  })

describe.runIf(haveSlurm())('real Slurm test bed', () => {
  beforeAll(async () => {
    bed = await timed('bring-up', slurmBed)
    console.error(`slurm bed steps (ms): ${JSON.stringify(bed.bed.timings)}`)
  }, 300_000)

  afterAll(async () => {
    await timed('stop', async () => bed?.stop())
    rmSync(scratch, { recursive: true, force: true })
    console.error(`slurm-bed.test.ts step times (ms): ${JSON.stringify(timings)}`)
  }, 120_000)

  it('sbatch --wrap runs through squeue to sacct COMPLETED with exit 0:0', async () => {
    await timed('wrap job', async () => {
      const id = await sbatch('-o', 'wrap-%j.out', '--wrap', 'echo hello from $SLURM_JOB_ID; sleep 2')
      expect(id).toMatch(/^\d+$/)
      expect(['PENDING', 'CONFIGURING', 'RUNNING']).toContain(await squeueState(id))
      await waitFor(`job ${id} to leave squeue`, 60_000, async () => ((await squeueState(id)) ? undefined : true), 200)
      expect(await finalRow(id)).toEqual({ state: 'COMPLETED', exit: '0:0' })
      expect(readFileSync(join(scratch, `wrap-${id}.out`), 'utf8')).toBe(`hello from ${id}\n`)
    })
  })

  it('a job using 500 MB under --mem=50M ends OUT_OF_MEMORY (cgroup enforcement)', async () => {
    await timed('oom job', async () => {
      // `tail` holds a newline-free stream in memory: 500 MB without any interpreter.
      const id = await sbatch('--mem=50M', '-o', 'oom-%j.out', '--wrap', 'head -c 500M /dev/zero | tail > /dev/null')
      expect(await finalRow(id)).toEqual({ state: 'OUT_OF_MEMORY', exit: '0:125' })
      expect(readFileSync(join(scratch, `oom-${id}.out`), 'utf8')).toMatch(/oom-kill event/)
    })
  })

  it('scancel ends a pending and a running job CANCELLED', async () => {
    await timed('scancel', async () => {
      const pending = await sbatch('--begin=now+1hour', '-o', '/dev/null', '--wrap', 'true')
      expect(await squeueState(pending)).toBe('PENDING')
      const running = await sbatch('-o', '/dev/null', '--wrap', 'sleep 300')
      await waitFor(`job ${running} to run`, 30_000, async () =>
        (await squeueState(running)) === 'RUNNING' ? true : undefined
      )
      await slurm('scancel', [pending, running])
      expect((await finalRow(pending)).state).toMatch(/^CANCELLED/)
      expect((await finalRow(running)).state).toMatch(/^CANCELLED/)
    })
  })

  describe('torc 1.0.0 on the bed', () => {
    let torc: RunningTorc
    let env: NodeJS.ProcessEnv

    beforeAll(async () => {
      installTorc()
      torc = await startTorcServer()
      // torc-slurm-job-runner must be on PATH at submit time: sbatch exports the environment to the job.
      env = { ...bed.env, PATH: `${dirname(torcBin('torc'))}${delimiter}${bed.env.PATH}`, TORC_API_URL: torc.apiUrl }
    }, 120_000)
    afterAll(async () => torc?.stop())

    async function torcCli(args: string[]): Promise<string> {
      const r = await run(torcBin('torc'), args, { env, cwd: scratch, timeoutMs: 60_000 })
      if (r.status !== 0) throw new Error(`torc ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`)
      return r.stdout
    }

    it('detects the cluster, generates schedulers, and runs a 3-job workflow inside Slurm', async () => {
      const detected = z
        .array(z.object({ name: z.string(), cpus: z.number(), memory_mb: z.number() }))
        .parse(
          JSON.parse(await timed('torc hpc partitions', () => torcCli(['-f', 'json', 'hpc', 'partitions', 'slurm'])))
        )
      expect(detected).toEqual([expect.objectContaining({ name: bed.bed.partition })])

      writeFileSync(join(scratch, 'spec.yaml'), SPEC)
      const generated = await timed('torc slurm generate', () =>
        torcCli(['slurm', 'generate', '--account', bed.bed.account, '-o', 'gen.yaml', 'spec.yaml'])
      )
      expect(generated).toContain('Schedulers generated: 1')
      expect(readFileSync(join(scratch, 'gen.yaml'), 'utf8')).toContain(`account: ${bed.bed.account}`)

      const outDir = join(scratch, 'torc-output')
      // -p 1: the runner's poll interval (30 s by default) would otherwise dominate the test.
      const submitted = z
        .object({ workflow_id: z.number().int() })
        .parse(
          JSON.parse(
            await timed('torc submit', () => torcCli(['-f', 'json', 'submit', '-p', '1', '-o', outDir, 'gen.yaml']))
          )
        )
      const wf = String(submitted.workflow_id)

      const status = await timed('workflow to complete', () =>
        waitFor(
          `workflow ${wf} to complete`,
          90_000,
          async () => {
            const s = Status.parse(JSON.parse(await torcCli(['-f', 'json', 'status', wf])))
            return s.is_complete ? s : undefined
          },
          500
        )
      )
      expect(status.jobs_by_status).toMatchObject({ completed: 3, failed: 0, ready: 0 })

      // The workflow completes when its last job does; the allocation ends a moment later, when the
      // runner sees nothing left and exits. Until then sacct still says RUNNING (CI hit that window).
      const sacct = await timed('torc slurm sacct', () =>
        waitFor(`workflow ${wf}'s allocations to end in sacct`, 60_000, async () => {
          const s = Sacct.parse(JSON.parse(await torcCli(['-f', 'json', 'slurm', 'sacct', wf])))
          return s.summary.length > 0 && s.summary.every((row) => TERMINAL.test(row.state)) ? s : undefined
        })
      )
      const allocations = sacct.summary.filter((row) => row.state === 'COMPLETED').map((row) => row.slurm_job_id)
      expect(allocations.length).toBeGreaterThanOrEqual(1)
      // Slurm's own view of each allocation, the runner's log in it, and each job's output naming it.
      const files = readdirSync(outDir)
      for (const id of allocations) {
        expect(await sacctRow(id)).toEqual({ state: 'COMPLETED', exit: '0:0' })
        expect(files.some((f) => f.startsWith(`job_runner_slurm_wf${wf}_sl${id}_`))).toBe(true)
      }
      const stdio = readdirSync(join(outDir, 'job_stdio')).filter((f) => f.endsWith('.o'))
      const outputs = stdio.map((f) => readFileSync(join(outDir, 'job_stdio', f), 'utf8')).sort()
      expect(outputs.map((o) => o.split(' in ')[0])).toEqual(['a', 'b', 'c'])
      for (const o of outputs) expect(allocations).toContain(o.split(' in ')[1]?.trim())
    })
  })
})

const SPEC = `name: slurm_bed_three
description: three jobs a -> b -> c on the test bed
resource_requirements:
  - name: small
    num_cpus: 1
    num_nodes: 1
    memory: 100m
    runtime: PT2M
jobs:
  - name: job_a
    command: echo "a in $SLURM_JOB_ID"
    resource_requirements: small
  - name: job_b
    command: echo "b in $SLURM_JOB_ID"
    resource_requirements: small
    depends_on: [job_a]
  - name: job_c
    command: echo "c in $SLURM_JOB_ID"
    resource_requirements: small
    depends_on: [job_b]
`

const Status = z.object({
  is_complete: z.boolean(),
  jobs_by_status: z.record(z.string(), z.number()),
})

const Sacct = z.object({
  summary: z.array(z.object({ slurm_job_id: z.string(), state: z.string(), job_step: z.string() })),
})
