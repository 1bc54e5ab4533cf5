import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSpecValue, validateSpec } from '../../src/workflow-spec/index.ts'
import { ACCEPTED, MATCHES, REFUSED } from '../unit/workflow-spec/regex-corpus.ts'
import { needCli, sorted, torcJson } from './torc.ts'

/** The spec regex engine refuses and matches exactly as the real torc CLI does (create --dry-run). */
const lastLine = (text: string | undefined) => text?.split('\n').at(-1)

describe.runIf(needCli())('compileRegex against the torc CLI (create --dry-run)', () => {
  /** One spec per text: the text as the only file name, one job per pattern in input_file_regexes. */
  async function compare(text: string, patterns: readonly string[]): Promise<string[]> {
    const spec = {
      name: 'regex_parity',
      files: [{ name: text, path: '/data/f' }],
      jobs: patterns.map((p, i) => ({ name: `j${i}`, command: 'x', input_file_regexes: [p] })),
    }
    const dir = mkdtempSync(join(tmpdir(), 'torc-regex-'))
    try {
      const file = join(dir, 'spec.json')
      writeFileSync(file, JSON.stringify(spec))
      const theirs = (await torcJson(['create', '--dry-run', file])) as { errors: string[] }
      const ours = validateSpec(parseSpecValue(spec)).errors
      expect(sorted(ours)).toEqual(sorted(theirs.errors))
      return theirs.errors
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  it('refuses what Rust refuses, with the same message, and accepts what it accepts', async () => {
    const errors = await compare('x', [...REFUSED.map(([p]) => p), ...ACCEPTED])
    // Every refused pattern is refused by torc too (the comparison above says ours read the same).
    REFUSED.forEach(([pattern, error], i) => {
      const mine = errors.find((e) => e.startsWith(`Job 'j${i}' has invalid input_file_regexes`))
      expect(lastLine(mine)?.endsWith(error), `${pattern}: ${mine}`).toBe(true)
    })
    ACCEPTED.forEach((pattern, k) => {
      const i = REFUSED.length + k
      expect(
        errors.some((e) => e.startsWith(`Job 'j${i}' has invalid`)),
        pattern
      ).toBe(false)
    })
  })

  it('matches what Rust matches on the corpus', async () => {
    const byText = new Map<string, [string, boolean][]>()
    for (const [pattern, text, want] of MATCHES) byText.set(text, [...(byText.get(text) ?? []), [pattern, want]])
    // One CLI run per text, run side by side.
    await Promise.all(
      [...byText].map(async ([text, cases]) => {
        const errors = await compare(
          text,
          cases.map(([p]) => p)
        )
        cases.forEach(([pattern, want], i) => {
          const missed = errors.includes(`Input file regex '${pattern}' did not match any names for job 'j${i}'`)
          expect(!missed, `${pattern} on ${JSON.stringify(text)}`).toBe(want)
        })
      })
    )
  })
})
