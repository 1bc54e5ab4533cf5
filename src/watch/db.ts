/**
 * The part of D1 the watch store uses, so the same store runs on the Worker's WATCHES binding (D1,
 * miniflare's D1 locally) and on node:sqlite in unit tests. A D1Database is one structurally.
 * Every statement goes through `counted`, so a tick knows how many D1 calls it made (each is a
 * subrequest against the Worker's limit).
 */
export interface DbResult<T = Record<string, unknown>> {
  results: T[]
  meta: { changes?: number | undefined }
}

export interface DbStatement {
  bind(...values: unknown[]): DbStatement
  all<T = Record<string, unknown>>(): Promise<DbResult<T>>
  run(): Promise<DbResult>
  first<T = Record<string, unknown>>(): Promise<T | null>
}

export interface Db {
  prepare(query: string): DbStatement
  /** Runs the statements in order in one transaction: one round trip. */
  batch<T = Record<string, unknown>>(statements: DbStatement[]): Promise<DbResult<T>[]>
}

/** `db` with every round trip (a statement, or a batch) counted by `count`. */
export function counted(db: Db, count: () => void): Db {
  // A batch takes the driver's own statements: each wrapper remembers the one it wraps.
  const originals = new WeakMap<DbStatement, DbStatement>()
  const wrap = (statement: DbStatement): DbStatement => {
    const wrapper: DbStatement = {
      bind: (...values) => wrap(statement.bind(...values)),
      all: () => {
        count()
        return statement.all()
      },
      run: () => {
        count()
        return statement.run()
      },
      first: () => {
        count()
        return statement.first()
      },
    }
    originals.set(wrapper, statement)
    return wrapper
  }
  return {
    prepare: (query) => wrap(db.prepare(query)),
    batch: (statements) => {
      count()
      return db.batch(statements.map((s) => originals.get(s) ?? s))
    },
  }
}
