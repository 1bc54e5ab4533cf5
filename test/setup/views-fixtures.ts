/**
 * Workflows the view tests look at, built in the real torc-server by scripts/torc-seed.ts, with job
 * logs written where Torc's runners write them (job_stdio/job_wf<w>_j<j>_r<r>_a<a>.o|.e) under the
 * site server's output directory.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createWorkflow,
  drive,
  type Outcome,
  stopRunner,
  type TorcApi,
  type WorkflowFixture,
} from '../../scripts/torc-seed.ts'

const GiB = 1024 ** 3

/**
 * preprocess -> work_1..work_6 -> postprocess. work_2 peaks over its 2g, work_3 over its 4 CPUs,
 * work_4 past its PT30M; work_5 is OOM-killed (137), work_6 fails (1); postprocess is canceled.
 */
export const PIPELINE: Record<string, Outcome> = {
  preprocess: {
    status: 'completed',
    return_code: 0,
    exec_time_minutes: 1,
    peak_memory_bytes: 0.4 * GiB,
    peak_cpu_percent: 90,
  },
  work_1: {
    status: 'completed',
    return_code: 0,
    exec_time_minutes: 12,
    peak_memory_bytes: 1.5 * GiB,
    peak_cpu_percent: 350,
  },
  work_2: {
    status: 'completed',
    return_code: 0,
    exec_time_minutes: 14,
    peak_memory_bytes: 2.6 * GiB,
    peak_cpu_percent: 380,
  },
  work_3: {
    status: 'completed',
    return_code: 0,
    exec_time_minutes: 20,
    peak_memory_bytes: 1.8 * GiB,
    peak_cpu_percent: 650,
  },
  work_4: {
    status: 'completed',
    return_code: 0,
    exec_time_minutes: 33,
    peak_memory_bytes: 1.2 * GiB,
    peak_cpu_percent: 300,
  },
  work_5: {
    status: 'failed',
    return_code: 137,
    exec_time_minutes: 3.2,
    peak_memory_bytes: 2.9 * GiB,
    peak_cpu_percent: 390,
  },
  work_6: { status: 'failed', return_code: 1, exec_time_minutes: 5, peak_memory_bytes: 1 * GiB, peak_cpu_percent: 100 },
}

const WORK = ['work_1', 'work_2', 'work_3', 'work_4', 'work_5', 'work_6']

export async function pipelineWorkflow(
  api: TorcApi,
  outputDir: string,
  name = 'views-pipeline'
): Promise<WorkflowFixture> {
  const wf = await createWorkflow(api, {
    name,
    description: 'preprocess, six work jobs, postprocess',
    resources: {
      small: { num_cpus: 1, memory: '1g', runtime: 'PT10M' },
      work: { num_cpus: 4, memory: '2g', runtime: 'PT30M' },
    },
    jobs: [
      { name: 'preprocess', resources: 'small' },
      ...WORK.map((job) => ({
        name: job,
        resources: 'work',
        depends_on: ['preprocess'],
        command: `python work.py ${job}`,
      })),
      { name: 'postprocess', resources: 'small', depends_on: WORK },
    ],
  })
  await drive(api, wf, (job) => {
    const outcome = PIPELINE[job]
    return outcome && { ...outcome, peak_memory_bytes: Math.round(outcome.peak_memory_bytes ?? 0) }
  })
  await stopRunner(api, wf)
  writeLogs(outputDir, wf)
  return wf
}

function writeLogs(outputDir: string, wf: WorkflowFixture): void {
  const log = (job: string, ext: 'o' | 'e', text: string) =>
    writeFileSync(join(outputDir, 'job_stdio', `job_wf${wf.id}_j${wf.jobIds.get(job)}_r${wf.runId}_a1.${ext}`), text)
  // A long stdout (about 0.9 MB): the view's first read is its last 64 KiB, and a grep for an early
  // line finds it only once "search further back" reads the whole file (1 MiB from the end).
  const steps = Array.from(
    { length: 16_000 },
    (_, i) => `step ${String(i).padStart(5, '0')}: chunk loaded, 512 rows merged into the frame`
  )
  log('work_5', 'o', `${steps.join('\n')}\n`)
  log(
    'work_5',
    'e',
    [
      'INFO starting work_5 with 4 threads',
      'loading partition 5 of 6',
      'Traceback (most recent call last):',
      '  File "work.py", line 88, in merge',
      '    frame = frame.join(other)',
      'MemoryError: Unable to allocate 1.2 GiB for an array',
      'slurmstepd: error: Detected 1 oom-kill event in StepId=4242.0',
      'process was Killed by the kernel: out of memory',
      '',
    ].join('\n')
  )
  log('work_6', 'o', 'reading input.csv\n')
  log(
    'work_6',
    'e',
    "FileNotFoundError: [Errno 2] No such file or directory: 'input.csv'\nwork_6 failed with exit code 1\n"
  )
  for (const job of ['preprocess', 'work_1', 'work_2']) log(job, 'o', `${job} done\n`)
}
