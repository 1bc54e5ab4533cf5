import type { SpecIssue } from '../errors.ts'
import type { WorkflowSpec } from '../model.ts'
import { compileRegex } from '../regex.ts'
import type { Api, CreationStep } from './types.ts'

/** The file, RO-Crate entity and user-data steps of the creation plan (1.0.0's `create_files`, `create_user_data`). */
function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const MIME: Record<string, string> = {
  csv: 'text/csv',
  txt: 'text/plain',
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  md: 'text/markdown',
  html: 'text/html',
  xml: 'application/xml',
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  py: 'text/x-python',
  sh: 'application/x-sh',
  h5: 'application/x-hdf5',
  nc: 'application/x-netcdf',
  parquet: 'application/vnd.apache.parquet',
}

export function fileSteps(spec: WorkflowSpec, size: number, steps: CreationStep[], issues: SpecIssue[]): void {
  const files = spec.files ?? []
  const seen = new Set<string>()
  for (const f of files) {
    if (seen.has(f.name)) issues.push({ path: 'files', message: `Duplicate file name: ${f.name}` })
    seen.add(f.name)
  }
  const models = files.map((f) =>
    f.st_mtime === undefined ? { name: f.name, path: f.path } : { name: f.name, path: f.path, st_mtime: f.st_mtime }
  )
  chunks(models, size).forEach((batch, i) => {
    steps.push({ kind: 'files', method: 'POST', path: '/bulk_files', batch: i + 1, files: batch })
  })
  const inputs = new Set(spec.jobs.flatMap((j) => j.input_files ?? []))
  const inputRegexes = spec.jobs
    .flatMap((j) => j.input_file_regexes ?? [])
    .flatMap((p) => {
      try {
        return [compileRegex(p)]
      } catch {
        return []
      }
    })
  for (const f of files) {
    if (f.identifier === undefined) continue
    if (f.st_mtime === undefined && !inputs.has(f.name) && !inputRegexes.some((re) => re.test(f.name))) continue
    const base = f.path.split('/').pop() || f.path
    const metadata: Record<string, unknown> = {
      '@id': f.identifier,
      '@type': ['File', 'prov:Entity'],
      name: base,
      encodingFormat: MIME[/\.([^.]+)$/.exec(base)?.[1]?.toLowerCase() ?? ''] ?? 'application/octet-stream',
    }
    if (f.identifier !== f.path) metadata['sameAs'] = { '@id': f.path }
    if (f.st_mtime !== undefined) {
      const when = new Date(Math.trunc(f.st_mtime) * 1000).toISOString()
      metadata['dateModified'] = when.replace(/\.\d{3}Z$/, '+00:00')
    }
    const body = { entity_id: f.identifier, entity_type: 'File', metadata }
    steps.push({ kind: 'ro_crate_entity', method: 'POST', path: '/ro_crate_entities', file: f.name, body })
  }
}

export function userDataSteps(spec: WorkflowSpec, size: number, steps: CreationStep[], issues: SpecIssue[]): void {
  const seen = new Set<string>()
  const records: Omit<Api['UserDataModel'], 'workflow_id'>[] = []
  for (const ud of spec.user_data ?? []) {
    if (ud.name === undefined) continue
    if (seen.has(ud.name)) issues.push({ path: 'user_data', message: `Duplicate user data name: ${ud.name}` })
    seen.add(ud.name)
    const record: Omit<Api['UserDataModel'], 'workflow_id'> = { name: ud.name }
    if (ud.is_ephemeral !== undefined) record.is_ephemeral = ud.is_ephemeral
    if (ud.data !== undefined) record.data = ud.data
    records.push(record)
  }
  chunks(records, size).forEach((batch, i) => {
    steps.push({ kind: 'user_data', method: 'POST', path: '/bulk_user_data', batch: i + 1, records: batch })
  })
}
