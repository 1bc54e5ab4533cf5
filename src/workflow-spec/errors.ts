/** One problem found in a workflow spec: where it is and what is wrong. */
export interface SpecIssue {
  /** Dotted path into the spec, e.g. `jobs[3].comand`; empty for the document as a whole. */
  path: string
  message: string
  /** 1-based line of a syntax error, when the parser reports one. */
  line?: number
  /** 1-based column of a syntax error, when the parser reports one. */
  column?: number
}

/** Error thrown by every spec function; carries all issues found, not only the first. */
export class SpecError extends Error {
  readonly issues: SpecIssue[]

  constructor(issues: SpecIssue[] | string, message?: string) {
    const list = typeof issues === 'string' ? [{ path: '', message: issues }] : issues
    super(message ?? list.map(formatIssue).join('\n'))
    this.name = 'SpecError'
    this.issues = list
  }
}

/** Renders an issue as one line, e.g. `jobs[3].comand: unknown field (line 4, column 5)`. */
export function formatIssue(issue: SpecIssue): string {
  const where = issue.line === undefined ? '' : ` (line ${issue.line}, column ${issue.column ?? 1})`
  return `${issue.path ? `${issue.path}: ` : ''}${issue.message}${where}`
}

/** Builds the `jobs[3].name` form of a path from its segments. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else out += out ? `.${String(segment)}` : String(segment)
  }
  return out
}

/** Turns any thrown value into a message, keeping SpecError texts intact. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Converts a 0-based UTF-16 offset into 1-based line and column numbers. */
export function offsetToLineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1
  let lineStart = 0
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: end - lineStart + 1 }
}
