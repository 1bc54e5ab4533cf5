/**
 * The real Slurm test bed (scripts/slurm) for e2e tests. Two ways in:
 *
 * - `export default setup`: a vitest globalSetup (add './test/setup/slurm.ts' to a project's
 *   `globalSetup`) that brings one bed up for the whole run, provides its folder as `slurmDir`, and
 *   stops it after.
 * - `slurmBed()` in a test file's beforeAll: the run's bed when globalSetup provided one, else a bed of
 *   its own. TORC_EDGE_SLURM_DIR names a folder to use instead of a temporary one.
 * Both stop what they started and leave running a bed they found running.
 *
 * A missing prerequisite (slurm-wlm, slurmdbd, munge, mariadb-server, root) fails under CI with the
 * package to install; elsewhere `haveSlurm()` is false, for `describe.runIf` (test/setup/prerequisites.ts).
 */
import { inject } from 'vitest'
import type { TestProject } from 'vitest/node'
import { clientEnv, type SlurmBed, upSlurm } from '../../scripts/slurm/bed.ts'
import { INSTALL_HINT, missingPrerequisites } from '../../scripts/slurm/prereqs.ts'
import { requirePrerequisite } from './prerequisites.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    slurmDir?: string
  }
}

const missing = missingPrerequisites()
const howToGet = `${INSTALL_HINT}:\n- ${missing.join('\n- ')}`

/** Whether the Slurm tests can run here: false skips them; under CI a missing piece fails the run instead. */
export const haveSlurm = (): boolean => requirePrerequisite('real Slurm test bed', missing.length === 0, howToGet)

function assertPrerequisites(): void {
  if (missing.length) throw new Error(`real Slurm test bed missing: ${howToGet}`)
}

export interface TestBed {
  dir: string
  /** process.env with this bed's SLURM_CONF and USER (and no other cluster's SLURM_*). */
  env: NodeJS.ProcessEnv
  bed: SlurmBed
  /** Stops the bed if this call started it; leaves a shared one running. */
  stop(): Promise<void>
}

const log = (line: string) => console.error(line)

export async function slurmBed(): Promise<TestBed> {
  assertPrerequisites()
  const bed = await upSlurm({ dir: inject('slurmDir') || process.env.TORC_EDGE_SLURM_DIR || undefined })
  return {
    dir: bed.dir,
    env: clientEnv(bed.dir),
    bed,
    stop: async () => {
      if (!bed.reused) await bed.stop()
    },
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!haveSlurm()) return async () => {}
  assertPrerequisites()
  const bed = await upSlurm({ dir: process.env.TORC_EDGE_SLURM_DIR || undefined, log })
  log(`slurm bed ${bed.reused ? 'reused' : 'up'} in ${bed.timings.total} ms: SLURM_CONF=${bed.env.SLURM_CONF}`)
  project.provide('slurmDir', bed.dir)
  return async () => {
    if (!bed.reused) await bed.stop()
  }
}
