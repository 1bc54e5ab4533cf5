/**
 * What the Slurm test bed needs from the machine, each with the Debian package that provides it, so
 * a missing one is named in terms a newcomer can install (`.ci/run` installs them all).
 */
import { accessSync, constants } from 'node:fs'

export const PACKAGES = ['slurm-wlm', 'slurmdbd', 'munge', 'mariadb-server'] as const

const NEEDED: ReadonlyArray<{ bin: string; pkg: (typeof PACKAGES)[number] }> = [
  { bin: '/usr/sbin/slurmctld', pkg: 'slurm-wlm' },
  { bin: '/usr/sbin/slurmd', pkg: 'slurm-wlm' },
  { bin: '/usr/bin/sbatch', pkg: 'slurm-wlm' },
  { bin: '/usr/bin/sacctmgr', pkg: 'slurm-wlm' },
  { bin: '/usr/sbin/slurmdbd', pkg: 'slurmdbd' },
  { bin: '/usr/sbin/munged', pkg: 'munge' },
  { bin: '/usr/bin/munge', pkg: 'munge' },
  { bin: '/usr/sbin/mariadbd', pkg: 'mariadb-server' },
  { bin: '/usr/bin/mariadb-install-db', pkg: 'mariadb-server' },
  { bin: '/usr/bin/mariadb', pkg: 'mariadb-server' },
]

/** One sentence per missing prerequisite; empty when the bed can run. */
export function missingPrerequisites(): string[] {
  const missing: string[] = []
  if (process.platform !== 'linux') missing.push(`the Slurm test bed runs on Linux only (this is ${process.platform})`)
  // slurmd must be root to create job cgroups and to start jobs as their users.
  if (process.getuid?.() !== 0)
    missing.push('the Slurm test bed runs its daemons as root (slurmd needs it for cgroups)')
  for (const { bin, pkg } of NEEDED) {
    try {
      accessSync(bin, constants.X_OK)
    } catch {
      missing.push(`${bin} not found: install the Debian package ${pkg}`)
    }
  }
  return missing
}

export const INSTALL_HINT = `apt-get install -y --no-install-recommends ${PACKAGES.join(' ')}`
