import { z } from 'zod'
import { ToolError } from '../errors.ts'
import type { ToolContext } from '../registry.ts'
import {
  createInTorc,
  formatIssue,
  generateSlurm,
  HPC_PROFILES,
  type ParsedSpec,
  parseWithinLimits,
  planCreation,
  SpecError,
  SpecLimitError,
  type SweepReport,
  validateSpec,
  type WorkflowSpec,
} from '../workflow-spec/index.ts'
import { shortMessages, shortSummary, summarySchema } from './authoring.schemas.ts'

const formats = ['auto', 'json', 'json5', 'yaml', 'kdl'] as const
export const fileFormats = ['yaml', 'json', 'json5', 'kdl'] as const
export const specText = z
  .string()
  .min(2)
  .max(5_000_000)
  .describe('The workflow spec as text: JSON or JSON5 (up to 5,000,000 characters), YAML (512 KiB) or KDL (1 MiB).')
export const formatField = z.enum(formats).default('auto').describe('Spec format (default auto-detect).')

/** Spec errors become invalid_input naming the field and, where the parser knows it, line and column. */
export function specFailure(err: unknown): never {
  if (err instanceof SpecLimitError) throw new ToolError('invalid_input', `spec too large: ${err.message}`)
  if (err instanceof SpecError) {
    const issues = err.issues.slice(0, 10).map(formatIssue)
    throw new ToolError(
      'invalid_input',
      `invalid spec: ${issues.join('; ')}${err.issues.length > 10 ? ` (and ${err.issues.length - 10} more)` : ''}`
    )
  }
  throw err
}

/** Parses within the edge's memory limits (src/workflow-spec/limits.ts), as invalid_input when refused. */
export function parseBounded(text: string, format: (typeof formats)[number]): ParsedSpec {
  try {
    return parseWithinLimits(text, format)
  } catch (err) {
    return specFailure(err)
  }
}

export type SlurmSummary = { profile: string; schedulers: number; actions: number; warnings: string[] }

/**
 * Scheduler generation as the 1.0.0 MCP tool runs it (`torc slurm generate`, no --overwrite): a
 * spec with its own schedulers or actions is refused unless `overwrite` is set, which replaces them
 * all. A missing account is asked for, as 1.0.0's need_input answer does, but as an error.
 */
export function withSlurm(
  spec: WorkflowSpec,
  input: { account?: string | undefined; hpc_profile?: string | undefined; overwrite: boolean },
  profiles: unknown[] = []
) {
  const fallback = spec.slurm_defaults?.['account']
  const account = input.account ?? (typeof fallback === 'string' ? fallback : undefined)
  if (account === undefined) {
    throw new ToolError(
      'invalid_input',
      'account: Slurm workflows require an account for job submission. Ask the user which Slurm account to use ' +
        "(typically a project or allocation name like 'myproject' or 'research-gpu'), then call this tool again with " +
        'account set to their answer (or set slurm_defaults.account in the spec).'
    )
  }
  const own = [spec.slurm_schedulers?.length ? 'slurm_schedulers' : '', spec.actions?.length ? 'actions' : ''].filter(
    Boolean
  )
  if (own.length > 0 && !input.overwrite) {
    throw new ToolError(
      'invalid_input',
      `overwrite: the spec already has ${own.join(' and ')}, which Slurm generation would replace. Use workflow_type ` +
        '"local" to keep them as they are, or pass overwrite: true to replace its slurm_schedulers and ALL of its ' +
        'actions (run_commands ones too) with generated ones.'
    )
  }
  const names = [...HPC_PROFILES.map((p) => p.name), ...profiles.map((p) => (p as { name?: unknown }).name)]
  if (input.hpc_profile === undefined || !names.includes(input.hpc_profile)) {
    const problem =
      input.hpc_profile === undefined
        ? 'Slurm workflows need an HPC profile to size their allocations'
        : `unknown HPC profile "${input.hpc_profile}"`
    throw new ToolError(
      'invalid_input',
      `hpc_profile: ${problem}: pass hpc_profile (${names.join(', ')}; "slurm" reads the ` +
        `cluster's own partitions through the login-node agent), ` +
        "or set the deployment's TORC_HPC_PROFILE."
    )
  }
  try {
    const generated = generateSlurm(spec, {
      hpcProfile: input.hpc_profile,
      account,
      overwrite: input.overwrite,
      profiles,
    })
    const summary: SlurmSummary = {
      profile: generated.profile_name,
      schedulers: generated.scheduler_count,
      actions: generated.action_count,
      warnings: generated.warnings,
    }
    return { spec: generated.spec, summary }
  } catch (err) {
    return specFailure(err)
  }
}

interface Created {
  workflow_id: number
  counts: Record<string, number>
  /** Leftovers of earlier failed creations this call removed (sweepSentence words it). */
  swept: SweepReport | undefined
}

/**
 * Creates the plan in Torc within the call's time budget, guarded until complete; a failure deletes
 * it again or names what is left (src/workflow-spec/creation/execute.ts, README "Creating workflows").
 */
export async function create(
  ctx: ToolContext,
  spec: WorkflowSpec,
  user: string,
  monitoring: boolean
): Promise<Created> {
  const plan = (() => {
    try {
      return planCreation(spec, { user, enableResourceMonitoring: monitoring, initialize: true })
    } catch (err) {
      return specFailure(err)
    }
  })()
  return createInTorc(plan, ctx.torc, {
    signal: ctx.signal,
    callTimeoutMs: ctx.config.TORC_TIMEOUT_MS,
    progress: (done, total, label) => ctx.progress(done, total, label),
  })
}

export const slurmOutput = z
  .object({
    profile: z.string().describe('HPC profile the schedulers were sized for, e.g. "kestrel".'),
    schedulers: z.number().int().describe('Slurm schedulers generated.'),
    actions: z.number().int().describe('schedule_nodes actions generated (they submit the allocations).'),
    warnings: z.array(z.string()).describe('Jobs left without a scheduler and why.'),
  })
  .nullable()
  .describe('Generated Slurm schedulers (slurm only).')

export const specFileOutput = z
  .object({
    name: z.string().describe("File name to save spec_text as: the workflow name with the format's extension."),
    format: z.enum(fileFormats).describe('Format of spec_text.'),
    media_type: z.string().describe('Media type of spec_text, e.g. "application/yaml".'),
    uri: z
      .string()
      .describe('URI of the same text, embedded as a resource in the MCP result for clients that save files.'),
    note: z
      .string()
      .nullable()
      .describe('Why spec_text is not in the requested format (KDL cannot express some fields), else null.'),
  })
  .nullable()
  .describe('For save_spec_file: how to save spec_text.')

/** The spec parameters create_workflow and confirm_create_workflow share (the Rust tool's names kept). */
export const specParams = {
  spec: specText.optional(),
  spec_json: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('The spec as a JSON object (what the torc MCP server takes); give spec or spec_json.'),
  format: formatField,
  workflow_type: z
    .enum(['local', 'slurm'])
    .default('local')
    .describe('local (default) or slurm (generates schedulers).'),
  account: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'Slurm account for the generated schedulers; required for slurm ' +
        'unless the spec sets slurm_defaults.account. Ask the user.'
    ),
  hpc_profile: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe(
      'HPC profile for slurm: "kestrel", "dane", or "slurm" (the cluster\'s own partitions, read on the login node). ' +
        'Default: the deployment\'s TORC_HPC_PROFILE, else "slurm".'
    ),
  overwrite: z
    .boolean()
    .default(false)
    .describe(
      "slurm only: replace the spec's own slurm_schedulers and ALL its " +
        'actions with generated ones (default false: such a spec is refused).'
    ),
  user: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('Workflow owner when the credential carries no identity and TORC_USERNAME is unset.'),
}
type SpecParams = z.output<z.ZodObject<typeof specParams>>

/** The spec text of either parameter: spec (any format) or spec_json (an object, sent as JSON). */
export function specSource(input: SpecParams): { text: string; format: (typeof formats)[number] } {
  if (input.spec !== undefined) return { text: input.spec, format: input.format }
  if (input.spec_json !== undefined) return { text: JSON.stringify(input.spec_json), format: 'json' }
  throw new ToolError(
    'invalid_input',
    'invalid input: spec: give the spec as text (spec) or as a JSON object (spec_json)'
  )
}

/** Parses, generates Slurm schedulers when asked, and validates: what every spec action starts with. */
export function prepareSpec(input: SpecParams, profiles: unknown[] = []) {
  const source = specSource(input)
  const parsed = parseBounded(source.text, source.format)
  let spec = parsed.spec
  let slurm: SlurmSummary | null = null
  if (input.workflow_type === 'slurm') ({ spec, summary: slurm } = withSlurm(spec, input, profiles))
  const report = validateSpec(spec)
  return { parsed, spec, slurm, report }
}

/** The report fields of every spec answer. */
export const reportFields = {
  valid: z.boolean().describe('Whether the spec validates.'),
  errors: z.array(z.string()).describe('Validation errors (the first 50, then how many more).'),
  warnings: z
    .array(z.string())
    .describe('Validation warnings, including KDL nodes torc ignores (the first 50, then how many more).'),
  summary: summarySchema.describe('Counts and facts of the expanded workflow.'),
  slurm: slurmOutput,
}

export function reportOf(prepared: ReturnType<typeof prepareSpec>) {
  const { parsed, report, slurm } = prepared
  return {
    valid: report.valid,
    errors: shortMessages(report.errors),
    warnings: shortMessages([...parsed.warnings, ...report.warnings]),
    summary: shortSummary(report.summary),
    slurm,
  }
}
