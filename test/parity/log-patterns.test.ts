import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { PATTERNS } from '../../src/logs/patterns.ts'
import { CRATE, needCrate } from './torc.ts'

/** The 12 log patterns are torc 1.0.0's own, read from its source (src/client/commands/logs.rs). */
const logsRs = join(CRATE ?? '.', 'src/client/commands/logs.rs')

it.runIf(needCrate())("are torc 1.0.0's, by name, regex, severity and order", () => {
  const source = readFileSync(logsRs, 'utf8')
  const body = source.slice(source.indexOf('fn get_error_patterns'), source.indexOf('fn scan_content_for_errors'))
  const rust = [
    ...body.matchAll(
      /name:\s*"([^"]+)",\s*pattern:\s*Regex::new\(\s*r"([^"]*)"\s*,?\s*\)[\s\S]*?severity:\s*ErrorSeverity::(\w+)/g
    ),
  ].map(([, name, regex, severity]) => ({ name, regex, severity: severity!.toLowerCase() }))
  expect(rust).toHaveLength(12)
  expect(PATTERNS.map((p) => ({ name: p.name, regex: p.rust, severity: p.severity }))).toEqual(rust)
  expect(source).toContain('Regex::new(r"(?i)\\bINFO\\b")')
  expect(source).toContain('pattern.name == "Slurm Error" || pattern.name == "Generic Error"')
})
