// FleetDO's assignments checked against D1, the record of which devices exist: a device whose
// row is gone (a DELETE that failed half-way, or one that raced a read) must not stay on a node.

import { deviceOf } from '../stubs'

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

/** Wipes (logs out) and releases every assigned device D1 no longer has. */
export async function removeDeletedDevices(env: Env, assigned: number[], release: (deviceId: number) => Promise<void>): Promise<void> {
  for (const deviceId of await missingDevices(env.DB, assigned)) {
    console.warn(JSON.stringify({ msg: 'removing an assignment of a deleted device', deviceId }))
    await deviceOf(env, deviceId)
      .destroy()
      .catch((error: unknown) => console.error(JSON.stringify({ msg: 'could not wipe a deleted device', deviceId, error: String(error) })))
    await release(deviceId)
  }
}
