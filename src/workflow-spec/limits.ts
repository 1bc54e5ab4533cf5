import { SpecError } from './errors.ts'
import { resolveParameters } from './expand.ts'
import type { SpecFormat } from './formats.ts'
import type { WorkflowSpec } from './model.ts'
import { type ParsedSpec, type ParseOptions, parseSpecDetailed } from './parse.ts'
import { loadParameterTable } from './tables.ts'
import { type FileReader, parseParameterValue, ValueLimitError } from './values.ts'

/**
 * How much one request may ask of a Worker, whose isolate has 128 MB for everything. `npm run
 * bench:spec -- --jobs 25000,50000,100000 --tasks tool` measures create_workflow's path (parse,
 * Slurm generation, validation, creation plan, all held as the tool holds them) in a Node heap
 * capped like an isolate: a sweep of N jobs with N files needs 40 MB at 25,000, 64 MB at 50,000
 * and 112 MB at 100,000 (Node's own 12 MB included), about 1 KB per job and file. At the limits
 * below the path takes half the isolate (test/unit/workflow-spec/limits.test.ts holds it to that).
 *
 * - `jobs`, `files`: after parameter expansion (files counts user_data entries too).
 * - `textChars`: per format, because the parsers differ: the `yaml` package needs ~70 bytes per
 *   character of YAML while it parses and KDL ~35, where JSON and JSON5 stay under 10.
 */
export const EDGE_LIMITS = {
  jobs: 50_000,
  files: 50_000,
  textChars: { json: 5_000_000, json5: 5_000_000, yaml: 512 * 1024, kdl: 1024 * 1024 },
} as const satisfies { jobs: number; files: number; textChars: Record<SpecFormat, number> }

/** A spec the edge refuses for its size (a SpecError, so callers that catch those still do). */
export class SpecLimitError extends SpecError {
  override readonly name = 'SpecLimitError'
}

export interface ExpansionSize {
  jobs: number
  /** Files plus user_data entries. */
  files: number
}

const ORDER: readonly SpecFormat[] = ['json', 'json5', 'yaml', 'kdl']
const grouped = (n: number): string => n.toLocaleString('en-US')

/** What expansion reads of a job, file or user_data entry. */
type Item = Pick<
  WorkflowSpec['jobs'][number],
  'parameters' | 'use_parameters' | 'parameter_mode' | 'parameters_file' | 'use_parameters_file'
>

/**
 * The formats auto-detection may try for text of this length. Throws when the declared format's
 * parser would need too much memory for it.
 */
export function formatsWithinLimits(text: string, format: SpecFormat | 'auto'): SpecFormat[] {
  const fits = (f: SpecFormat): boolean => text.length <= EDGE_LIMITS.textChars[f]
  if (format !== 'auto') {
    if (!fits(format)) {
      throw new SpecLimitError(
        `the spec is ${grouped(text.length)} characters of ${format.toUpperCase()}; the edge ` +
          `parses ${format.toUpperCase()} only up to ${grouped(EDGE_LIMITS.textChars[format])} ` +
          `characters (its parser needs many times the text in memory and a Worker has 128 ` +
          `MB). Send it as JSON (up to ${grouped(EDGE_LIMITS.textChars.json)} characters), ` +
          'use parameters instead of listing jobs one by one, or create it on the cluster with ' +
          '`torc create <file>`.'
      )
    }
    return [format]
  }
  return ORDER.filter(fits)
}

/** Why auto-detection skipped some formats, to add to a parse error; undefined when none were skipped. */
function skippedFormatsNote(text: string, tried: readonly SpecFormat[]): string | undefined {
  const skipped = ORDER.filter((f) => !tried.includes(f))
  if (skipped.length === 0) return undefined
  const limits = skipped.map((f) => `${f.toUpperCase()} up to ${grouped(EDGE_LIMITS.textChars[f])}`).join(', ')
  return (
    `${skipped.map((f) => f.toUpperCase()).join(' and ')} not tried: the spec is ${grouped(text.length)} characters ` +
    `and the edge parses ${limits} characters (a Worker has 128 MB)`
  )
}

/**
 * The number of jobs and files (with user_data) expansion would produce, counted without
 * producing them; past `cap` a template counts as `cap + 1`. Items whose parameters are invalid
 * count once: expansion reports those with torc's messages.
 */
export function expansionSize(spec: WorkflowSpec, cap: number, readFile?: FileReader): ExpansionSize {
  const count = (item: Item): number => {
    const parameters = resolveParameters(item.parameters, item.use_parameters, spec.parameters)
    const table = item.parameters_file ?? (item.use_parameters_file === true ? spec.parameters_file : undefined)
    try {
      if (table !== undefined) return loadParameterTable(table, readFile).length
      if (parameters === undefined) return 1
      const lengths = Object.values(parameters).map((raw) => parseParameterValue(raw, readFile, cap + 1).length)
      if (item.parameter_mode === 'zip') return lengths[0] ?? 1
      return lengths.reduce((n, length) => Math.min(n * length, cap + 1), 1)
    } catch (error) {
      return error instanceof ValueLimitError ? cap + 1 : 1
    }
  }
  const sum = (items: readonly Item[] | undefined): number =>
    (items ?? []).reduce((n, item) => Math.min(n + count(item), cap + 1), 0)
  return { jobs: sum(spec.jobs), files: Math.min(sum(spec.files) + sum(spec.user_data), cap + 1) }
}

/** Throws a SpecLimitError naming the limit when the expanded workflow is too big for a Worker. */
export function checkExpansionSize(spec: WorkflowSpec, readFile?: FileReader): ExpansionSize {
  // Counting past the limit gives exact numbers in the message; a range is materialised up to the cap.
  const cap = 2 * Math.max(EDGE_LIMITS.jobs, EDGE_LIMITS.files)
  const size = expansionSize(spec, cap, readFile)
  const over: string[] = []
  const more = (n: number): string => (n > cap ? `more than ${grouped(cap)}` : grouped(n))
  if (size.jobs > EDGE_LIMITS.jobs) over.push(`${more(size.jobs)} jobs (limit ${grouped(EDGE_LIMITS.jobs)})`)
  if (size.files > EDGE_LIMITS.files) {
    over.push(`${more(size.files)} files and user_data entries (limit ${grouped(EDGE_LIMITS.files)})`)
  }
  if (over.length > 0) {
    throw new SpecLimitError(
      `the spec expands to ${over.join(' and ')}; the edge handles at most ${grouped(EDGE_LIMITS.jobs)} jobs and ` +
        `${grouped(EDGE_LIMITS.files)} files per workflow so that a request stays within a Worker's 128 MB. Split it ` +
        'into smaller workflows, or create it on the cluster with `torc create <file>`.'
    )
  }
  return size
}

/**
 * Parses spec text as the edge may: refuses text too long for its format's parser, lets
 * auto-detection try only the formats that fit (saying which it skipped if nothing parses), and
 * refuses a workflow that expands past the job or file limit before anything big is built.
 */
export function parseWithinLimits(text: string, format: SpecFormat | 'auto', options: ParseOptions = {}): ParsedSpec {
  const candidates = formatsWithinLimits(text, format)
  let parsed: ParsedSpec
  try {
    parsed = parseSpecDetailed(text, format, { ...options, autoFormats: candidates })
  } catch (error) {
    const note = format === 'auto' ? skippedFormatsNote(text, candidates) : undefined
    if (note === undefined || !(error instanceof SpecError)) throw error
    // First, since it is the likelier cause: YAML text skipped here may still parse as KDL nodes.
    throw new SpecError([{ path: '', message: note }, ...error.issues])
  }
  checkExpansionSize(parsed.spec, options.readFile)
  return parsed
}
