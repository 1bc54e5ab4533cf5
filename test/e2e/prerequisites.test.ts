import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { ROOT } from '../../scripts/torc-paths.ts'

/**
 * The rule of test/setup/prerequisites.ts, end to end: vitest itself, run as CI runs it, on a
 * machine without the torc CLI (TORC_SPEC_NO_CLI=1 hides the built binaries). The parity project
 * fails, naming what is missing; locally the same run skips and passes.
 */
const vitest = (env: Record<string, string>) =>
  spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--project', 'parity', 'test/parity/validate.test.ts'],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, CI: '', TORC_SPEC_NO_CLI: '1', NO_COLOR: '1', ...env } }
  )

it('under CI a parity test without the torc CLI fails the run, naming it and how to get it', () => {
  const run = vitest({ CI: '1' })
  expect(run.status, run.stdout).not.toBe(0)
  expect(`${run.stdout}${run.stderr}`).toContain('torc CLI missing: run node scripts/torc-install.ts')
})

it('outside CI the same run skips them, saying why', () => {
  const run = vitest({})
  expect(run.status, run.stdout + run.stderr).toBe(0)
  expect(`${run.stdout}${run.stderr}`).toContain(
    'skipping (not CI): torc CLI missing: run node scripts/torc-install.ts'
  )
})
