/**
 * Which HPC profile a Slurm workflow's schedulers are sized for, when create_workflow is not told:
 * the deployment's TORC_HPC_PROFILE, else the cluster's own partitions, which torc 1.0.0 reads
 * on the login node as its dynamic `slurm` profile (`torc hpc show slurm`, the agent's
 * `partitions` action). A call naming `slurm` gets the same. Built-in profiles (kestrel, dane) need
 * nothing from the cluster.
 */
import { ToolError } from '../errors.ts'
import type { ToolContext } from '../registry.ts'
import { HPC_PROFILES, HpcProfileSchema } from '../workflow-spec/index.ts'
import { failureOf, jsonOut, onCluster } from './cluster.ts'

export const DYNAMIC_PROFILE = 'slurm'

export interface ResolvedProfile {
  hpc_profile: string | undefined
  /** Custom profiles for generateSlurm (the cluster's own, named `slurm`). */
  profiles: unknown[]
}

const known = () => [...HPC_PROFILES.map((p) => p.name), DYNAMIC_PROFILE].join(', ')

/** The cluster's dynamic profile through the agent, named `slurm`; throws invalid_input naming hpc_profile. */
async function clusterProfile(ctx: ToolContext, why: string): Promise<unknown> {
  const outcome = await onCluster(ctx, 'partitions', { profile: DYNAMIC_PROFILE })
  const fail = (reason: string) =>
    new ToolError(
      'invalid_input',
      `hpc_profile: ${why}, and the cluster's own partitions (torc's dynamic "slurm" profile) could not be read: ` +
        `${reason}. Pass hpc_profile (one of ${known()}), or set the deployment's TORC_HPC_PROFILE.`
    )
  if (!outcome.ran) throw fail(outcome.why)
  const run = outcome.result.runs[0]!
  if (run.exit_code !== 0) throw fail(failureOf(run))
  const profile = HpcProfileSchema.safeParse(jsonOut(run))
  if (!profile.success || !profile.data.partitions.length)
    throw fail('torc on the login node found no Slurm partitions (`torc hpc show slurm`)')
  return { ...profile.data, name: DYNAMIC_PROFILE }
}

/** The profile to generate Slurm schedulers with, for a create_workflow call's parameters. */
export async function resolveProfile(
  ctx: ToolContext,
  input: { workflow_type: 'local' | 'slurm'; hpc_profile?: string | undefined }
): Promise<ResolvedProfile> {
  if (input.workflow_type !== 'slurm') return { hpc_profile: input.hpc_profile, profiles: [] }
  const named = input.hpc_profile ?? ctx.config.TORC_HPC_PROFILE
  if (named !== undefined && named !== DYNAMIC_PROFILE) return { hpc_profile: named, profiles: [] }
  const why =
    named === DYNAMIC_PROFILE ? 'hpc_profile "slurm" means the cluster\'s own partitions' : 'no hpc_profile was given'
  return { hpc_profile: DYNAMIC_PROFILE, profiles: [await clusterProfile(ctx, why)] }
}
