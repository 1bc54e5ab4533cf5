import { z } from 'zod'
import {
  EXAMPLE_FORMATS,
  exampleDescription,
  findExample,
  findTopic,
  formatsOf,
  textWindow,
  UNLISTED_EXAMPLES,
} from '../docs/library.ts'
import { LISTED_EXAMPLES } from '../docs/manifest.ts'
import { readReleaseFile } from '../docs/source.ts'
import type { ToolContext } from '../registry.ts'
import { defineTool } from '../registry.ts'
import { PAGE_BUDGET, readOnly } from './fields.ts'

/** The pinned release's documentation and example specs, read from TORC_DOCS_URL (src/docs/). */

const sourceOf = ({ config, signal }: ToolContext) => ({
  baseUrl: config.TORC_DOCS_URL,
  timeoutMs: config.TORC_TIMEOUT_MS,
  signal,
})

const offsetField = z
  .number()
  .int()
  .min(0)
  .default(0)
  .describe('Character offset to start at (default 0); a cut answer gives the next one as next_offset.')

const windowFields = {
  content: z.string().describe('The text (markdown or spec), ending in a "[cut by torc-edge …]" marker when cut.'),
  offset: z.number().int().describe('Character offset this content starts at.'),
  total_chars: z.number().int().describe('Length of the whole file in characters.'),
  truncated: z.boolean().describe('True when the content stops before the end of the file.'),
  next_offset: z.number().int().nullable().describe('Offset to call again with for the rest; null at the end.'),
}

export const getDocs = defineTool({
  name: 'get_docs',
  title: 'Read Torc documentation',
  description:
    "Read a page of the pinned Torc release's documentation by topic, as markdown. Use it to check how a spec " +
    'field, dependency, parameter sweep, Slurm option or recovery feature works before writing or fixing a ' +
    'workflow. Topics: workflow-spec, dependencies, parameterization, slurm, job-states, actions, failure-handlers, ' +
    'recovery, ai-recovery, resource-monitoring, cli, checkpointing, hpc-profiles, workflow-formats, ' +
    'allocation-strategies, tutorials and more (an unknown topic answers not_found with the whole list). ' +
    'Long pages come in parts: call again with next_offset.',
  input: z.object({
    topic: z
      .string()
      .min(1)
      .max(100)
      .describe(
        'Topic (case-insensitive), e.g. "workflow-spec", "slurm", "parameterization", "recovery", "cli", ' +
          '"tutorials"; an unknown one answers not_found listing every topic.'
      ),
    offset: offsetField,
  }),
  output: z.object({
    topic: z.string().describe('The topic.'),
    description: z.string().describe('What the page covers.'),
    path: z.string().describe("The page's file in the Torc repository."),
    uri: z.string().describe('The same page as an MCP resource.'),
    ...windowFields,
  }),
  annotations: readOnly,
  async handler({ topic, offset }, ctx) {
    const found = findTopic(topic)
    const text = await readReleaseFile(found.path, sourceOf(ctx))
    return {
      topic: found.topic,
      description: found.description,
      path: found.path,
      uri: `torc://docs/${found.topic}`,
      ...textWindow(text, offset, PAGE_BUDGET),
    }
  },
  summarize: (out) =>
    `docs "${out.topic}": ${out.total_chars} characters${out.truncated ? `, part from ${out.offset} (cut)` : ''}`,
})

export const listExamples = defineTool({
  name: 'list_examples',
  title: 'List example workflow specs',
  description:
    'List the example workflow specs of the pinned Torc release, with what each shows and the formats it comes in. ' +
    'Use it to find a starting point before writing a spec (fan-out/fan-in, parameter sweeps, Slurm stages, ' +
    'workflow actions, failure handlers), then read one with get_example. For ending jobs cleanly on ' +
    'SIGTERM (checkpointing), read get_docs topic "checkpointing".',
  input: z.object({}),
  output: z.object({
    examples: z
      .array(
        z.object({
          name: z.string().describe('Name to pass to get_example.'),
          description: z.string().describe('What the example shows.'),
          formats: z.array(z.enum(['yaml', 'json', 'kdl'])).describe('Formats the example comes in.'),
          uri: z.string().describe('The example as an MCP resource.'),
        })
      )
      .describe('The listed examples.'),
    total: z.number().int().describe('Number of listed examples.'),
    more_examples: z
      .array(z.string())
      .describe('Further spec files of the release that get_example also serves, by name.'),
  }),
  annotations: readOnly,
  async handler() {
    const examples = LISTED_EXAMPLES.map((e) => ({
      name: e.name,
      description: e.description,
      formats: formatsOf(e.name),
      uri: `torc://examples/${e.name}`,
    }))
    return { examples, total: examples.length, more_examples: UNLISTED_EXAMPLES }
  },
  summarize: (out) => `${out.total} examples (and ${out.more_examples.length} more specs by name)`,
})

export const getExample = defineTool({
  name: 'get_example',
  title: 'Read an example workflow spec',
  description:
    'Read one example workflow spec of the pinned Torc release by name, in the preferred format when it exists ' +
    '(else another). Use it after list_examples to adapt a working spec rather than writing one from scratch; ' +
    'prefer YAML or JSON for parameterized workflows (KDL specs cannot hold parameters). Returns the file text.',
  input: z.object({
    name: z
      .string()
      .min(1)
      .max(100)
      // In the schema too (the loader checks it again), so the OpenAPI document says what is refused.
      .regex(/^[A-Za-z0-9_-]+$/, 'only letters, digits, "_" and "-" (an example name from list_examples)')
      .describe('Example name from list_examples, e.g. "diamond_workflow" or "hyperparameter_sweep".'),
    format: z
      .enum(EXAMPLE_FORMATS)
      .default('yaml')
      .describe('Preferred format: yaml (default), json (JSON5 first) or kdl; another is served when it is missing.'),
    offset: offsetField,
  }),
  output: z.object({
    name: z.string().describe('The example.'),
    description: z.string().describe('What it shows.'),
    format: z.string().describe('Extension of the file served: yaml, yml, json5, json or kdl.'),
    path: z.string().describe('The file in the Torc repository.'),
    uri: z.string().describe('The example as an MCP resource.'),
    ...windowFields,
  }),
  annotations: readOnly,
  async handler({ name, format, offset }, ctx) {
    const file = findExample(name, format)
    const text = await readReleaseFile(file.path, sourceOf(ctx))
    return {
      name,
      description: exampleDescription(name),
      format: file.ext,
      path: file.path,
      uri: `torc://examples/${name}`,
      ...textWindow(text, offset, PAGE_BUDGET),
    }
  },
  summarize: (out) => `example ${out.name} (${out.format}, ${out.total_chars} characters)`,
})

export const docsTools = [getDocs, listExamples, getExample]
