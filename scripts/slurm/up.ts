/**
 * Brings the Slurm test bed up (or finds it up) and prints how to use it:
 *   npx node scripts/slurm/up.ts [--dir <folder>] [--memory-mb <MB>]
 * The folder defaults to $TMPDIR/torc-edge-slurm, so `down.ts` finds it without arguments.
 */
import { parseArgs } from 'node:util'
import { upSlurm } from './bed.ts'
import { DEFAULT_DIR } from './cli.ts'

const { values } = parseArgs({ options: { dir: { type: 'string' }, 'memory-mb': { type: 'string' } } })
const memoryMb = values['memory-mb'] === undefined ? undefined : Number(values['memory-mb'])
if (memoryMb !== undefined && !(Number.isInteger(memoryMb) && memoryMb > 0)) {
  console.error('--memory-mb takes a positive whole number')
  process.exit(2)
}
const bed = await upSlurm({ dir: values.dir ?? DEFAULT_DIR, memoryMb, log: (line) => console.error(line) })
console.error(bed.reused ? `slurm bed already up in ${bed.dir}` : `slurm bed up in ${bed.timings.total} ms`)
console.error(`use it with:\n  export SLURM_CONF=${bed.env.SLURM_CONF} USER=${bed.env.USER}`)
console.log(JSON.stringify({ dir: bed.dir, env: bed.env, reused: bed.reused, timings: bed.timings }))
