/**
 * Streaming log analysis, torc 1.0.0's `analyze_workflow_logs` without holding files in memory:
 * bytes in (any chunking), findings out. Text is decoded incrementally (utf8.ts), split like Rust's
 * str::lines (lines.ts), candidate lines are found with one regex pass per block and classified
 * exactly (patterns.ts); lines past MAX_LINE are classified from their pieces (long-line.ts).
 * Memory is flat: a few counters, at most `sampleLimit` findings and `filesListed` file rows.
 * Differences from 1.0.0, all deliberate: invalid UTF-8 is scanned (with U+FFFD) and counted instead
 * of skipped; sample lines are cut on a character boundary (1.0.0 panics mid-character); the file
 * label is the path relative to the output directory (1.0.0 prefixes the directory's own name).
 */

import type { BundleNote, BundlePreamble, BundleSink } from './bundle.ts'
import { countNewlines, type LineSink, LineSplitter, MAX_LINE } from './lines.ts'
import { LongLineMatcher } from './long-line.ts'
import {
  classify,
  type ErrorPattern,
  FOLDS_TO_ASCII,
  OOM_TYPES,
  PATTERNS,
  PREFILTER,
  PREFILTER_UNICODE,
  type Severity,
  TIMEOUT_TYPES,
} from './patterns.ts'
import { Utf8Stream } from './utf8.ts'

export { MAX_LINE } from './lines.ts'

const CONTENT_BYTES = 120

export interface Finding {
  file: string
  line: number
  type: string
  severity: Severity
  content: string
}

export interface FileFindings {
  file: string
  errors: number
  warnings: number
}

export interface AnalysisResult {
  files_parsed: number
  bytes_scanned: number
  error_count: number
  warning_count: number
  /** Error findings per pattern, most first (ties in pattern order); Generic Error is a warning, never here. */
  errors_by_type: { type: string; count: number }[]
  /** The first `sampleLimit` error findings, in scan order. */
  sample_errors: Finding[]
  /** Files with any finding (errors or warnings), in scan order, at most `filesListed`. */
  files_with_errors: FileFindings[]
  files_with_errors_total: number
  files_with_errors_truncated: boolean
  files_with_invalid_utf8: number
  /** Files the site could not read (listed, counted in files_parsed as 1.0.0 does, not scanned). */
  files_unreadable: number
  /** Files that shrank while the site read them (their end was NUL padding). */
  files_shrunk: number
  /** Lines longer than MAX_LINE (classified in pieces). */
  overlong_lines: number
  oom_errors: number
  timeout_errors: number
  /** (torc-edge) "Slurm Error" lines that are an OOM kill or a time limit: Slurm's own words for them. */
  slurm_oom_lines: number
  slurm_timeout_lines: number
}

/** Slurm's OOM and time-limit lines, which torc 1.0.0's first-match patterns file under "Slurm Error". */
const SLURM_OOM = /oom-kill|OUT_OF_MEMORY|Out Of Memory/i
const SLURM_TIMEOUT = /TIME LIMIT|\bTIMEOUT\b/i

export interface AnalyzerOptions {
  sampleLimit?: number
  filesListed?: number
  maxLine?: number
  /** Called every `progressEvery` files, every 64 MiB, and when a bundle ends. */
  onProgress?: (filesDone: number, filesTotal: number | undefined, bytes: number) => void
  progressEvery?: number
}

const PROGRESS_BYTES = 64 * 1024 * 1024
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** Cuts a line to 120 UTF-8 bytes as torc does (117 + "..."), but on a character boundary. */
export function truncateLine(line: string): string {
  // At most 3 UTF-8 bytes per UTF-16 unit, and at least 1.
  if (line.length <= CONTENT_BYTES / 3) return line
  const head = encoder.encode(line.slice(0, CONTENT_BYTES + 1))
  if (line.length <= CONTENT_BYTES + 1 && head.length <= CONTENT_BYTES) return line
  let cut = CONTENT_BYTES - 3
  while (cut > 0 && (head[cut]! & 0xc0) === 0x80) cut--
  return `${decoder.decode(head.subarray(0, cut))}...`
}

/** Feeds on files' bytes (it is a BundleSink) and tallies torc's findings. */
export class LogAnalyzer implements BundleSink, LineSink {
  private readonly options: AnalyzerOptions
  private readonly sampleLimit: number
  private readonly filesListed: number
  private readonly utf8 = new Utf8Stream()
  private readonly splitter: LineSplitter
  private readonly long = new LongLineMatcher()
  private files = 0
  private bytes = 0
  private errors = 0
  private warnings = 0
  private readonly byType = new Map<string, number>()
  private readonly samples: Finding[] = []
  private readonly perFile: FileFindings[] = []
  private slurmOom = 0
  private slurmTimeout = 0
  private filesWithFindings = 0
  private invalidUtf8 = 0
  private unreadable = 0
  private shrunk = 0
  private overlong = 0
  private filesTotal: number | undefined
  private nextProgressBytes = PROGRESS_BYTES
  private label = ''
  private fileErrors = 0
  private fileWarnings = 0
  private inFile = false

  constructor(options: AnalyzerOptions = {}) {
    this.options = options
    this.sampleLimit = options.sampleLimit ?? 10
    this.filesListed = options.filesListed ?? 1000
    this.splitter = new LineSplitter(this, options.maxLine ?? MAX_LINE)
  }

  begin(preamble: BundlePreamble): void {
    this.filesTotal = preamble.files
  }

  beginFile(label: string, _size?: number, error?: string): void {
    this.label = label
    this.utf8.reset()
    this.splitter.reset()
    this.fileErrors = 0
    this.fileWarnings = 0
    this.files++
    this.inFile = true
    if (error !== undefined) this.unreadable++
  }

  write(chunk: Uint8Array): void {
    this.bytes += chunk.length
    this.splitter.push(this.utf8.decode(chunk))
  }

  endFile(): void {
    this.inFile = false
    this.splitter.push(this.utf8.flush())
    this.splitter.end()
    if (this.utf8.invalid) this.invalidUtf8++
    if (this.fileErrors || this.fileWarnings) {
      this.filesWithFindings++
      if (this.perFile.length < this.filesListed)
        this.perFile.push({ file: this.label, errors: this.fileErrors, warnings: this.fileWarnings })
    }
    const every = this.options.progressEvery ?? 500
    if (this.files % every === 0 || this.bytes >= this.nextProgressBytes) this.progress()
  }

  /** Ends a file the input stopped in the middle of (its lines so far count). */
  abandonFile(): void {
    if (this.inFile) this.endFile()
  }

  note(_note: BundleNote): void {
    this.shrunk++
  }

  /** Reports progress now (readBundle's callers call it once the trailer has arrived). */
  progress(): void {
    while (this.nextProgressBytes <= this.bytes) this.nextProgressBytes += PROGRESS_BYTES
    this.options.onProgress?.(this.files, this.filesTotal, this.bytes)
  }

  /** Scans whole lines: one prefilter pass finds candidates, `classify` decides each. */
  lines(block: string, firstLine: number): void {
    const re = FOLDS_TO_ASCII.test(block) ? PREFILTER_UNICODE : PREFILTER
    re.lastIndex = 0
    let line = firstLine
    let counted = 0
    for (let m = re.exec(block); m; m = re.exec(block)) {
      const start = m.index === 0 ? 0 : block.lastIndexOf('\n', m.index - 1) + 1
      let end = block.indexOf('\n', m.index)
      const terminated = end >= 0
      if (!terminated) end = block.length
      let text = block.slice(start, end)
      if (terminated && text.endsWith('\r')) text = text.slice(0, -1)
      const pattern = classify(text)
      if (pattern) {
        if (this.wantsSample(pattern)) {
          line += countNewlines(block, counted, start)
          counted = start
        }
        this.record(pattern, text, line)
      }
      if (!terminated || end + 1 >= block.length) break
      re.lastIndex = end + 1
    }
  }

  longLine(piece: string, line: number, first: boolean, last: boolean): void {
    if (first) {
      this.long.reset()
      this.overlong++
    }
    this.long.add(piece, last)
    if (!last) return
    const pattern = this.long.result()
    if (pattern) this.record(pattern, this.long.start, line)
  }

  result(): AnalysisResult {
    const count = (types: readonly string[]) => types.reduce((n, t) => n + (this.byType.get(t) ?? 0), 0)
    const order = new Map(PATTERNS.map((p, i) => [p.name, i]))
    const oom = count(OOM_TYPES)
    const timeout = count(TIMEOUT_TYPES)
    return {
      files_parsed: this.files,
      bytes_scanned: this.bytes,
      error_count: this.errors,
      warning_count: this.warnings,
      errors_by_type: [...this.byType]
        .map(([type, n]) => ({ type, count: n }))
        .sort((a, b) => b.count - a.count || order.get(a.type)! - order.get(b.type)!),
      sample_errors: [...this.samples],
      files_with_errors: [...this.perFile],
      files_with_errors_total: this.filesWithFindings,
      files_with_errors_truncated: this.filesWithFindings > this.perFile.length,
      files_with_invalid_utf8: this.invalidUtf8,
      files_unreadable: this.unreadable,
      files_shrunk: this.shrunk,
      overlong_lines: this.overlong,
      oom_errors: oom,
      timeout_errors: timeout,
      slurm_oom_lines: this.slurmOom,
      slurm_timeout_lines: this.slurmTimeout,
    }
  }

  private wantsSample(pattern: ErrorPattern): boolean {
    return pattern.severity === 'error' && this.samples.length < this.sampleLimit
  }

  private record(pattern: ErrorPattern, text: string, line: number): void {
    if (pattern.severity === 'warning') {
      this.warnings++
      this.fileWarnings++
      return
    }
    this.errors++
    this.fileErrors++
    this.byType.set(pattern.name, (this.byType.get(pattern.name) ?? 0) + 1)
    if (pattern.name === 'Slurm Error') {
      if (SLURM_OOM.test(text)) this.slurmOom++
      if (SLURM_TIMEOUT.test(text)) this.slurmTimeout++
    }
    if (this.samples.length < this.sampleLimit) {
      this.samples.push({ file: this.label, line, type: pattern.name, severity: 'error', content: truncateLine(text) })
    }
  }
}
