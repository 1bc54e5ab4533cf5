import type { JobSpec, WorkflowSpec } from './model.ts'

/**
 * `${files.input.NAME}`, `${files.output.NAME}`, `${user_data.input.NAME}` and
 * `${user_data.output.NAME}` in job commands and invocation scripts (torc 1.0.0
 * `substitute_variables`). Files become their path, user data its JSON text, and each name found
 * is recorded as a job input or output. 1.0.0 scans in one regex pass, so names come in command
 * order (no longer map order); names from the command replace the job's explicit list, names from
 * the invocation script are merged in, sorted and deduplicated. Unknown names stay verbatim.
 */
const VARIABLE = /\$\{(files|user_data)\.(input|output)\.([^}]+)\}/g

interface Extracted {
  text: string
  inputFiles: string[]
  outputFiles: string[]
  inputUserData: string[]
  outputUserData: string[]
}

function extract(
  input: string,
  files: Map<string, string>,
  userData: Map<string, string>,
  keepText: boolean
): Extracted {
  const found: Extracted = { text: input, inputFiles: [], outputFiles: [], inputUserData: [], outputUserData: [] }
  if (!input.includes('${')) return found
  const add = (list: string[], name: string): void => {
    if (!list.includes(name)) list.push(name)
  }
  const visit = (whole: string, space: string, direction: string, name: string): string => {
    const input = direction === 'input'
    if (space === 'files') {
      const path = files.get(name)
      if (path === undefined) return whole
      add(input ? found.inputFiles : found.outputFiles, name)
      return path
    }
    const data = userData.get(name)
    if (data === undefined) return whole
    add(input ? found.inputUserData : found.outputUserData, name)
    return data
  }
  if (keepText) found.text = input.replace(VARIABLE, visit)
  else for (const m of input.matchAll(VARIABLE)) visit(m[0], m[1] as string, m[2] as string, m[3] as string)
  return found
}

/** JSON text with object keys sorted, as Torc's serde_json (no `preserve_order`) writes it. */
export function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort()
    const entries = keys.map((k) => `${JSON.stringify(k)}:${sortedJson((value as Record<string, unknown>)[k])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

const merged = (current: string[] | undefined, extra: string[]): string[] | undefined =>
  extra.length === 0 ? current : [...new Set([...(current ?? []), ...extra])].sort()

/** Returns a copy of the spec with variables substituted and the implied file/user-data lists set. */
export function substituteVariables(spec: WorkflowSpec): WorkflowSpec {
  return substituteJobs({ ...spec, jobs: [...spec.jobs] }, undefined, true)
}

/**
 * Pipeline form: substitutes into a freshly expanded spec, rewriting jobs marked in `owned` in place
 * (they were created by expansion) so a 100,000-job spec is not held twice at the peak. With
 * `keepText` false only the implied file and user-data lists are set and the command text is left
 * as it was: validation and planning never read it, and at 100,000 jobs the new strings cost MBs.
 */
export function substituteExpanded(spec: WorkflowSpec, owned: Uint8Array, keepText: boolean): WorkflowSpec {
  return substituteJobs(spec, owned, keepText)
}

function substituteJobs(spec: WorkflowSpec, owned: Uint8Array | undefined, keepText: boolean): WorkflowSpec {
  const files = new Map<string, string>()
  for (const file of spec.files ?? []) files.set(file.name, file.path)
  const userData = new Map<string, string>()
  for (const ud of spec.user_data ?? []) {
    if (ud.name !== undefined && ud.data !== undefined) userData.set(ud.name, sortedJson(ud.data))
  }
  if (files.size === 0 && userData.size === 0) return spec
  const jobs = spec.jobs
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i] as JobSpec
    if (!job.command.includes('${') && !job.invocation_script?.includes('${')) continue
    const out: JobSpec = owned?.[i] === 1 ? job : { ...job }
    const cmd = extract(job.command, files, userData, keepText)
    out.command = cmd.text
    // slice() trims the grown backing store: at 100,000 jobs the slack costs ~15 MB.
    if (cmd.inputFiles.length > 0) out.input_files = cmd.inputFiles.slice()
    if (cmd.outputFiles.length > 0) out.output_files = cmd.outputFiles.slice()
    if (cmd.inputUserData.length > 0) out.input_user_data = cmd.inputUserData.slice()
    if (cmd.outputUserData.length > 0) out.output_user_data = cmd.outputUserData.slice()
    if (job.invocation_script !== undefined) {
      const script = extract(job.invocation_script, files, userData, keepText)
      out.invocation_script = script.text
      out.input_files = merged(out.input_files, script.inputFiles)
      out.output_files = merged(out.output_files, script.outputFiles)
      out.input_user_data = merged(out.input_user_data, script.inputUserData)
      out.output_user_data = merged(out.output_user_data, script.outputUserData)
    }
    jobs[i] = out
  }
  return spec
}
