/**
 * The one rule for a test that needs something this machine may lack (the torc binaries, the torc
 * crate's source, Chromium, Slurm): on a developer's machine it is skipped, saying why; with CI set
 * the run FAILS, naming what is missing and how to get it. A suite never goes green by skipping.
 *
 *   describe.runIf(requirePrerequisite('torc CLI', HAS_CLI, 'run node scripts/torc-install.ts'))(…)
 *
 * Called while the file is collected, the CI failure fails that file with the message.
 */

/** CI as CI systems set it (CI=true, CI=1); CI=0 or CI=false is a developer saying "not CI". */
export function underCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase()
  return value !== undefined && value !== '' && value !== '0' && value !== 'false'
}

export class MissingPrerequisite extends Error {
  override readonly name = 'MissingPrerequisite'
}

const warned = new Set<string>()

/**
 * Whether the tests that need `name` may run: true when `available`; otherwise false (with one
 * warning per name) or, under CI, a MissingPrerequisite error: "<name> missing: <howToGet>".
 */
export function requirePrerequisite(
  name: string,
  available: boolean,
  howToGet: string,
  env: NodeJS.ProcessEnv = process.env
): boolean {
  if (available) return true
  const message = `${name} missing: ${howToGet}`
  if (underCi(env)) throw new MissingPrerequisite(message)
  if (!warned.has(message)) {
    warned.add(message)
    console.warn(`skipping (not CI): ${message}`)
  }
  return false
}
