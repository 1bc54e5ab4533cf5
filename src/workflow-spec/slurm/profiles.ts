/**
 * torc 1.0.0's built-in HPC profiles as data (`src/client/hpc/{kestrel,dane}.rs`): `dane` (LLNL)
 * and `kestrel` (NLR, formerly NREL; detection variable `NLR_CLUSTER`; CPU partitions are
 * 246,064 MB, not the docs' 240,000).
 */
import { DANE } from './dane.ts'
import type { HpcProfile } from './hpc.ts'
import { KESTREL } from './kestrel.ts'

/** The built-in profiles of torc 1.0.0, in registry order. */
export const HPC_PROFILES: readonly HpcProfile[] = [DANE, KESTREL]
