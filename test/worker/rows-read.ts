// How much work a storage operation does, counted in rows SQLite reads and writes: exact, and
// independent of how busy the machine is. Rows written are also what Durable Object storage
// bills (an index changed by a write counts as a row more: docs/cost.md).

export interface StorageWork {
  read: number
  written: number
}

/** Records every statement's cursor until `restore` is called. */
function recording(sql: SqlStorage) {
  const exec = sql.exec.bind(sql)
  const cursors: SqlStorageCursor<Record<string, SqlStorageValue>>[] = []
  sql.exec = ((query: string, ...bindings: SqlStorageValue[]) => {
    const cursor = exec(query, ...bindings)
    cursors.push(cursor)
    return cursor
  }) as typeof sql.exec
  return {
    restore: () => (sql.exec = exec),
    work: (): StorageWork => {
      const work = { read: 0, written: 0 }
      for (const cursor of cursors) {
        cursor.toArray()
        work.read += cursor.rowsRead
        work.written += cursor.rowsWritten
      }
      return work
    },
  }
}

/** Rows SQLite read and wrote while `run` ran, over every statement it made. */
export async function storageWorkOf(sql: SqlStorage, run: () => unknown): Promise<StorageWork> {
  const recorder = recording(sql)
  try {
    await run()
  } finally {
    recorder.restore()
  }
  return recorder.work()
}

/** Rows SQLite read while `run` (synchronous) ran, over every statement it made. */
export function rowsReadBy(sql: SqlStorage, run: () => void): number {
  const recorder = recording(sql)
  try {
    run()
  } finally {
    recorder.restore()
  }
  return recorder.work().read
}
