/**
 * Torc 1.0.0's log error patterns (client/commands/logs.rs `get_error_patterns`), in its order: the
 * first match wins and a line yields at most one finding. Where 1.0.0 differs from torc-ops-spec.md
 * §3.3 (written against 0.10-0.12), 1.0.0 is followed:
 * - "Slurm Error" is second, not last, and no longer matches `slurm_` (so a plain "timeout" line is a
 *   Slurm Error, and `slurmstepd: ... oom-kill` is Slurm Error, not OOM).
 * - Every word list is wrapped in `\b...\b`, so "room" or "Zoom" is not OOM (the 0.10 bug is fixed).
 * - A line containing the word INFO (case-insensitive) never counts as Slurm Error or Generic Error;
 *   the other patterns are still tried on it.
 * Rust's regex is Unicode-aware, so `\b` and `\w` are rebuilt here with Unicode classes and `(?i)` is
 * the `iu` flag pair (simple case folding, like Rust's).
 */
export type Severity = 'error' | 'warning'

export interface ErrorPattern {
  readonly name: string
  readonly severity: Severity
  /** The regex as torc 1.0.0 writes it, for documentation and the parity test. */
  readonly rust: string
  /** Exact (Rust-equivalent) test for one line. */
  readonly regex: RegExp
  /** Not counted on lines that contain the word INFO. */
  readonly skipOnInfo: boolean
}

/**
 * Rust regex's Unicode `\w` (UTS #18 Annex C): Alphabetic, Mark, Decimal_Number,
 * Connector_Punctuation, Join_Control.
 */
export const WORD_CLASS = String.raw`[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]`

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** `\b(a|b)\b` with Unicode word boundaries (every alternative starts and ends with a word character). */
const bounded = (words: string[]) => `(?<!${WORD_CLASS})(?:${words.map(escapeRegex).join('|')})(?!${WORD_CLASS})`
const anyOf = (words: string[]) => words.map(escapeRegex).join('|')

interface PatternDef {
  name: string
  severity: Severity
  rust: string
  source: string
  caseless: boolean
  skipOnInfo?: boolean
  /** Lower-case literals, one of which every matching line contains (with `\b` before when `wordStart`). */
  hints: string[]
  wordStart: boolean
}

const word = (name: string, words: string[], rust: string, extra: Partial<PatternDef> = {}): PatternDef => ({
  name,
  severity: 'error',
  rust,
  source: bounded(words),
  caseless: true,
  hints: words.map((w) => w.toLowerCase()),
  wordStart: true,
  ...extra,
})

const DEFS: PatternDef[] = [
  {
    name: 'Missing Output Files',
    severity: 'error',
    rust: '(?i)(expected output files are missing|Output file validation failed)',
    source: anyOf(['expected output files are missing', 'Output file validation failed']),
    caseless: true,
    hints: ['expected output files are missing', 'output file validation failed'],
    wordStart: false,
  },
  word(
    'Slurm Error',
    ['slurmstepd', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY'],
    String.raw`(?i)\b(slurmstepd|CANCELLED|TIMEOUT|OUT_OF_MEMORY)\b`,
    { skipOnInfo: true }
  ),
  word(
    'OOM Killed',
    ['out of memory', 'oom', 'killed', 'cannot allocate memory'],
    String.raw`(?i)\b(out of memory|oom|killed|cannot allocate memory)\b`
  ),
  word(
    'Timeout',
    ['timeout', 'time limit', 'timed out', 'walltime'],
    String.raw`(?i)\b(timeout|time limit|timed out|walltime)\b`
  ),
  word(
    'Segmentation Fault',
    ['segmentation fault', 'segfault', 'sigsegv'],
    String.raw`(?i)\b(segmentation fault|segfault|sigsegv)\b`
  ),
  word(
    'Permission Denied',
    ['permission denied', 'access denied', 'EACCES'],
    String.raw`(?i)\b(permission denied|access denied|EACCES)\b`
  ),
  word(
    'File Not Found',
    ['no such file', 'file not found', 'ENOENT'],
    String.raw`(?i)\b(no such file|file not found|ENOENT)\b`
  ),
  word(
    'Disk Full',
    ['no space left', 'disk full', 'quota exceeded', 'ENOSPC'],
    String.raw`(?i)\b(no space left|disk full|quota exceeded|ENOSPC)\b`
  ),
  word(
    'Connection Error',
    ['connection refused', 'connection reset', 'network unreachable', 'ECONNREFUSED'],
    String.raw`(?i)\b(connection refused|connection reset|network unreachable|ECONNREFUSED)\b`
  ),
  {
    name: 'Rust Panic',
    severity: 'error',
    rust: 'thread .* panicked at',
    // Rust's `.` is anything but \n; JS's `.` also refuses \r, U+2028 and U+2029.
    source: String.raw`thread [^\n]* panicked at`,
    caseless: false,
    hints: [' panicked at'],
    wordStart: false,
  },
  {
    name: 'Python Exception',
    severity: 'error',
    rust: String.raw`(Traceback \(most recent call last\)|raise \w+Error)`,
    source: String.raw`Traceback \(most recent call last\)|raise ${WORD_CLASS}+Error`,
    caseless: false,
    hints: ['traceback (most recent call last)', 'raise '],
    wordStart: false,
  },
  {
    ...word(
      'Generic Error',
      ['error', 'failed', 'failure', 'exception'],
      String.raw`(?i)\b(error|failed|failure|exception)\b`,
      { skipOnInfo: true }
    ),
    severity: 'warning',
  },
]

export const PATTERNS: readonly ErrorPattern[] = DEFS.map((d) => ({
  name: d.name,
  severity: d.severity,
  rust: d.rust,
  regex: new RegExp(d.source, d.caseless ? 'iu' : 'u'),
  skipOnInfo: d.skipOnInfo ?? false,
}))

/** Global versions of the exact regexes, for scanning a window of a very long line. */
export const GLOBAL_REGEXES: readonly RegExp[] = DEFS.map((d) => new RegExp(d.source, d.caseless ? 'giu' : 'gu'))

/** torc 1.0.0's `(?i)\bINFO\b`. */
export const INFO_REGEX = new RegExp(bounded(['INFO']), 'iu')
export const INFO_GLOBAL = new RegExp(bounded(['INFO']), 'giu')

const hintSource = (() => {
  const atWord = DEFS.filter((d) => d.wordStart).flatMap((d) => d.hints)
  const anywhere = DEFS.filter((d) => !d.wordStart).flatMap((d) => d.hints)
  return `\\b(?:${atWord.map(escapeRegex).join('|')})|${anywhere.map(escapeRegex).join('|')}`
})()

/**
 * One pass over many lines finds the few that can match (a superset): every pattern's literals, with
 * an ASCII `\b` where the pattern starts on a word boundary. ASCII `\b` claims a boundary wherever
 * Rust's Unicode one does, so nothing is missed; `classify` then decides exactly. Plain `i` is 2-3x
 * faster than `iu`; it only misses the two non-ASCII characters that case-fold onto ASCII letters.
 */
export const PREFILTER = new RegExp(hintSource, 'gi')
/** The same with Unicode case folding, used on the rare text that holds U+017F (ſ) or U+212A (K). */
export const PREFILTER_UNICODE = new RegExp(hintSource, 'giu')
/** Characters that plain `i` does not fold onto ASCII but Rust's `(?i)` does. */
export const FOLDS_TO_ASCII = /[\u017f\u212a]/

/** Which pattern a line matches, torc 1.0.0's way: first in order, INFO lines exempt from two. */
export function classify(line: string): ErrorPattern | undefined {
  let info: boolean | undefined
  for (const pattern of PATTERNS) {
    if (!pattern.regex.test(line)) continue
    if (pattern.skipOnInfo && (info ??= INFO_REGEX.test(line))) continue
    return pattern
  }
  return undefined
}

/** The first pattern, in order, among those found somewhere in a line (`matched[i]` for PATTERNS[i]). */
export function firstMatched(matched: readonly boolean[], info: boolean): ErrorPattern | undefined {
  return PATTERNS.find((p, i) => matched[i] && !(p.skipOnInfo && info))
}

/**
 * Pattern names recovery acts on. torc 1.0.0 looks up "oom"/"memory_allocation_failed" and
 * "timeout"/"time_limit" in a map keyed by these display names, so its recovery block never appears.
 */
export const OOM_TYPES: readonly string[] = ['OOM Killed']
export const TIMEOUT_TYPES: readonly string[] = ['Timeout']
