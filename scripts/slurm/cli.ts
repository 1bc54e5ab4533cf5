import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The folder up.ts and down.ts use when given none. */
export const DEFAULT_DIR = join(tmpdir(), 'torc-edge-slurm')
