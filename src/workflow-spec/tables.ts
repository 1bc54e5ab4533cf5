import { type FileReader, inferValue, type ParamValue } from './values.ts'

/**
 * `parameters_file` tables (torc 1.0.0 `load_parameter_table`): CSV with a header row, a JSON array of
 * objects, or JSON Lines. Each row is one combination. The edge has no file system, so callers pass
 * a reader; without one, a table is an error that says so.
 */
export type TableRow = Map<string, ParamValue>

/** Loads a parameter table through the reader; throws with Torc's messages. */
export function loadParameterTable(path: string, readFile: FileReader | undefined): TableRow[] {
  const trimmed = path.trim()
  if (trimmed === '') throw new Error('Empty parameters_file path')
  const lower = trimmed.toLowerCase()
  const kind = lower.endsWith('.csv')
    ? 'csv'
    : lower.endsWith('.jsonl') || lower.endsWith('.ndjson')
      ? 'jsonl'
      : lower.endsWith('.json')
        ? 'json'
        : undefined
  if (kind === undefined) {
    throw new Error(
      `Unsupported parameters_file extension for '${trimmed}': expected '.csv', '.json', '.jsonl', or '.ndjson'`
    )
  }
  if (readFile === undefined) {
    throw new Error(`Failed to read parameters_file '${trimmed}': no file access here; inline the parameters instead`)
  }
  let content: string
  try {
    content = readFile(trimmed)
  } catch (error) {
    throw new Error(`Failed to read parameters_file '${trimmed}': ${error instanceof Error ? error.message : error}`)
  }
  const read = kind === 'csv' ? csvRows : kind === 'json' ? jsonRows : jsonlRows
  const rows = read(content, trimmed)
  if (rows.length === 0) throw new Error(`parameters_file '${trimmed}' contains no rows`)
  return rows
}

function csvRows(content: string, path: string): TableRow[] {
  const records = parseCsv(content)
  const headers = records.shift()
  if (headers === undefined || headers.length === 0) throw new Error(`parameters_file '${path}' has no columns`)
  const seen = new Set<string>()
  for (const header of headers) {
    if (header === '') throw new Error(`parameters_file '${path}' has an empty column name in its header`)
    if (seen.has(header)) throw new Error(`parameters_file '${path}' has a duplicate column name '${header}'`)
    seen.add(header)
  }
  return records.map((record, index) => {
    if (record.length !== headers.length) {
      throw new Error(
        `Row ${index + 1} of '${path}' has ${record.length} fields but the header has ${headers.length} columns`
      )
    }
    return new Map(headers.map((header, i) => [header, inferValue(record[i] ?? '')]))
  })
}

/** RFC 4180 CSV with every field trimmed and blank lines skipped, like the `csv` crate Torc uses. */
function parseCsv(content: string): string[][] {
  const records: string[][] = []
  let field = ''
  let record: string[] = []
  let quoted = false
  let touched = false
  const endField = (): void => {
    record.push(field.trim())
    field = ''
  }
  const endRecord = (): void => {
    if (touched || record.length > 0) {
      endField()
      records.push(record)
    }
    record = []
    touched = false
  }
  for (let i = 0; i < content.length; i++) {
    const c = content[i] as string
    if (quoted) {
      if (c === '"' && content[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"' && field.trim() === '') {
      quoted = true
      field = ''
      touched = true
    } else if (c === ',') {
      endField()
      touched = true
    } else if (c === '\n') endRecord()
    else if (c !== '\r') {
      field += c
      if (c.trim() !== '') touched = true
    }
  }
  endRecord()
  return records
}

function toParam(value: unknown): ParamValue {
  if (typeof value === 'number') return Number.isInteger(value) ? { kind: 'int', value } : { kind: 'float', value }
  if (typeof value === 'string') return { kind: 'str', value }
  return { kind: 'str', value: JSON.stringify(value) }
}

function objectRow(value: unknown, what: string): TableRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(what)
  return new Map(Object.entries(value).map(([k, v]) => [k, toParam(v)]))
}

function jsonRows(content: string, path: string): TableRow[] {
  let value: unknown
  try {
    value = JSON.parse(content)
  } catch (error) {
    throw new Error(`Failed to parse JSON parameters_file '${path}': ${error instanceof Error ? error.message : error}`)
  }
  if (!Array.isArray(value)) throw new Error(`parameters_file '${path}' must contain a JSON array of objects`)
  return value.map((item, i) => objectRow(item, `Element ${i + 1} of parameters_file '${path}' is not a JSON object`))
}

function jsonlRows(content: string, path: string): TableRow[] {
  const rows: TableRow[] = []
  content.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '') return
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error)
      throw new Error(`Failed to parse line ${i + 1} of parameters_file '${path}': ${why}`)
    }
    rows.push(objectRow(value, `Line ${i + 1} of parameters_file '${path}' is not a JSON object`))
  })
  return rows
}
