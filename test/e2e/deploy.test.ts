import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { expect, it } from 'vitest'
import { ROOT } from '../../scripts/torc-paths.ts'

it("`wrangler deploy --dry-run` bundles the Worker within the free plan's 3 MiB (gzip)", () => {
  const out = mkdtempSync(join(tmpdir(), 'torc-edge-bundle-'))
  try {
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
      }
    )
    expect(run.status, run.stderr).toBe(0)
    expect(run.stdout).toContain('--dry-run: exiting now.')
    const gzipped = gzipSync(readFileSync(join(out, 'index.js'))).length
    expect(gzipped).toBeLessThan(3 * 1024 * 1024)
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
})
