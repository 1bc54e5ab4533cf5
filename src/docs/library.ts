import { ToolError } from '../errors.ts'
import {
  DOC_TOPICS,
  type DocTopic,
  EXAMPLE_FILES,
  EXAMPLE_FOLDERS,
  type ExampleFolder,
  LISTED_EXAMPLES,
} from './manifest.ts'

/** Finding topics and example files as torc 1.0.0's MCP server does, from the manifest. */

export const TOPIC_NAMES = DOC_TOPICS.map((t) => t.topic)

/** The topic, matched case-insensitively; an unknown one is not_found with near matches and the full list. */
export function findTopic(name: string): DocTopic {
  const wanted = name.trim().toLowerCase()
  const found = DOC_TOPICS.find((t) => t.topic === wanted)
  if (found) return found
  const near = wanted
    ? DOC_TOPICS.filter((t) => t.topic.includes(wanted) || t.description.toLowerCase().includes(wanted))
    : []
  const hint = near.length ? ` Did you mean ${near.map((t) => t.topic).join(', ')}?` : ''
  throw new ToolError('not_found', `no docs topic "${name}".${hint} Topics: ${TOPIC_NAMES.join(', ')}`)
}

export const EXAMPLE_FORMATS = ['yaml', 'yml', 'json', 'json5', 'kdl'] as const
export type ExampleFormat = (typeof EXAMPLE_FORMATS)[number]

/** File extensions of each format family, in the order they are tried. */
const FAMILIES = { yaml: ['yaml', 'yml'], json: ['json5', 'json'], kdl: ['kdl'] } as const
type Family = keyof typeof FAMILIES

const familyOf = (format: ExampleFormat): Family =>
  format === 'yml' ? 'yaml' : format === 'json5' ? 'json' : (format as Family)

const present = new Set(EXAMPLE_FOLDERS.flatMap((folder) => EXAMPLE_FILES[folder].map((f) => `${folder}/${f}`)))

/** Every name get_example serves: the listed examples and the release's other spec files. */
export const EXAMPLE_NAMES = [
  ...new Set(EXAMPLE_FOLDERS.flatMap((folder) => EXAMPLE_FILES[folder].map((f) => f.replace(/\.[^.]+$/, '')))),
].sort()

const LISTED = new Set(LISTED_EXAMPLES.map((e) => e.name))
/** Served by get_example but not offered by list_examples (the Rust server does the same). */
export const UNLISTED_EXAMPLES = EXAMPLE_NAMES.filter((n) => !LISTED.has(n))

/** Formats list_examples reports: one per family found in that family's own folder. */
export function formatsOf(name: string): Family[] {
  return (Object.keys(FAMILIES) as Family[]).filter((family) =>
    FAMILIES[family].some((ext) => present.has(`${family}/${name}.${ext}`))
  )
}

export function exampleDescription(name: string): string {
  return LISTED_EXAMPLES.find((e) => e.name === name)?.description ?? 'A workflow spec from the release examples'
}

/**
 * The file get_example serves: the preferred format's family first, then the others (yaml, json,
 * kdl), each extension across the folders yaml, json, kdl and subgraphs, as the Rust server tries them.
 */
export function findExample(name: string, format: ExampleFormat = 'yaml'): { path: string; ext: string } {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new ToolError('invalid_input', 'name: only letters, digits, "_" and "-" (an example name from list_examples)')
  }
  const first = familyOf(format)
  const order = [first, ...(Object.keys(FAMILIES) as Family[]).filter((f) => f !== first)]
  for (const family of order) {
    for (const ext of FAMILIES[family]) {
      for (const folder of EXAMPLE_FOLDERS as readonly ExampleFolder[]) {
        if (present.has(`${folder}/${name}.${ext}`)) return { path: `examples/${folder}/${name}.${ext}`, ext }
      }
    }
  }
  throw new ToolError('not_found', `no example "${name}". Examples: ${EXAMPLE_NAMES.join(', ')}`)
}

/** One window of a long text, for answers that must stay within a budget. */
export interface TextWindow {
  content: string
  offset: number
  total_chars: number
  next_offset: number | null
  truncated: boolean
}

/**
 * The text from `offset`, cut at a line end once its JSON would pass `budget` characters, with a
 * marker saying where it stopped and how to read on.
 */
export function textWindow(text: string, offset: number, budget: number): TextWindow {
  if (offset > text.length || (offset > 0 && offset === text.length)) {
    throw new ToolError('invalid_input', `offset: ${offset} is past the end (${text.length} characters)`)
  }
  const rest = text.slice(offset)
  let end = 0
  let size = 2
  while (end < rest.length) {
    const newline = rest.indexOf('\n', end)
    const lineEnd = newline < 0 ? rest.length : newline + 1
    const cost = JSON.stringify(rest.slice(end, lineEnd)).length - 2
    if (size + cost > budget) {
      // A first line longer than the whole budget is cut inside it (never mid surrogate pair).
      if (end === 0) end = safeCut(rest, Math.floor(budget / 2))
      break
    }
    size += cost
    end = lineEnd
  }
  const truncated = end < rest.length
  const next = offset + end
  const marker =
    `\n\n[cut by torc-edge: characters ${offset}-${next} ` +
    `of ${text.length}; call again with offset=${next} for the rest]`
  return {
    content: truncated ? rest.slice(0, end) + marker : rest,
    offset,
    total_chars: text.length,
    next_offset: truncated ? next : null,
    truncated,
  }
}

function safeCut(text: string, at: number): number {
  const code = text.charCodeAt(at - 1)
  return code >= 0xd800 && code <= 0xdbff ? at - 1 : at
}
