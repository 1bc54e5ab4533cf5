/**
 * Workflow creation, split by what each call does: create_workflow only reads (validate, the final
 * spec to save, or a preview of the creation), confirm_create_workflow creates, on the change
 * primitive like every write. Rust prompts that call create_workflow with action "create_workflow"
 * get the preview and the one confirming call to make.
 */
import { z } from 'zod'
import { defineChange } from '../changes/define.ts'
import { confirmCall } from '../changes/envelope.ts'
import { sha256Hex } from '../hash.ts'
import { defineTool } from '../registry.ts'
import { sweepSentence, writeSpec } from '../workflow-spec/index.ts'
import { create, fileFormats, prepareSpec, reportFields, reportOf, specFileOutput, specParams } from './authoring.ts'
import { agentInfo, outputFlag } from './cluster.ts'
import { readOnly } from './fields.ts'
import { resolveProfile } from './hpc-profile.ts'
import { torcUserOf } from './torc-user.ts'

const specParamsSchema = z.object(specParams)

export const confirmCreateWorkflow = defineChange({
  name: 'confirm_create_workflow',
  title: 'Create workflow (confirmed)',
  description:
    'Create and initialize in Torc the workflow that create_workflow (action "create_workflow") previewed: send ' +
    'the `confirm` call it returned, once the user agrees. Returns the new workflow id, the records created and ' +
    'the command that runs it on the cluster.',
  kind: 'cr',
  input: specParamsSchema,
  preview: reportFields,
  applied: z.object({
    workflow_id: z.number().int().describe('The new workflow.'),
    owner: z.string().describe('The Torc user that owns it (`torc workflows list` as that user shows it).'),
    owner_why: z.string().describe('Why that user: the credential mapping, identity or key id.'),
    created: z.record(z.string(), z.number().int()).describe('Records created, by kind.'),
    cleaned_up: z
      .string()
      .nullable()
      .describe('Incomplete workflows left by earlier failed creations that this call removed, if any.'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  view: 'review',
  // One lock per distinct request: the same creation sent twice at once creates one workflow.
  scope: async (params) => `create:${(await sha256Hex(JSON.stringify(record(params)))).slice(0, 32)}`,
  record,
  async plan(params, ctx) {
    const { profiles, hpc_profile } = await resolveProfile(ctx, params)
    const prepared = prepareSpec({ ...params, hpc_profile }, profiles)
    const owner = torcUserOf(ctx.caller, ctx.config, params.user)
    return {
      // The profile as read now (a dynamic one comes from the cluster): the apply sizes with the same.
      snapshot: {
        owner: owner.user,
        owner_why: owner.why,
        monitoring: params.workflow_type === 'slurm',
        hpc_profile,
        profiles,
        // Where the site server reads logs: `torc run` and `torc submit` must write there too.
        output_flag: outputFlag(await agentInfo(ctx)),
      },
      basis: {},
      fields: reportOf(prepared),
      blockers: [
        ...(prepared.report.valid ? [] : ['the spec is invalid (see errors): fix it and preview again']),
        // Valid for `torc create --dry-run`, refused by creation itself: say so before the user agrees.
        ...prepared.report.warnings
          .filter((w) => w.startsWith('Creation would fail'))
          .map((w) => `${w}: fix the spec and preview again`),
      ],
    }
  },
  async apply(snapshot, ctx, _steps, params) {
    const spec = prepareSpec({ ...params, hpc_profile: snapshot.hpc_profile }, snapshot.profiles).spec
    const made = await create(ctx, spec, snapshot.owner, snapshot.monitoring)
    return {
      workflow_id: made.workflow_id,
      owner: snapshot.owner,
      owner_why: snapshot.owner_why,
      created: made.counts,
      cleaned_up: sweepSentence(made.swept) ?? null,
    }
  },
  done: (applied, snapshot, fields) =>
    `Created and initialized workflow ${applied.workflow_id}, ` +
    `owned by Torc user ${applied.owner} (${applied.owner_why}). ` +
    (applied.cleaned_up ? `${applied.cleaned_up} ` : '') +
    'To run it, on the cluster: ' +
    (fields.slurm
      ? `\`torc slurm schedule-nodes ${applied.workflow_id}${snapshot.output_flag}\` ` +
        `or \`torc submit ${applied.workflow_id}${snapshot.output_flag}\`.`
      : `\`torc run ${applied.workflow_id}${snapshot.output_flag}\`.`) +
    ` Or from here: submit_workflow with workflow_id ` +
    `${applied.workflow_id} (through the login-node agent, when it runs).`,
  summarize: (out) =>
    out.status === 'applied'
      ? `created workflow ${(out.applied as { workflow_id: number }).workflow_id}`
      : `${out.status}: ${out.valid ? 'valid' : 'invalid'} spec`,
})

/** What the ledger keeps of a creation request: the spec as a hash (it can be megabytes). */
function record(params: z.output<typeof specParamsSchema>): Record<string, unknown> {
  const { spec, spec_json, ...rest } = params
  const text = spec ?? JSON.stringify(spec_json ?? null)
  return { ...rest, spec: `${text.length} characters, fnv1a ${fnv1a(text)}` }
}

/** A short, synchronous fingerprint of the spec text (the plan_id itself hashes everything with SHA-256). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193)
  return (h >>> 0).toString(16).padStart(8, '0')
}

export const createWorkflow = defineTool({
  name: 'create_workflow',
  title: 'Create workflow',
  description:
    'Check a Torc workflow spec and prepare it: validate it, return the final spec to save (Slurm schedulers ' +
    'generated for slurm; MCP clients also get it as a resource), or preview its creation (action ' +
    '"create_workflow": returns the `confirm` call of confirm_create_workflow, which creates it once the user ' +
    'agrees). Changes nothing itself. At most 50,000 jobs and 50,000 files (expanded).',
  input: z.object({
    ...specParams,
    action: z
      .enum(['validate', 'save_spec_file', 'create_workflow'])
      .default('validate')
      .describe(
        'validate (report only), save_spec_file (return the final spec to save), ' +
          'create_workflow (preview the creation: returns how to confirm it).'
      ),
    save_format: z
      .enum(fileFormats)
      .optional()
      .describe('save_spec_file only: format of the returned file (default: the format the spec was given in).'),
    output_path: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe(
        'save_spec_file only: the file name to suggest (its base name; nothing is written here, the spec is returned).'
      ),
  }),
  output: z.object({
    action: z.string().describe('What was done.'),
    ...reportFields,
    spec_text: z.string().nullable().describe('For save_spec_file: the final spec, to save as spec_file.name.'),
    spec_file: specFileOutput,
    plan_id: z.string().nullable().describe('For create_workflow: the creation plan to confirm.'),
    confirm: confirmCall
      .nullable()
      .describe('For create_workflow: the call that creates the workflow once the user agrees (null when it cannot).'),
    next_steps: z.string().describe('What to do next.'),
  }),
  annotations: readOnly,
  view: 'review',
  async handler(input, ctx) {
    const { profiles, hpc_profile } = await resolveProfile(ctx, input)
    const prepared = prepareSpec({ ...input, hpc_profile }, profiles)
    const base = {
      action: input.action,
      ...reportOf(prepared),
      spec_text: null,
      spec_file: null,
      plan_id: null,
      confirm: null,
    }
    if (input.action === 'validate' || !prepared.report.valid) {
      return {
        ...base,
        next_steps: prepared.report.valid
          ? 'Valid. Show the plan with get_execution_plan; create_workflow ' +
            'with action "create_workflow" previews its creation.'
          : 'Fix the errors and validate again; nothing was created.',
      }
    }
    if (input.action === 'save_spec_file') {
      const file = writeSpec(prepared.spec, input.save_format ?? prepared.parsed.format)
      const name = input.output_path ? baseName(input.output_path, file.file_name) : file.file_name
      return {
        ...base,
        spec_text: file.text,
        spec_file: {
          name,
          format: file.format,
          media_type: file.media_type,
          uri: `file:///${name}`,
          note: file.note ?? null,
        },
        next_steps:
          `Save spec_text as ${name} (ask the user where; never overwrite a file without approval). On the cluster, ` +
          `\`torc ${input.workflow_type === 'slurm' ? 'submit' : 'run'} ${name}\` runs it.`,
      }
    }
    if (!ctx.config.TORC_EDGE_WRITES || ctx.caller.scope !== 'write') {
      return {
        ...base,
        next_steps:
          'Valid, but this credential cannot create workflows (it needs the write scope on a deployment with writes ' +
          'enabled). save_spec_file returns the spec to run on the cluster with `torc create <file>`.',
      }
    }
    const { action: _a, save_format: _s, output_path: _o, ...params } = input
    const preview = await confirmCreateWorkflow.previewFor(params, ctx)
    return {
      ...base,
      plan_id: String(preview.plan_id),
      confirm: (preview.confirm ?? null) as { tool: string; arguments: Record<string, unknown> } | null,
      next_steps: String(preview.next_steps),
    }
  },
  summarize: (out) =>
    out.action === 'create_workflow' && out.confirm
      ? `valid: confirm with ${out.confirm.tool} to create it`
      : `${out.action}: ${out.valid ? 'valid' : `${out.errors.length} errors`}`,
  resources: (out) =>
    out.spec_text !== null && out.spec_file !== null
      ? [{ uri: out.spec_file.uri, mimeType: out.spec_file.media_type, text: out.spec_text }]
      : [],
})

/** The base name of a suggested path, with the format's extension when it has none. */
function baseName(path: string, fallback: string): string {
  const name = path.split(/[\\/]/).filter(Boolean).pop() ?? fallback
  return name.includes('.') ? name : `${name}${fallback.slice(fallback.lastIndexOf('.'))}`
}

export const creationTools = [createWorkflow, confirmCreateWorkflow]
