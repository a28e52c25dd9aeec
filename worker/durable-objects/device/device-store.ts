// DeviceDO's SQLite: one row of live state, and the device's auth state as opaque entries
// (names HMAC'd and values sealed by the node: nothing here is usable WhatsApp credentials).
import type { LiveStatus } from '../../../protocol/frames'

export type DeviceState = {
  device_id: number | null
  node_id: number | null
  epoch: number
  active: number
  status: LiveStatus
  status_reason: string | null
  phone_number: string | null
  qr_code: string | null
  qr_image: string | null
  qr_expires_at: number | null
  /** Pause between two outbox messages; null is the default pacing. */
  send_interval_ms: number | null
}

export class DeviceStore {
  constructor(private readonly storage: DurableObjectStorage) {
    this.createSchema()
  }

  /** Also run after `deleteAll()`, so a deleted device's instance is back to a blank, valid state. */
  createSchema(): void {
    this.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS device (
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
        qr_expires_at INTEGER
      );
      INSERT OR IGNORE INTO device (id) VALUES (1);
      CREATE TABLE IF NOT EXISTS auth (name TEXT PRIMARY KEY, value TEXT NOT NULL);
    `)
    this.addColumns()
  }

  /** Columns added after the first release, for objects created before them. */
  private addColumns(): void {
    const present = new Set(
      this.sql
        .exec<{ name: string }>('PRAGMA table_info(device)')
        .toArray()
        .map((c) => c.name),
    )
    if (!present.has('send_interval_ms')) this.sql.exec('ALTER TABLE device ADD COLUMN send_interval_ms INTEGER')
  }

  private get sql() {
    return this.storage.sql
  }

  state(): DeviceState {
    return this.sql.exec<DeviceState>('SELECT * FROM device WHERE id = 1').one()
  }

  update(changes: Partial<DeviceState>): DeviceState {
    const entries = Object.entries(changes).filter(([, v]) => v !== undefined)
    if (entries.length > 0) {
      const sets = entries.map(([k]) => `${k} = ?`).join(', ')
      this.sql.exec(`UPDATE device SET ${sets} WHERE id = 1`, ...entries.map(([, v]) => v as SqlStorageValue))
    }
    return this.state()
  }

  authGet(names: string[]): Record<string, string | null> {
    const values: Record<string, string | null> = Object.fromEntries(names.map((n) => [n, null]))
    // Chunked: SQLite caps the number of bound parameters in one statement.
    for (let i = 0; i < names.length; i += 90) {
      const chunk = names.slice(i, i + 90)
      const rows = this.sql
        .exec<{ name: string; value: string }>(`SELECT name, value FROM auth WHERE name IN (${chunk.map(() => '?').join(',')})`, ...chunk)
        .toArray()
      for (const row of rows) values[row.name] = row.value
    }
    return values
  }

  /** All entries in one transaction: a batch of key updates is stored whole or not at all. */
  authSet(entries: Record<string, string | null>): void {
    this.storage.transactionSync(() => {
      for (const [name, value] of Object.entries(entries)) {
        if (value === null) this.sql.exec('DELETE FROM auth WHERE name = ?', name)
        else
          this.sql.exec('INSERT INTO auth (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value', name, value)
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
