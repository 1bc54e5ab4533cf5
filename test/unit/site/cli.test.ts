import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

/** The real CLI (`npm run site -- …` runs exactly this), in its own process. */
const CLI = join(import.meta.dirname, '../../../site/cli.ts')
const root = mkdtempSync(join(tmpdir(), 'torc-edge-site-cli-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

function site(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { ...process.env, TORC_EDGE_SITE_TOKEN: '', ...env },
  })
  return { status: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('site/cli.ts', () => {
  it('prints its usage for --help and -h, and exits 0', () => {
    for (const flag of ['--help', '-h']) {
      const run = site([flag])
      expect(run.status, run.stderr).toBe(0)
      expect(run.stdout).toMatch(/^Usage: .*site\/cli\.ts --root <dir>/m)
      for (const option of ['--port', '--host', '--max-files', '--max-bundle-bytes', '--max-read-bytes'])
        expect(run.stdout).toContain(option)
      expect(run.stdout).toContain('TORC_EDGE_SITE_TOKEN')
      expect(run.stderr).toBe('')
    }
  })

  it('names an unknown option in one line, then shows the usage, and exits 2 without a stack trace', () => {
    for (const args of [['--bogus'], ['--root', root, '--prot', '1'], ['-x']]) {
      const run = site(args)
      expect(run.status, args.join(' ')).toBe(2)
      const [first, ...rest] = run.stderr.split('\n')
      expect(first).toMatch(
        new RegExp(`^site/cli\\.ts: unknown option '${args.find((a) => a.startsWith('-') && a !== '--root')}'`)
      )
      expect(rest.join('\n')).toMatch(/^Usage: /m)
      expect(run.stderr).not.toMatch(/ERR_PARSE_ARGS|\n\s+at /)
      expect(run.stdout).toBe('')
    }
  })

  it('says what is wrong with a missing value or a stray argument, exit 2', () => {
    const missing = site(['--root'])
    expect(missing.status).toBe(2)
    expect(missing.stderr.split('\n')[0]).toMatch(/^site\/cli\.ts: option '--root <value>' needs a value/)
    const stray = site(['serve'])
    expect(stray.status).toBe(2)
    expect(stray.stderr.split('\n')[0]).toMatch(/^site\/cli\.ts: unexpected argument 'serve'/)
  })

  it('still refuses to start without a token, naming it', () => {
    const run = site(['--root', root])
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('TORC_EDGE_SITE_TOKEN')
  })
})
