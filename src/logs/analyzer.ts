/**
 * Streaming log analysis: bytes in, findings out, memory flat whatever the total size. Text is
 * decoded incrementally (invalid UTF-8 becomes U+FFFD and the file is counted, not skipped as
 * Torc does); lines follow Rust's str::lines (split on \n, one trailing \r dropped); a line longer
 * than MAX_LINE is scanned on its first MAX_LINE characters.
 */
import { classify, OOM_TYPES, PREFILTER, type Severity, TIMEOUT_TYPES } from './patterns.ts'

export const MAX_LINE = 1024 * 1024
const SAMPLE_LIMIT = 10
const FILES_LISTED = 1000
const CONTENT_BYTES = 120

export interface Finding {
  file: string
  line: number
  type: string
  severity: Severity
  content: string
}

export interface AnalysisResult {
  files_parsed: number
  bytes_scanned: number
  error_count: number
  warning_count: number
  errors_by_type: { type: string; count: number }[]
  sample_errors: Finding[]
  files_with_errors: { file: string; errors: number; warnings: number }[]
  files_with_errors_truncated: boolean
  files_with_invalid_utf8: number
  overlong_lines: number
  oom_errors: number
  timeout_errors: number
}

/** Truncates to 120 UTF-8 bytes on a character boundary, as Torc's 117 + "..." but without the panic. */
export function truncateLine(line: string): string {
  const bytes = new TextEncoder().encode(line)
  if (bytes.length <= CONTENT_BYTES) return line
  let cut = 117
  while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--
  return `${new TextDecoder().decode(bytes.subarray(0, cut))}...`
}

export class LogAnalyzer {
  private files = 0
  private bytes = 0
  private errors = 0
  private warnings = 0
  private byType = new Map<string, number>()
  private samples: Finding[] = []
  private perFile: AnalysisResult['files_with_errors'] = []
  private filesWithFindings = 0
  private invalidUtf8 = 0
  private overlong = 0
  // per-file state
  private label = ''
  private decoder = new TextDecoder()
  /** The current unfinished line, in pieces (joining per chunk would be quadratic), at most MAX_LINE. */
  private parts: string[] = []
  private partLen = 0
  private lineOverlong = false
  private skipping = false
  private lineNo = 0
  private fileErrors = 0
  private fileWarnings = 0
  private sawInvalid = false

  beginFile(label: string): void {
    this.label = label
    this.decoder = new TextDecoder()
    this.parts = []
    this.partLen = 0
    this.lineOverlong = false
    this.skipping = false
    this.lineNo = 0
    this.fileErrors = 0
    this.fileWarnings = 0
    this.sawInvalid = false
    this.files++
  }

  write(chunk: Uint8Array): void {
    this.bytes += chunk.length
    this.text(this.decoder.decode(chunk, { stream: true }))
  }

  endFile(): void {
    this.text(this.decoder.decode())
    if (this.partLen > 0 || this.skipping) this.flushLine(true)
    if (this.sawInvalid) this.invalidUtf8++
    if (this.fileErrors || this.fileWarnings) {
      this.filesWithFindings++
      if (this.perFile.length < FILES_LISTED) this.perFile.push({ file: this.label, errors: this.fileErrors, warnings: this.fileWarnings })
    }
  }

  private text(text: string): void {
    if (!text) return
    if (!this.sawInvalid && text.includes('\uFFFD')) this.sawInvalid = true
    let pos = 0
    if (this.skipping) {
      const nl = text.indexOf('\n')
      if (nl < 0) return
      this.skipping = false
      this.flushLine(false)
      pos = nl + 1
    }
    const last = text.lastIndexOf('\n')
    if (last < pos) {
      this.addPartial(text.slice(pos), false)
      return
    }
    if (this.partLen > 0) {
      const nl = text.indexOf('\n', pos)
      this.addPartial(text.slice(pos, nl), true)
      this.flushLine(false)
      pos = nl + 1
    }
    if (last >= pos) this.scan(text.slice(pos, last + 1), false)
    this.addPartial(text.slice(last + 1), false)
  }

  /** Adds to the unfinished line, keeping its first MAX_LINE characters; past that, skips to its end. */
  private addPartial(piece: string, lineEnds: boolean): void {
    if (!piece) return
    const room = MAX_LINE - this.partLen
    if (piece.length <= room) {
      this.parts.push(piece)
      this.partLen += piece.length
      return
    }
    if (room > 0) this.parts.push(piece.slice(0, room))
    this.partLen = MAX_LINE
    if (!this.lineOverlong) {
      this.lineOverlong = true
      this.overlong++
    }
    if (!lineEnds) this.skipping = true
  }

  private flushLine(final: boolean): void {
    const line = this.parts.join('')
    this.parts = []
    this.partLen = 0
    this.lineOverlong = false
    this.scan(final ? line : `${line}\n`, final)
  }

  /** Scans complete lines (text ends with \n, or is the final line when `final`). */
  private scan(text: string, final: boolean): void {
    const re = PREFILTER
    re.lastIndex = 0
    let counted = 0
    let match: RegExpExecArray | null
    while ((match = re.exec(text)) !== null) {
      const start = text.lastIndexOf('\n', match.index - 1) + 1
      let end = text.indexOf('\n', match.index)
      if (end < 0) end = text.length
      this.lineNo += countNewlines(text, counted, start) + 1
      counted = end + 1
      let line = text.slice(start, end)
      if (line.endsWith('\r')) line = line.slice(0, -1)
      this.record(line)
      re.lastIndex = end + 1
      if (end >= text.length) break
    }
    if (counted < text.length) this.lineNo += countNewlines(text, counted, text.length) + (final ? 1 : 0)
  }

  private record(line: string): void {
    const pattern = classify(line)
    if (!pattern) return
    if (pattern.severity === 'error') {
      this.errors++
      this.fileErrors++
      this.byType.set(pattern.name, (this.byType.get(pattern.name) ?? 0) + 1)
      if (this.samples.length < SAMPLE_LIMIT) {
        this.samples.push({ file: this.label, line: this.lineNo, type: pattern.name, severity: 'error', content: truncateLine(line) })
      }
    } else {
      this.warnings++
      this.fileWarnings++
    }
  }

  result(): AnalysisResult {
    const count = (types: string[]) => types.reduce((n, t) => n + (this.byType.get(t) ?? 0), 0)
    return {
      files_parsed: this.files,
      bytes_scanned: this.bytes,
      error_count: this.errors,
      warning_count: this.warnings,
      errors_by_type: [...this.byType].map(([type, n]) => ({ type, count: n })).sort((a, b) => b.count - a.count || (a.type < b.type ? -1 : 1)),
      sample_errors: this.samples,
      files_with_errors: this.perFile,
      files_with_errors_truncated: this.filesWithFindings > this.perFile.length,
      files_with_invalid_utf8: this.invalidUtf8,
      overlong_lines: this.overlong,
      oom_errors: count(OOM_TYPES),
      timeout_errors: count(TIMEOUT_TYPES),
    }
  }
}

function countNewlines(text: string, from: number, to: number): number {
  let n = 0
  for (let i = text.indexOf('\n', from); i >= 0 && i < to; i = text.indexOf('\n', i + 1)) n++
  return n
}
