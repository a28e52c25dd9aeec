// The WHERE clause of a newest-first message page, shared by a device's ledger and the company's
// listing: equality filters on columns, and the cursor, (created_at, message_id) strictly older.

export interface PageWhere {
  clauses: string[]
  binds: SqlStorageValue[]
}

export function pageWhere(
  equal: ReadonlyArray<readonly [column: string, value: string | undefined]>,
  before?: { createdAt: number; messageId: string },
  start: PageWhere = { clauses: [], binds: [] },
): PageWhere {
  const { clauses, binds } = { clauses: [...start.clauses], binds: [...start.binds] }
  for (const [column, value] of equal) {
    if (value === undefined) continue
    clauses.push(`${column} = ?`)
    binds.push(value)
  }
  if (before) {
    clauses.push('(created_at < ? OR (created_at = ? AND message_id < ?))')
    binds.push(before.createdAt, before.createdAt, before.messageId)
  }
  return { clauses, binds }
}
