import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ROOT } from '../../scripts/torc-paths.ts'
import { MissingPrerequisite, requirePrerequisite, underCi } from '../setup/prerequisites.ts'

/**
 * The suite cannot go green by skipping: a missing prerequisite fails the run under CI
 * (test/setup/prerequisites.ts), and the unit project needs none at all (no torc build, no crate
 * source, no browser, no Slurm), so it never has anything to skip.
 */
afterEach(() => vi.restoreAllMocks())

describe('requirePrerequisite', () => {
  it('runs what is available, whatever the environment', () => {
    expect(requirePrerequisite('torc CLI', true, 'run node scripts/torc-install.ts', { CI: 'true' })).toBe(true)
    expect(requirePrerequisite('torc CLI', true, 'run node scripts/torc-install.ts', {})).toBe(true)
  })

  it('under CI, fails naming what is missing and how to get it', () => {
    for (const CI of ['true', '1', 'yes']) {
      expect(() => requirePrerequisite('torc CLI', false, 'run node scripts/torc-install.ts', { CI })).toThrow(
        new MissingPrerequisite('torc CLI missing: run node scripts/torc-install.ts')
      )
    }
  })

  it('elsewhere, skips with one warning per missing thing', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    for (const env of [{}, { CI: '' }, { CI: 'false' }, { CI: '0' }]) {
      expect(requirePrerequisite('Chromium', false, 'apt-get install -y chromium', env)).toBe(false)
    }
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]![0]).toContain('Chromium missing: apt-get install -y chromium')
  })

  it('reads CI as CI systems set it', () => {
    expect([underCi({ CI: 'true' }), underCi({ CI: '1' }), underCi({ CI: 'false' }), underCi({})]).toEqual([
      true,
      true,
      false,
      false,
    ])
  })
})

describe('the unit project', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name)
      return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) ? [path] : []
    })
  const unit = files(join(ROOT, 'test', 'unit')).map((path) => ({
    path: relative(ROOT, path),
    text: readFileSync(path, 'utf8'),
  }))

  it('skips nothing conditionally (what needs a prerequisite lives in test/parity or test/e2e)', () => {
    const conditional = /\b(?:it|test|describe)\.(?:skipIf|runIf|skip)\(|\bit\.skip\b|\brequirePrerequisite\(/
    expect(unit.filter((f) => f.path !== 'test/unit/prerequisites.test.ts' && conditional.test(f.text))).toEqual([])
  })

  it('uses no torc build and no crate source', () => {
    const needsTorc = /\btorcBin\(|\btorcCrateSource\(|\bTORC_ROOT\b|\binstallTorc\(|startTorcServer\(|['"]\.cargo['"]/
    expect(unit.filter((f) => needsTorc.test(f.text)).map((f) => f.path)).toEqual([])
  })
})
