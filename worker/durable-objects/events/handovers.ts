// How far each webhook endpoint of the company has been handed the feed: one row per active
// endpoint with what it takes (its subscription, as the API last set it) and the feed position
// it has everything up to. An endpoint takes the events after its position that it wants; one
// made while the feed already held events starts after them. Positions are checkpoints
// (checkpoint.ts): EndpointDO stores deliveries by id, so a restart that hands a second's
// events again delivers nothing twice. This replaced a row per event and endpoint, written when
// the event came and again when it was handed over (docs/cost.md).
import type { Subscription } from '../../webhooks/subscription'
import { Checkpoint } from '../checkpoint'

type HandoverRow = { endpoint_id: number; after_pos: number; event_types: string | null; device_ids: string | null }

export class Handovers {
  private readonly positions = new Map<number, Checkpoint>()

  constructor(private readonly sql: SqlStorage) {}

  /** The table in line with the company's active endpoints; a new one starts after `lastPos`. */
  sync(subscriptions: readonly Subscription[], lastPos: number): void {
    const stored = new Map(this.rows().map((row) => [row.endpoint_id, row]))
    for (const subscription of subscriptions) {
      const eventTypes = JSON.stringify(subscription.eventTypes)
      const deviceIds = subscription.deviceIds === null ? null : JSON.stringify(subscription.deviceIds)
      const row = stored.get(subscription.id)
      stored.delete(subscription.id)
      if (row && row.event_types === eventTypes && row.device_ids === deviceIds) continue
      this.sql.exec(
        `INSERT INTO handovers (endpoint_id, after_pos, event_types, device_ids) VALUES (?, ?, ?, ?)
         ON CONFLICT (endpoint_id) DO UPDATE SET event_types = excluded.event_types, device_ids = excluded.device_ids`,
        subscription.id,
        lastPos,
        eventTypes,
        deviceIds,
      )
    }
    for (const endpointId of stored.keys()) this.drop(endpointId)
  }

  /** The endpoints to hand events to, with what each takes (one whose subscription is not known yet waits for sync). */
  subscriptions(): Subscription[] {
    return this.rows().flatMap((row) =>
      row.event_types === null
        ? []
        : [
            {
              id: row.endpoint_id,
              eventTypes: JSON.parse(row.event_types) as string[],
              deviceIds: row.device_ids === null ? null : (JSON.parse(row.device_ids) as number[]),
            },
          ],
    )
  }

  /** The position `endpointId` has been handed everything up to; null once it takes nothing (dropped). */
  after(endpointId: number): number | null {
    return this.position(endpointId)?.current ?? null
  }

  advance(endpointId: number, pos: number): void {
    this.position(endpointId)?.advance(pos)
  }

  drop(endpointId: number): void {
    this.positions.get(endpointId)?.discard()
    this.positions.delete(endpointId)
    this.sql.exec('DELETE FROM handovers WHERE endpoint_id = ?', endpointId)
  }

  private rows(): HandoverRow[] {
    return this.sql.exec<HandoverRow>('SELECT * FROM handovers').toArray()
  }

  private position(endpointId: number): Checkpoint | undefined {
    const known = this.positions.get(endpointId)
    if (known) return known
    const row = this.sql.exec<{ after_pos: number }>('SELECT after_pos FROM handovers WHERE endpoint_id = ?', endpointId).toArray()[0]
    if (!row) return undefined
    const position = new Checkpoint(
      () => row.after_pos,
      (pos) => this.sql.exec('UPDATE handovers SET after_pos = MAX(after_pos, ?) WHERE endpoint_id = ?', pos, endpointId),
    )
    this.positions.set(endpointId, position)
    return position
  }
}
