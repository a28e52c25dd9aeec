// FleetDO's assignments checked against D1, the record of which devices exist: a device whose
// row is gone (a DELETE that failed half-way, or one that raced a read) must not stay on a node.

/** SQLite caps the number of bound parameters in one statement. */
const IDS_PER_QUERY = 90

/** Of `deviceIds`, those D1 has no row for. */
export async function missingDevices(db: D1Database, deviceIds: number[]): Promise<number[]> {
  const missing: number[] = []
  for (let i = 0; i < deviceIds.length; i += IDS_PER_QUERY) {
    const chunk = deviceIds.slice(i, i + IDS_PER_QUERY)
    const placeholders = chunk.map(() => '?').join(',')
    const { results } = await db
      .prepare(`SELECT id FROM devices WHERE id IN (${placeholders})`)
      .bind(...chunk)
      .all<{ id: number }>()
    const present = new Set(results.map((row) => row.id))
    missing.push(...chunk.filter((id) => !present.has(id)))
  }
  return missing
}
