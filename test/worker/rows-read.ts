// How much work a storage operation does, counted in rows SQLite reads and writes: exact, and
// independent of how busy the machine is. Rows written are also what Durable Object storage
// bills (an index changed by a write counts as a row more: docs/cost.md).

export interface StorageWork {
  read: number
  written: number
}

/** Rows SQLite read and wrote while `run` ran, over every statement it made. */
export async function storageWorkOf(sql: SqlStorage, run: () => unknown): Promise<StorageWork> {
  const exec = sql.exec.bind(sql)
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = []
  sql.exec = ((query: string, ...bindings: SqlStorageValue[]) => {
    const cursor = exec(query, ...bindings)
    cursors.push(cursor)
    return cursor
  }) as typeof sql.exec
  try {
    await run()
  } finally {
    sql.exec = exec
  }
  const work = { read: 0, written: 0 }
  for (const cursor of cursors) {
    cursor.toArray()
    work.read += cursor.rowsRead
    work.written += cursor.rowsWritten
  }
  return work
}

/** Rows SQLite read while `run` (synchronous) ran, over every statement it made. */
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
