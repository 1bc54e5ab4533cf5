/**
 * Stops the Slurm test bed: npx node scripts/slurm/down.ts [--dir <folder>] [--purge]
 * --purge also removes the folder (database, Slurm state, logs).
 */
import { rmSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { downSlurm } from './bed.ts'
import { DEFAULT_DIR } from './cli.ts'

const { values } = parseArgs({ options: { dir: { type: 'string' }, purge: { type: 'boolean' } } })
const dir = values.dir ?? DEFAULT_DIR
const { ms, cancelled, orphans } = await downSlurm(dir)
if (cancelled.length) console.error(`cancelled jobs: ${cancelled.join(', ')}`)
if (orphans.length) console.error(`killed orphaned job steps (slurmstepd pids): ${orphans.join(', ')}`)
if (values.purge) rmSync(dir, { recursive: true, force: true })
console.error(`slurm bed in ${dir} stopped in ${ms} ms${values.purge ? ' and removed' : ''}`)
