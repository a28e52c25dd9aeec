// DeviceDO's SQLite: one row of live state, and the device's auth state as opaque entries
// (names HMAC'd and values sealed by the node: nothing here is usable WhatsApp credentials).
import type { LiveStatus } from '../../../protocol/frames'
import { SqlStore } from '../sql-schema'

export type DeviceState = {
  device_id: number | null
  /** The company that owns the device (its events go to that company's feed). */
  company_id: number | null
  node_id: number | null
  epoch: number
  /** false while the device is paused. */
  active: boolean
  /** false while its company is deactivated: nothing of it is sent. */
  company_active: boolean
  /** The device was deleted; this object only remembers that. */
  deleted: boolean
  /** When a pairing code was last asked of WhatsApp (it makes a phone show a prompt). */
  pairing_requested_at: number | null
  status: LiveStatus
  status_reason: string | null
  phone_number: string | null
  qr_code: string | null
  qr_image: string | null
  qr_expires_at: number | null
  /** Pause between two outbox messages; null is the default pacing. */
  send_interval_ms: number | null
  /** What exactly the status reason was (the node's words), for `last_error`. */
  status_detail: string | null
  /** Since when the current link exists (first authenticated; cleared by a logout). */
  linked_at: number | null
  /** When the device was last authenticated (set as it stops being so). */
  last_seen_at: number | null
  last_error_code: string | null
  last_error_message: string | null
  last_error_at: number | null
}

type DeviceRow = Omit<DeviceState, 'active' | 'company_active' | 'deleted'> & { active: number; company_active: number; deleted: number }

export const DEVICE_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS device (
     id INTEGER PRIMARY KEY CHECK (id = 1),
     device_id INTEGER,
     node_id INTEGER,
     epoch INTEGER NOT NULL DEFAULT 0,
     active INTEGER NOT NULL DEFAULT 1,
     status TEXT NOT NULL DEFAULT 'pending',
     status_reason TEXT,
     phone_number TEXT,
     qr_code TEXT,
     qr_image TEXT,
     qr_expires_at INTEGER,
     send_interval_ms INTEGER
   );
   INSERT OR IGNORE INTO device (id) VALUES (1);
   CREATE TABLE IF NOT EXISTS auth (name TEXT PRIMARY KEY, value TEXT NOT NULL);`,
  'ALTER TABLE device ADD COLUMN company_active INTEGER NOT NULL DEFAULT 1',
  // A tombstone: a deleted device is never given to a node again.
  'ALTER TABLE device ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0',
  'ALTER TABLE device ADD COLUMN pairing_requested_at INTEGER',
  // Whose event feed this device's events go to.
  'ALTER TABLE device ADD COLUMN company_id INTEGER',
  // Why a device is down, and since when it was linked and seen (health.ts).
  `ALTER TABLE device ADD COLUMN status_detail TEXT;
   ALTER TABLE device ADD COLUMN linked_at INTEGER;
   ALTER TABLE device ADD COLUMN last_seen_at INTEGER;
   ALTER TABLE device ADD COLUMN last_error_code TEXT;
   ALTER TABLE device ADD COLUMN last_error_message TEXT;
   ALTER TABLE device ADD COLUMN last_error_at INTEGER;`,
]

/** SQLite caps the number of bound parameters in one statement. */
const NAMES_PER_QUERY = 90

export class DeviceStore extends SqlStore {
  /**
   * The row as last read. This store is the row's only writer and the object runs one event at
   * a time, so it is exact; every frame and send reads the state several times, and a SELECT
   * each time was a measurable share of a send's CPU (docs/performance.md).
   */
  private cached: DeviceState | null = null

  constructor(storage: DurableObjectStorage) {
    super(storage, 'device', DEVICE_SCHEMA)
  }

  state(): DeviceState {
    if (!this.cached) {
      const row = this.sql.exec<DeviceRow>('SELECT * FROM device WHERE id = 1').one()
      this.cached = { ...row, active: row.active === 1, company_active: row.company_active === 1, deleted: row.deleted === 1 }
    }
    return { ...this.cached }
  }

  /** Reads the row again next time: after a transaction that changed it was rolled back, or storage was wiped. */
  forget(): void {
    this.cached = null
  }

  override createSchema(): void {
    this.cached = null
    super.createSchema()
  }

  update(changes: Partial<DeviceState>): DeviceState {
    const entries = Object.entries(changes)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]): [string, SqlStorageValue] => [k, typeof v === 'boolean' ? Number(v) : (v as SqlStorageValue)])
    if (entries.length > 0) {
      const sets = entries.map(([k]) => `${k} = ?`).join(', ')
      this.cached = null
      this.sql.exec(`UPDATE device SET ${sets} WHERE id = 1`, ...entries.map(([, v]) => v))
    }
    return this.state()
  }

  authGet(names: string[]): Record<string, string | null> {
    const values: Record<string, string | null> = Object.fromEntries(names.map((n) => [n, null]))
    for (let i = 0; i < names.length; i += NAMES_PER_QUERY) {
      const chunk = names.slice(i, i + NAMES_PER_QUERY)
      const placeholders = chunk.map(() => '?').join(',')
      const rows = this.sql.exec<{ name: string; value: string }>(`SELECT name, value FROM auth WHERE name IN (${placeholders})`, ...chunk)
      for (const row of rows) values[row.name] = row.value
    }
    return values
  }

  /** All entries in one transaction: a batch of key updates is stored whole or not at all. */
  authSet(entries: Record<string, string | null>): void {
    this.storage.transactionSync(() => {
      for (const [name, value] of Object.entries(entries)) {
        if (value === null) this.sql.exec('DELETE FROM auth WHERE name = ?', name)
        else {
          this.sql.exec('INSERT INTO auth (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', name, value)
        }
      }
    })
  }

  authClear(): void {
    this.sql.exec('DELETE FROM auth')
  }

  authCount(): number {
    return this.sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM auth').one().n
  }
}
