// FleetDO's own SQLite tables: which nodes exist (as last seen) and which device runs where.
// `epoch` grows every time a device is given to a node; DeviceDO fences on it.
import { SqlStore } from '../sql-schema'

export type NodeRow = {
  node_id: number
  name: string
  engine: string
  capacity: number
  online: number
  last_seen_at: number | null
  offline_since: number | null
  /** 1 while drained: nothing new is placed there (its devices were moved off). */
  drained: number
  version: string | null
  protocol: number | null
}

export type AssignmentRow = {
  device_id: number
  node_id: number | null
  epoch: number
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS nodes (
        node_id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        engine TEXT NOT NULL,
        capacity INTEGER NOT NULL,
        online INTEGER NOT NULL,
        last_seen_at INTEGER,
        offline_since INTEGER
      );
      CREATE TABLE IF NOT EXISTS assignments (
        device_id INTEGER PRIMARY KEY,
        node_id INTEGER,
        epoch INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS assignments_node ON assignments (node_id);`,
  // Nodes whose token was revoked: refused here even if a connect was authenticated just before.
  `CREATE TABLE revoked_nodes (node_id INTEGER PRIMARY KEY, revoked_at INTEGER NOT NULL);`,
  // Deleted devices: never placed again (D1 never reuses a device id).
  `CREATE TABLE deleted_devices (device_id INTEGER PRIMARY KEY, deleted_at INTEGER NOT NULL);`,
  // Drained nodes get no devices; what a node said it runs.
  `ALTER TABLE nodes ADD COLUMN drained INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE nodes ADD COLUMN version TEXT;
   ALTER TABLE nodes ADD COLUMN protocol INTEGER;`,
]

export class FleetStore extends SqlStore {
  constructor(storage: DurableObjectStorage) {
    super(storage, 'fleet', SCHEMA)
  }

  nodeOnline(
    node: { nodeId: number; name: string; engine: string; capacity: number; version: string | null; protocol: number },
    now: number,
  ): void {
    this.sql.exec(
      `INSERT INTO nodes (node_id, name, engine, capacity, online, last_seen_at, offline_since, version, protocol)
       VALUES (?, ?, ?, ?, 1, ?, NULL, ?, ?)
       ON CONFLICT (node_id) DO UPDATE SET name = excluded.name, engine = excluded.engine, capacity = excluded.capacity,
         online = 1, last_seen_at = excluded.last_seen_at, offline_since = NULL, version = excluded.version, protocol = excluded.protocol`,
      node.nodeId,
      node.name,
      node.engine,
      node.capacity,
      now,
      node.version,
      node.protocol,
    )
  }

  setDrained(nodeId: number, drained: boolean): void {
    this.sql.exec('UPDATE nodes SET drained = ? WHERE node_id = ?', drained ? 1 : 0, nodeId)
  }

  nodeOffline(nodeId: number, now: number): void {
    this.sql.exec(
      'UPDATE nodes SET online = 0, last_seen_at = ?, offline_since = COALESCE(offline_since, ?) WHERE node_id = ?',
      now,
      now,
      nodeId,
    )
  }

  touch(nodeId: number, now: number): void {
    this.sql.exec('UPDATE nodes SET last_seen_at = ? WHERE node_id = ?', now, nodeId)
  }

  nodes(): NodeRow[] {
    return this.sql.exec<NodeRow>('SELECT * FROM nodes ORDER BY node_id').toArray()
  }

  node(nodeId: number): NodeRow | undefined {
    return this.sql.exec<NodeRow>('SELECT * FROM nodes WHERE node_id = ?', nodeId).toArray()[0]
  }

  /** Devices assigned to each node (nodes with none are absent). */
  loads(): Map<number, number> {
    const rows = this.sql
      .exec<{ node_id: number; n: number }>('SELECT node_id, COUNT(*) AS n FROM assignments WHERE node_id IS NOT NULL GROUP BY node_id')
      .toArray()
    return new Map(rows.map((r) => [r.node_id, r.n]))
  }

  assignment(deviceId: number): AssignmentRow | undefined {
    return this.sql.exec<AssignmentRow>('SELECT * FROM assignments WHERE device_id = ?', deviceId).toArray()[0]
  }

  assignmentsOf(nodeId: number): AssignmentRow[] {
    return this.sql.exec<AssignmentRow>('SELECT * FROM assignments WHERE node_id = ? ORDER BY device_id', nodeId).toArray()
  }

  unassigned(): AssignmentRow[] {
    return this.sql.exec<AssignmentRow>('SELECT * FROM assignments WHERE node_id IS NULL ORDER BY device_id').toArray()
  }

  /** Gives the device to `nodeId` (or to nobody) under a new epoch, and returns that epoch. */
  assign(deviceId: number, nodeId: number | null): number {
    const epoch = (this.assignment(deviceId)?.epoch ?? 0) + 1
    this.sql.exec(
      `INSERT INTO assignments (device_id, node_id, epoch) VALUES (?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET node_id = excluded.node_id, epoch = excluded.epoch`,
      deviceId,
      nodeId,
      epoch,
    )
    return epoch
  }

  markRevoked(nodeId: number, now: number): void {
    this.sql.exec('INSERT OR REPLACE INTO revoked_nodes (node_id, revoked_at) VALUES (?, ?)', nodeId, now)
  }

  clearRevoked(nodeId: number): void {
    this.sql.exec('DELETE FROM revoked_nodes WHERE node_id = ?', nodeId)
  }

  isRevoked(nodeId: number): boolean {
    return this.sql.exec('SELECT 1 FROM revoked_nodes WHERE node_id = ?', nodeId).toArray().length > 0
  }

  markDeleted(deviceId: number, now: number): void {
    this.sql.exec('INSERT OR IGNORE INTO deleted_devices (device_id, deleted_at) VALUES (?, ?)', deviceId, now)
  }

  isDeleted(deviceId: number): boolean {
    return this.sql.exec('SELECT 1 FROM deleted_devices WHERE device_id = ?', deviceId).toArray().length > 0
  }

  assignedDeviceIds(): number[] {
    return this.sql
      .exec<{ device_id: number }>('SELECT device_id FROM assignments')
      .toArray()
      .map((row) => row.device_id)
  }

  remove(deviceId: number): void {
    this.sql.exec('DELETE FROM assignments WHERE device_id = ?', deviceId)
  }

  /** Offline nodes that still hold devices, with the time their grace period started. */
  strandedNodes(): Array<{ node_id: number; offline_since: number }> {
    return this.sql
      .exec<{ node_id: number; offline_since: number }>(
        `SELECT n.node_id, n.offline_since FROM nodes n
         WHERE n.online = 0 AND n.offline_since IS NOT NULL
           AND EXISTS (SELECT 1 FROM assignments a WHERE a.node_id = n.node_id)`,
      )
      .toArray()
  }
}
