import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningSite, startSiteServer } from '../../scripts/site-server.ts'
import { analyzeBundle } from '../../src/logs/analyze.ts'
import { MAX_LINE } from '../../src/logs/lines.ts'
import { OutputClient } from '../../src/output/client.ts'
import { createTransport } from '../../src/transport.ts'
import { needCli, TORC } from './torc.ts'

/**
 * Parity with the real torc 1.0.0 CLI (`torc logs analyze <dir> --workflow-id N`) on a corpus of
 * tricky lines at Torc's real paths, analysed here through the site server. The corpus avoids the
 * two cases where torc-edge deliberately differs: invalid UTF-8 (1.0.0 skips the file) and a
 * multi-byte character across byte 117 of a long line (1.0.0 panics).
 */
const WF = 5
const fragments = [
  'Killed',
  'killed',
  'KILLED',
  'oom',
  'room',
  'Zoom',
  'OOM-killer',
  'out of memory',
  'Out Of Memory',
  'cannot allocate memory',
  'timeout',
  'TIMEOUT',
  'time limit',
  'DUE TO TIME LIMIT',
  'timed out',
  'walltime',
  'timeouts',
  'CANCELLED',
  'cancelled',
  'slurmstepd:',
  'OUT_OF_MEMORY',
  'oom_kill',
  'segfault',
  'Segmentation fault',
  'SIGSEGV',
  'permission denied',
  'Access Denied',
  'EACCES',
  'ENOENT',
  'No such file or directory',
  'file not found',
  'No space left on device',
  'Disk quota exceeded',
  'ENOSPC',
  'disk full',
  'Connection refused',
  'connection reset',
  'network unreachable',
  'ECONNREFUSED',
  "thread 'main'",
  'thread ',
  ' panicked at ',
  'panicked at',
  'Traceback (most recent call last):',
  'traceback (most recent call last)',
  'raise ValueError',
  'raise KeyErrorX',
  'raise Error',
  'error',
  'Error:',
  'ERROR',
  'error_count=0',
  'failed',
  'FAILED',
  'failure',
  'exception',
  'Exception',
  'errors',
  'INFO',
  'INFO:',
  'info',
  'INFORMATION',
  '[INFO]',
  'Info_',
  'expected output files are missing',
  'Output file validation failed',
  ' ',
  ' ',
  ' ',
  '  ',
  'x',
  '_',
  '-',
  '.',
  ':',
  '=',
  '/',
  '(',
  ')',
  '"',
  'é',
  'café',
  'naïve',
  '日本',
  '\u212Ailled',
  '\u017Fegfault',
  'Ünïcödé',
  'ok',
  'step 4',
  'done',
  '42',
  'progress',
  '\t',
]

function corpus(root: string): void {
  let seed = 2026
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
  const line = (): string => {
    for (;;) {
      let text = ''
      for (let k = rand(9) + 1; k > 0; k--) text += fragments[rand(fragments.length)]
      if (rand(25) === 0) text = `${'p'.repeat(100 + rand(40))} ${text}`
      const bytes = Buffer.from(text)
      if (bytes.length <= 120 || (bytes[117]! & 0xc0) !== 0x80) return text
    }
  }
  const file = (lines: number, crlf: boolean) => {
    const out: string[] = []
    for (let i = 0; i < lines; i++) out.push(line())
    return out.join(crlf ? '\r\n' : '\n') + (rand(3) === 0 ? '' : crlf ? '\r\n' : '\n')
  }
  mkdirSync(join(root, 'job_stdio'), { recursive: true })
  mkdirSync(join(root, 'resource_utilization'))
  for (let job = 1; job <= 30; job++) {
    writeFileSync(join(root, 'job_stdio', `job_wf${WF}_j${job}_r1_a1.o`), file(150, job % 4 === 0))
    writeFileSync(join(root, 'job_stdio', `job_wf${WF}_j${job}_r1_a1.e`), file(80, job % 5 === 0))
  }
  writeFileSync(join(root, 'job_stdio', `job_wf${WF}_j31_r2_a3.log`), file(100, false))
  writeFileSync(join(root, 'job_stdio', `job_wf${WF}_j32_r1_a1.e`), '')
  writeFileSync(join(root, 'job_stdio', `job_wf${WF}_j33_r1_a1.e`), 'last line without newline ends in CR: Killed\r')
  writeFileSync(join(root, `job_runner_node-01_wf${WF}_r1.log`), file(200, false))
  writeFileSync(join(root, `job_runner_slurm_wf${WF}_sl777_n0_pid4242.log`), file(100, false))
  writeFileSync(join(root, `slurm_output_wf${WF}_sl777.o`), file(40, false))
  writeFileSync(
    join(root, `slurm_output_wf${WF}_sl777.e`),
    'slurmstepd: error: *** JOB 777 ON n1 CANCELLED AT 2026-01-01T00:00:00 DUE TO TIME LIMIT ***\n'
  )
  writeFileSync(
    join(root, `dmesg_slurm_wf${WF}_sl777_n0_pid4242.log`),
    'Out of memory: Killed process 4242 (python3)\n'
  )
  writeFileSync(join(root, `watch_login1_wf${WF}.log`), file(30, false))
  writeFileSync(join(root, `slurm_env_wf${WF}_sl777_n0_pid4242.log`), 'SLURM_JOB_ID=777 OUT_OF_MEMORY\n')
  writeFileSync(join(root, `torc_worker_${WF}.log`), 'Killed\n')
  writeFileSync(join(root, 'resource_utilization', `resource_metrics_wf${WF}_hnode-01_r1.db`), 'Killed\n')
  writeFileSync(join(root, `job_runner_h_wf6_r1.log`), 'Killed\n')
  const long = `thread 'main' ${'q'.repeat(MAX_LINE + 333)} panicked at src/main.rs:1\n${'w'.repeat(2 * MAX_LINE)} INFO walltime\n${'e'.repeat(MAX_LINE)} failed\n`
  writeFileSync(join(root, 'job_stdio', `job_wf${WF}_j34_r1_a1.o`), long)
}

let base: string
let root: string
let site: RunningSite

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'torc-edge-parity-'))
  root = join(base, 'torc_output')
  corpus(root)
  site = await startSiteServer(root)
})

afterAll(async () => {
  await site?.stop()
  rmSync(base, { recursive: true, force: true })
})

describe.runIf(needCli())('parity with torc 1.0.0 `torc logs analyze`', () => {
  it('finds exactly the same errors (file, line, type, content), warnings and files', { timeout: 60_000 }, async () => {
    const run = spawnSync(TORC, ['logs', 'analyze', root, '--workflow-id', String(WF)], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    })
    expect(run.status, run.stderr).toBe(0)
    const rust = { files: 0, errors: 0, warnings: 0, findings: [] as string[] }
    let file = ''
    for (const raw of run.stdout.split('\n')) {
      const number = (label: string) => Number(raw.slice(raw.indexOf(label) + label.length))
      if (raw.startsWith('Files parsed: ')) rust.files = number('Files parsed: ')
      else if (raw.startsWith('  Errors: ')) rust.errors = number('Errors: ')
      else if (raw.startsWith('  Warnings: ')) rust.warnings = number('Warnings: ')
      else if (/^\S.*:$/.test(raw) && !raw.startsWith('Error Type Summary') && !raw.startsWith('Detected Issues')) {
        file = raw.slice(0, -1).replace(`${basename(root)}/`, '')
      } else {
        const m = /^ {2}\[ERROR\] Line (\d+): (.+?) - (.*)$/s.exec(raw)
        if (m) rust.findings.push(`${file}:${m[1]} ${m[2]} | ${m[3]}`)
      }
    }
    const client = new OutputClient(createTransport({ baseUrl: site.url, bearer: site.token }), 10_000)
    const edge = await analyzeBundle(await client.bundle(WF, { required: true }), { sampleLimit: 1_000_000 })
    const findings = edge.sample_errors.map((s) => `${s.file}:${s.line} ${s.type} | ${s.content}`)
    expect(rust.errors).toBeGreaterThan(500)
    expect(rust.warnings).toBeGreaterThan(100)
    expect({ files: edge.files_parsed, errors: edge.error_count, warnings: edge.warning_count }).toEqual({
      files: rust.files,
      errors: rust.errors,
      warnings: rust.warnings,
    })
    expect([...findings].sort()).toEqual([...rust.findings].sort())
    expect(edge.overlong_lines).toBe(3)
  })
})
