// How much work a storage operation does, counted in rows SQLite reads: exact, and independent of
// how busy the machine is.

/** Rows SQLite read while `run` ran, over every statement it made. */
export function rowsReadBy(sql: SqlStorage, run: () => void): number {
  const exec = sql.exec.bind(sql)
  let read = 0
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = []
  sql.exec = ((query: string, ...bindings: SqlStorageValue[]) => {
    const cursor = exec(query, ...bindings)
    cursors.push(cursor)
    return cursor
  }) as typeof sql.exec
  try {
    run()
  } finally {
    sql.exec = exec
  }
  for (const cursor of cursors) {
    cursor.toArray()
    read += cursor.rowsRead
  }
  return read
}
