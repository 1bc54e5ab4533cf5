/**
 * D1 for unit tests: the store's Db interface over node:sqlite, with this repository's migrations
 * applied, as `wrangler d1 migrations apply` applies them. A batch runs in one transaction, as D1's.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DatabaseSync, type SQLInputValue } from 'node:sqlite'
import { ROOT } from '../../../scripts/torc-paths.ts'
import type { Db, DbResult, DbStatement } from '../../../src/watch/db.ts'

export function migrate(db: DatabaseSync): void {
  const dir = join(ROOT, 'migrations')
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()) {
    db.exec(readFileSync(join(dir, file), 'utf8'))
  }
}

export interface LocalD1 extends Db {
  sqlite: DatabaseSync
  /** Round trips made so far (a statement or a batch). */
  calls: number
}

export function localD1(): LocalD1 {
  const sqlite = new DatabaseSync(':memory:')
  migrate(sqlite)
  const exec = (query: string, values: unknown[]): DbResult => {
    const rows = sqlite.prepare(query).all(...(values as SQLInputValue[])) as Record<string, unknown>[]
    const changes = Number((sqlite.prepare('SELECT changes() AS c').get() as { c: number }).c)
    return { results: rows, meta: { changes } }
  }
  const statement = (query: string, values: unknown[] = []): DbStatement & { run_(): DbResult } => ({
    bind: (...more) => statement(query, [...values, ...more]),
    all: async <T>() => {
      d1.calls++
      return exec(query, values) as DbResult<T>
    },
    run: async () => {
      d1.calls++
      return exec(query, values)
    },
    first: async <T>() => {
      d1.calls++
      return (exec(query, values).results[0] ?? null) as T | null
    },
    run_: () => exec(query, values),
  })
  const d1: LocalD1 = {
    sqlite,
    calls: 0,
    prepare: (query) => statement(query),
    batch: async <T>(statements: DbStatement[]) => {
      d1.calls++
      sqlite.exec('BEGIN')
      try {
        const out = statements.map((s) => (s as ReturnType<typeof statement>).run_())
        sqlite.exec('COMMIT')
        return out as DbResult<T>[]
      } catch (err) {
        sqlite.exec('ROLLBACK')
        throw err
      }
    },
  }
  return d1
}
