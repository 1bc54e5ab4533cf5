import { describe, expect, it } from 'vitest'
import { classify, PREFILTER, PREFILTER_UNICODE } from '../../../src/logs/patterns.ts'

const type = (line: string) => classify(line)?.name ?? null

describe('the 12 patterns', () => {
  it.each([
    ['Error: expected output files are missing: out.csv', 'Missing Output Files'],
    ['Output file validation failed for job 3', 'Missing Output Files'],
    ['slurmstepd: error: *** JOB 123 ON n1 CANCELLED AT 2026-01-01 DUE TO TIME LIMIT ***', 'Slurm Error'],
    ['slurmstepd: error: Detected 1 oom-kill event(s)', 'Slurm Error'],
    ['state=OUT_OF_MEMORY', 'Slurm Error'],
    ['connect timeout after 30s', 'Slurm Error'],
    ['Out of memory: Killed process 1234 (python3)', 'OOM Killed'],
    ['/var/spool/slurm/job: line 27: 12345 Killed python3 train.py', 'OOM Killed'],
    ['malloc: cannot allocate memory', 'OOM Killed'],
    ['the OOM killer struck', 'OOM Killed'],
    ['DUE TO TIME LIMIT', 'Timeout'],
    ['request timed out', 'Timeout'],
    ['walltime exceeded', 'Timeout'],
    ['Segmentation fault (core dumped)', 'Segmentation Fault'],
    ['caught SIGSEGV', 'Segmentation Fault'],
    ['open /data/x: permission denied', 'Permission Denied'],
    ['EACCES: open', 'Permission Denied'],
    ['ERROR: Required file not found: input.h5', 'File Not Found'],
    ['cat: x: No such file or directory', 'File Not Found'],
    ['write failed: No space left on device', 'Disk Full'],
    ['Disk quota exceeded', 'Disk Full'],
    ['ERROR: connection refused by db01', 'Connection Error'],
    ['recv: Connection reset by peer', 'Connection Error'],
    ["thread 'main' panicked at src/main.rs:3:5", 'Rust Panic'],
    ['Traceback (most recent call last):', 'Python Exception'],
    ['    raise ValueError("bad")', 'Python Exception'],
    ['MemoryError: Failed to allocate', 'Generic Error'],
    ['Job completed workflow_id=1 job_id=3 status=failed', 'Generic Error'],
    ['an Exception occurred', 'Generic Error'],
  ])('%s -> %s', (line, name) => {
    expect(type(line)).toBe(name)
    expect(classify(line)?.severity).toBe(name === 'Generic Error' ? 'warning' : 'error')
  })

  it('does not take "room", "Zoom" or "bloom" for OOM (word boundaries)', () => {
    for (const line of [
      'Zoom meeting room booked',
      'working on the room booking table',
      'bloom filter ready',
      'oom_score_adj=0',
      'roomy',
    ]) {
      expect(type(line), line).toBeNull()
    }
  })

  it('needs whole words: error_count=0, timeouts, killedit and TIMEOUTS match nothing', () => {
    for (const line of ['error_count=0', 'timeouts=3', 'killedit', 'TIMEOUTS', 'failedover', 'segfaulted'])
      expect(type(line), line).toBeNull()
  })

  it('lets INFO lines skip Slurm Error and Generic Error but nothing else (torc 1.0.0)', () => {
    expect(type('[2026-01-01T00:00:00Z INFO  torc::client::job_runner] Job completed status=failed')).toBeNull()
    expect(type('INFO slurmstepd CANCELLED')).toBeNull()
    expect(type('INFO: timeout reached')).toBe('Timeout')
    expect(type('info: job Killed')).toBe('OOM Killed')
    expect(type('INFORMATION: job failed')).toBe('Generic Error')
    expect(type('INFO_LEVEL job failed')).toBe('Generic Error')
  })

  it('picks the first pattern in order when several match', () => {
    expect(type('slurmstepd: Killed, permission denied, timeout')).toBe('Slurm Error')
    expect(type('Killed after walltime')).toBe('OOM Killed')
    expect(type('Killed after timeout')).toBe('Slurm Error')
    expect(type('failed: no such file')).toBe('File Not Found')
  })

  it('uses Unicode word boundaries and case folding like Rust', () => {
    expect(type('éoom here')).toBeNull()
    expect(type('café killed')).toBe('OOM Killed')
    expect(type('process \u212Ailled')).toBe('OOM Killed')
    expect(type('\u017Fegfault')).toBe('Segmentation Fault')
    expect(type('raise ÄrgerError')).toBe('Python Exception')
    expect(type('thread main\r panicked at x')).toBe('Rust Panic')
  })

  it('has a prefilter that never misses a line the patterns match', () => {
    const words = [
      'oom',
      'killed',
      'Error',
      'raise',
      'thread',
      ' panicked at',
      'TIMEOUT',
      'x',
      'é',
      '_',
      ' ',
      '(',
      'INFO',
      'room',
      'Traceback (most recent call last)',
      '\u212A',
      'ſ',
      'segfault',
      'no such file',
    ]
    let seed = 7
    const rand = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n
    for (let i = 0; i < 20_000; i++) {
      let line = ''
      for (let k = rand(6) + 1; k > 0; k--) line += words[rand(words.length)]
      if (!classify(line)) continue
      const re = /[\u017f\u212a]/.test(line) ? PREFILTER_UNICODE : PREFILTER
      re.lastIndex = 0
      expect(re.test(line), JSON.stringify(line)).toBe(true)
    }
  })
})
