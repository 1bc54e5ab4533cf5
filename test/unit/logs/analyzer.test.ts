import { describe, expect, it } from 'vitest'
import { type AnalysisResult, LogAnalyzer, MAX_LINE, truncateLine } from '../../../src/logs/analyzer.ts'
import { LongLineMatcher } from '../../../src/logs/long-line.ts'
import { classify } from '../../../src/logs/patterns.ts'
import type { Diagnosis, FailedJob } from '../../../src/recovery/diagnose.ts'
import { logGuidance } from '../../../src/recovery/log-guidance.ts'

const enc = (s: string) => new TextEncoder().encode(s)

function analyze(
  files: [string, Uint8Array | string][],
  chunk = 1 << 16,
  options: ConstructorParameters<typeof LogAnalyzer>[0] = {}
): AnalysisResult {
  const a = new LogAnalyzer(options)
  for (const [name, content] of files) {
    const bytes = typeof content === 'string' ? enc(content) : content
    a.beginFile(name, bytes.length)
    for (let i = 0; i < bytes.length; i += chunk) a.write(bytes.subarray(i, i + chunk))
    a.endFile()
  }
  return a.result()
}

describe('LogAnalyzer', () => {
  const files: [string, string][] = [
    [
      'job_runner_h_wf1_r1.log',
      '[t INFO  torc::job_runner] Job completed status=failed\r\n[t ERROR torc] job 3 failed\r\n',
    ],
    ['job_stdio/job_wf1_j1_r1_a1.e', 'start\nstep\nout of memory\nbye\r'],
    ['job_stdio/job_wf1_j2_r1_a1.e', ''],
    [
      'job_stdio/job_wf1_j3_r1_a1.e',
      "a\nb\nc\nDUE TO TIME LIMIT\nthread 'main' panicked at x.rs:1\nTraceback (most recent call last):\n",
    ],
  ]

  it('counts errors by type and file, with samples at their 1-based line numbers', () => {
    const r = analyze(files)
    expect(r).toMatchObject({
      files_parsed: 4,
      error_count: 4,
      warning_count: 1,
      files_with_invalid_utf8: 0,
      overlong_lines: 0,
    })
    expect(r.errors_by_type).toEqual([
      { type: 'OOM Killed', count: 1 },
      { type: 'Timeout', count: 1 },
      { type: 'Rust Panic', count: 1 },
      { type: 'Python Exception', count: 1 },
    ])
    expect(r.sample_errors.map((s) => [s.file, s.line, s.type, s.content])).toEqual([
      ['job_stdio/job_wf1_j1_r1_a1.e', 3, 'OOM Killed', 'out of memory'],
      ['job_stdio/job_wf1_j3_r1_a1.e', 4, 'Timeout', 'DUE TO TIME LIMIT'],
      ['job_stdio/job_wf1_j3_r1_a1.e', 5, 'Rust Panic', "thread 'main' panicked at x.rs:1"],
      ['job_stdio/job_wf1_j3_r1_a1.e', 6, 'Python Exception', 'Traceback (most recent call last):'],
    ])
    expect(r.files_with_errors).toEqual([
      { file: 'job_runner_h_wf1_r1.log', errors: 0, warnings: 1 },
      { file: 'job_stdio/job_wf1_j1_r1_a1.e', errors: 1, warnings: 0 },
      { file: 'job_stdio/job_wf1_j3_r1_a1.e', errors: 3, warnings: 0 },
    ])
    expect(r.bytes_scanned).toBe(files.reduce((n, [, c]) => n + enc(c).length, 0))
  })

  it('gives the same result however the bytes are chunked', () => {
    const whole = analyze(files)
    for (const chunk of [1, 2, 3, 5, 17, 64]) expect(analyze(files, chunk), `chunk ${chunk}`).toEqual(whole)
  })

  it("keeps a last line's \\r in its sample, as Rust lines() does, and strips it before \\n", () => {
    const r = analyze([['f', 'Killed\r\nKilled\r']])
    expect(r.sample_errors.map((s) => s.content)).toEqual(['Killed', 'Killed\r'])
  })

  it('scans invalid UTF-8 (with replacement characters) and counts the file', () => {
    const bytes = Uint8Array.from([...enc('junk '), 0xff, 0xc3, ...enc('\nsegfault here\n')])
    for (const chunk of [1, 6, 100]) {
      const r = analyze(
        [
          ['bad', bytes],
          ['good', 'fine\n'],
        ],
        chunk
      )
      expect(r).toMatchObject({ files_with_invalid_utf8: 1, error_count: 1 })
      expect(r.sample_errors[0]).toMatchObject({ file: 'bad', line: 2, type: 'Segmentation Fault' })
    }
  })

  it('caps samples and listed files, and says the file list was cut', () => {
    const many = Array.from({ length: 30 }, (_, i): [string, string] => [`f${i}`, 'Killed\nKilled\n'])
    const r = analyze(many, 1 << 16, { sampleLimit: 3, filesListed: 5 })
    expect(r.error_count).toBe(60)
    expect(r.sample_errors).toHaveLength(3)
    expect(r).toMatchObject({ files_with_errors_total: 30, files_with_errors_truncated: true })
    expect(r.files_with_errors).toHaveLength(5)
  })

  it('classifies lines longer than 1 MiB over their whole length, keeping memory bounded', () => {
    const pad = 'x'.repeat(MAX_LINE + 5000)
    const text = [
      `${pad} Segmentation fault`,
      `thread 'worker' ${'y'.repeat(2 * MAX_LINE)} panicked at src/lib.rs:9`,
      `[t INFO ] ${'z'.repeat(MAX_LINE)} job failed`,
      `${'w'.repeat(MAX_LINE)}oom`,
      'walltime exceeded',
    ].join('\n')
    for (const chunk of [1 << 16, 1 << 20, 3 << 20]) {
      const r = analyze([['long', text]], chunk)
      expect(r.overlong_lines, `chunk ${chunk}`).toBe(4)
      expect(r.warning_count).toBe(0)
      expect(r.sample_errors.map((s) => [s.line, s.type])).toEqual([
        [1, 'Segmentation Fault'],
        [2, 'Rust Panic'],
        [5, 'Timeout'],
      ])
      expect(r.sample_errors[0]!.content).toBe(`${'x'.repeat(117)}...`)
    }
  })

  it('sees words that straddle a piece boundary, and no false boundaries there', () => {
    const words = [
      'Killed',
      'oom',
      'xoom',
      'timeout',
      'INFO',
      'failed',
      ' ',
      ' ',
      'é',
      'thread ',
      ' panicked at',
      'raise KeyError',
      '\r',
      'no space left',
    ]
    let seed = 11
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    const m = new LongLineMatcher()
    for (let i = 0; i < 3000; i++) {
      let line = ''
      while (line.length < 300) line += words[rand(words.length)]
      const cut = 40 + rand(60)
      m.reset()
      for (let at = 0; at < line.length; at += cut) m.add(line.slice(at, at + cut), at + cut >= line.length)
      expect(m.result()?.name, JSON.stringify(line)).toBe(classify(line)?.name)
    }
  })

  it('reports progress by files and at the end', () => {
    const calls: [number, number | undefined, number][] = []
    const a = new LogAnalyzer({ progressEvery: 2, onProgress: (...args) => void calls.push(args) })
    a.begin({ torc_edge_bundle: 1, workflow_id: 1, files: 5, bytes: 5, truncated: false })
    for (let i = 0; i < 5; i++) {
      a.beginFile(`f${i}`)
      a.write(enc('x'))
      a.endFile()
    }
    a.progress()
    expect(calls).toEqual([
      [2, 5, 2],
      [4, 5, 4],
      [5, 5, 5],
    ])
  })
})

describe('recovery guidance', () => {
  /** A diagnosis whose failed jobs have these causes (the rest of each entry does not matter here). */
  const diagnosis = (causes: FailedJob['cause'][]): Diagnosis =>
    ({
      workflow_id: 9,
      total_results: causes.length,
      over_utilization_count: 0,
      jobs_over_count: 0,
      violations: [],
      resource_violations_count: causes.length,
      resource_violations: causes.map((cause, i) => ({ job_id: i + 1, cause }) as FailedJob),
    }) as Diagnosis

  it('counts failed jobs by their results, not log lines (runners log two lines per OOM kill)', () => {
    const r = analyze([['f', 'Killed\nKilled\nKilled\nKilled\nwalltime exceeded\n']])
    const g = logGuidance(9, diagnosis(['oom', 'oom', 'timeout']), r)
    expect(g).toMatchObject({ jobs_out_of_memory: 2, jobs_timed_out: 1, oom_lines: 4, timeout_lines: 1 })
    expect(g!.recommendation).toMatch(/^2 job\(s\) failed out of memory and 1 job\(s\) ran out of time/)
    expect(g!.tool_call_example).toEqual({
      tool: 'recover_workflow',
      parameters: { workflow_id: 9, dry_run: true },
      note: expect.any(String),
    })
  })

  it('stays silent when no job failed of it, whatever the lines say (a job echoing "timeout" succeeded)', () => {
    const r = analyze([['f', 'Killed\ntimed out\n']])
    expect(logGuidance(9, diagnosis([]), r)).toBeNull()
    expect(logGuidance(9, diagnosis(['unknown', 'node_failure']), r)).toBeNull()
  })

  it("counts Slurm's own OOM and time-limit lines, which torc files under Slurm Error", () => {
    const r = analyze([
      [
        'job_wf9_j1_r1_a1.e',
        'slurmstepd: error: Detected 1 oom-kill event(s) in StepId=5.0. Some of your processes may have been killed\n' +
          'slurmstepd: error: *** STEP 6.0 ON localhost CANCELLED AT 2026-12-03T10:00:00 DUE TO TIME LIMIT ***\n',
      ],
    ])
    expect(r.errors_by_type).toEqual([{ type: 'Slurm Error', count: 2 }])
    expect(r).toMatchObject({ oom_errors: 0, timeout_errors: 0, slurm_oom_lines: 1, slurm_timeout_lines: 1 })
    expect(logGuidance(9, diagnosis(['oom']), r)).toMatchObject({ oom_lines: 1, timeout_lines: 1 })
  })
})

describe('truncateLine', () => {
  it('keeps lines of at most 120 bytes and cuts longer ones to 117 bytes + "..."', () => {
    expect(truncateLine('a'.repeat(120))).toBe('a'.repeat(120))
    expect(truncateLine('a'.repeat(121))).toBe(`${'a'.repeat(117)}...`)
    expect(truncateLine('é'.repeat(60))).toBe('é'.repeat(60))
  })

  it('cuts on a character boundary where torc 1.0.0 would panic', () => {
    expect(truncateLine(`${'a'.repeat(116)}é${'b'.repeat(10)}`)).toBe(`${'a'.repeat(116)}...`)
    expect(truncateLine(`${'a'.repeat(115)}€${'b'.repeat(10)}`)).toBe(`${'a'.repeat(115)}...`)
    expect(truncateLine(`${'a'.repeat(114)}𝄞${'b'.repeat(10)}`)).toBe(`${'a'.repeat(114)}...`)
    expect(truncateLine(`${'a'.repeat(113)}𝄞${'b'.repeat(10)}`)).toBe(`${'a'.repeat(113)}𝄞...`)
  })
})
