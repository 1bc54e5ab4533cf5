/**
 * GET /v1/workflows/:id/journals: torc's offline-drain journals found anywhere under the root by
 * exact workflow id, counted with SQLite from copies read through checked descriptors. The
 * journals are real SQLite files in torc's schema and WAL mode (completions still in the -wal file
 * count too); symlinks out of the root, a symlinked directory and a broken file are not followed
 * or are reported, never read from outside.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestSite, type TestSite } from './helpers.ts'

let base: string
let root: string
let site: TestSite
const open: DatabaseSync[] = []

/** A journal as torc's OfflineJournal writes it (WAL, journaled_completions), with `rows` completions. */
function journal(path: string, rows: number, keepOpen = false): void {
  const db = new DatabaseSync(path)
  db.exec('PRAGMA journal_mode = WAL')
  db.exec(
    'CREATE TABLE IF NOT EXISTS journaled_completions (job_id INTEGER PRIMARY KEY, run_id INTEGER NOT NULL, ' +
      'status INTEGER NOT NULL, payload TEXT NOT NULL, journaled_at INTEGER NOT NULL)'
  )
  const insert = db.prepare('INSERT INTO journaled_completions VALUES (?, 1, 5, ?, 0)')
  for (let i = 1; i <= rows; i++) insert.run(i, '{"job_id":1}')
  // Left open, the rows stay in the -wal file (no checkpoint): as after a runner was killed.
  if (keepOpen) open.push(db)
  else db.close()
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'torc-edge-journals-'))
  root = join(base, 'torc_output')
  mkdirSync(join(root, 'offline_journal'), { recursive: true })
  mkdirSync(join(root, 'node2', 'offline_journal'), { recursive: true })
  mkdirSync(join(base, 'outside'))
  journal(join(root, 'offline_journal', 'offline_results_wf3_r1_host-a.db'), 4)
  journal(join(root, 'node2', 'offline_journal', 'offline_results_wf3_r2_sl77.db'), 2, true)
  journal(join(root, 'offline_journal', 'offline_results_wf3_r1_empty.db'), 0)
  journal(join(root, 'offline_journal', 'offline_results_wf30_r1_other.db'), 9)
  writeFileSync(join(root, 'offline_journal', 'offline_results_wf3_r1_broken.db'), 'not a database')
  journal(join(base, 'outside', 'offline_results_wf3_r1_secret.db'), 50)
  symlinkSync(
    join(base, 'outside', 'offline_results_wf3_r1_secret.db'),
    join(root, 'offline_journal', 'offline_results_wf3_r1_link.db')
  )
  symlinkSync(join(base, 'outside'), join(root, 'escape'))
  site = await startTestSite(root)
})

afterAll(async () => {
  for (const db of open) db.close()
  await site?.stop()
  rmSync(base, { recursive: true, force: true })
})

describe('/v1/workflows/:id/journals', () => {
  it("lists and counts the workflow's journals of every run, and nothing outside the root", async () => {
    const res = await site.get('/v1/workflows/3/journals')
    expect(res.status).toBe(200)
    const body = (await res.json()) as {
      truncated: boolean
      journals: { path: string; run_id: number; label: string; completions: number | null; error: string | null }[]
    }
    expect(body.truncated).toBe(false)
    const view = body.journals.map(({ path, run_id, label, completions, error }) => ({
      path,
      run_id,
      label,
      completions,
      unreadable: error !== null,
    }))
    expect(view).toEqual([
      {
        path: 'node2/offline_journal/offline_results_wf3_r2_sl77.db',
        run_id: 2,
        label: 'sl77',
        completions: 2,
        unreadable: false,
      },
      {
        path: 'offline_journal/offline_results_wf3_r1_broken.db',
        run_id: 1,
        label: 'broken',
        completions: null,
        unreadable: true,
      },
      {
        path: 'offline_journal/offline_results_wf3_r1_empty.db',
        run_id: 1,
        label: 'empty',
        completions: 0,
        unreadable: false,
      },
      {
        path: 'offline_journal/offline_results_wf3_r1_host-a.db',
        run_id: 1,
        label: 'host-a',
        completions: 4,
        unreadable: false,
      },
    ])
  })

  it('matches the workflow id exactly, and refuses a bad id', async () => {
    const other = (await (await site.get('/v1/workflows/30/journals')).json()) as { journals: { label: string }[] }
    expect(other.journals.map((j) => j.label)).toEqual(['other'])
    const none = (await (await site.get('/v1/workflows/4/journals')).json()) as { journals: unknown[] }
    expect(none.journals).toEqual([])
    expect((await site.get('/v1/workflows/0/journals')).status).toBe(400)
    expect((await site.get('/v1/workflows/-3/journals')).status).toBe(400)
  })

  it('needs the read token', async () => {
    expect((await fetch(`${site.url}/v1/workflows/3/journals`)).status).toBe(401)
  })
})
