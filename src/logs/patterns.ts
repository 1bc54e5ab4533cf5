/**
 * Torc 1.0's log error patterns (commands/logs.rs get_error_patterns), in its order: the first match
 * wins and a line yields at most one finding. 1.0 already uses word boundaries (so "room" is not
 * OOM, as it was in 0.10). JS `\b` is ASCII-only where Rust's is Unicode: negligible for logs.
 * Kept as 1.0 has it: "Slurm Error" is case-insensitive and comes second, so a plain "timeout"
 * line is a Slurm Error, and Timeout fires on "time limit", "timed out" and "walltime".
 */
export type Severity = 'error' | 'warning'

export interface ErrorPattern {
  name: string
  severity: Severity
  regex: RegExp
}

export const PATTERNS: readonly ErrorPattern[] = [
  { name: 'Missing Output Files', severity: 'error', regex: /(expected output files are missing|Output file validation failed)/i },
  { name: 'Slurm Error', severity: 'error', regex: /\b(slurmstepd|CANCELLED|TIMEOUT|OUT_OF_MEMORY)\b/i },
  { name: 'OOM Killed', severity: 'error', regex: /\b(out of memory|oom|killed|cannot allocate memory)\b/i },
  { name: 'Timeout', severity: 'error', regex: /\b(timeout|time limit|timed out|walltime)\b/i },
  { name: 'Segmentation Fault', severity: 'error', regex: /\b(segmentation fault|segfault|sigsegv)\b/i },
  { name: 'Permission Denied', severity: 'error', regex: /\b(permission denied|access denied|EACCES)\b/i },
  { name: 'File Not Found', severity: 'error', regex: /\b(no such file|file not found|ENOENT)\b/i },
  { name: 'Disk Full', severity: 'error', regex: /\b(no space left|disk full|quota exceeded|ENOSPC)\b/i },
  { name: 'Connection Error', severity: 'error', regex: /\b(connection refused|connection reset|network unreachable|ECONNREFUSED)\b/i },
  { name: 'Rust Panic', severity: 'error', regex: /thread .* panicked at/ },
  { name: 'Python Exception', severity: 'error', regex: /(Traceback \(most recent call last\)|raise \w+Error)/ },
  { name: 'Generic Error', severity: 'warning', regex: /\b(error|failed|failure|exception)\b/i },
]

/** One case-insensitive pass finds candidate lines; the ordered patterns then classify only those. */
export const PREFILTER = new RegExp(PATTERNS.map((p) => `(?:${p.regex.source})`).join('|'), 'gi')

export function classify(line: string): ErrorPattern | undefined {
  for (const pattern of PATTERNS) if (pattern.regex.test(line)) return pattern
  return undefined
}

/** Pattern names recovery acts on (Rust looked up "oom" and "timeout", which never exist). */
export const OOM_TYPES = ['OOM Killed']
export const TIMEOUT_TYPES = ['Timeout']
