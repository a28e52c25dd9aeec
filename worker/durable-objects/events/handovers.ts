// How far each webhook endpoint of the company has been handed the feed: one row per active
// endpoint with what it takes (its subscription, as the API last set it) and the feed position
// it has everything up to. An endpoint takes the events after its position that it wants; one
// made while the feed already held events starts after them. Positions are checkpoints
// (checkpoint.ts): EndpointDO stores deliveries by id, so a restart that hands a second's
// events again delivers nothing twice. This replaced a row per event and endpoint, written when
// the event came and again when it was handed over (docs/cost.md). The rows are read once per
// instance; every hand-over after that works from memory.
import type { Subscription } from '../../webhooks/subscription'
import { Checkpoint } from '../checkpoint'

type HandoverRow = { endpoint_id: number; after_pos: number; event_types: string | null; device_ids: string | null }

interface Handover {
  /** Null until the company's endpoints are read (a row carried over from the fan-out table): it takes nothing yet. */
  subscription: Subscription | null
  position: Checkpoint
}

/** What an endpoint takes, as its row stores it. */
const filterOf = (subscription: Subscription) => ({
  eventTypes: JSON.stringify(subscription.eventTypes),
  deviceIds: subscription.deviceIds === null ? null : JSON.stringify(subscription.deviceIds),
})

const subscriptionOf = (row: HandoverRow): Subscription | null =>
  row.event_types === null
    ? null
    : {
        id: row.endpoint_id,
        eventTypes: JSON.parse(row.event_types) as string[],
        deviceIds: row.device_ids === null ? null : (JSON.parse(row.device_ids) as number[]),
      }

export class Handovers {
  private loaded: Map<number, Handover> | null = null

  constructor(private readonly sql: SqlStorage) {}

  /** The table in line with the company's active endpoints; a new one starts after `lastPos`. */
  sync(subscriptions: readonly Subscription[], lastPos: number): void {
    const handovers = this.all()
    const active = new Set(subscriptions.map((subscription) => subscription.id))
    for (const endpointId of [...handovers.keys()]) if (!active.has(endpointId)) this.drop(endpointId)
    for (const subscription of subscriptions) {
      const known = handovers.get(subscription.id)
      const filter = filterOf(subscription)
      const stored = known?.subscription ? filterOf(known.subscription) : null
      if (stored && stored.eventTypes === filter.eventTypes && stored.deviceIds === filter.deviceIds) continue
      this.sql.exec(
        `INSERT INTO handovers (endpoint_id, after_pos, event_types, device_ids) VALUES (?, ?, ?, ?)
         ON CONFLICT (endpoint_id) DO UPDATE SET event_types = excluded.event_types, device_ids = excluded.device_ids`,
        subscription.id,
        lastPos,
        filter.eventTypes,
        filter.deviceIds,
      )
      handovers.set(subscription.id, { subscription, position: known?.position ?? this.checkpoint(subscription.id, lastPos) })
    }
  }

  /** The endpoints to hand events to, with what each takes. */
  subscriptions(): Subscription[] {
    return [...this.all().values()].flatMap((handover) => (handover.subscription ? [handover.subscription] : []))
  }

  /** The position `endpointId` has been handed everything up to; null once it takes nothing (dropped). */
  after(endpointId: number): number | null {
    return this.all().get(endpointId)?.position.current ?? null
  }

  advance(endpointId: number, pos: number): void {
    this.all().get(endpointId)?.position.advance(pos)
  }

  drop(endpointId: number): void {
    this.all().get(endpointId)?.position.discard()
    this.all().delete(endpointId)
    this.sql.exec('DELETE FROM handovers WHERE endpoint_id = ?', endpointId)
  }

  private all(): Map<number, Handover> {
    return (this.loaded ??= new Map(
      this.sql
        .exec<HandoverRow>('SELECT * FROM handovers')
        .toArray()
        .map((row) => [row.endpoint_id, { subscription: subscriptionOf(row), position: this.checkpoint(row.endpoint_id, row.after_pos) }]),
    ))
  }

  private checkpoint(endpointId: number, written: number): Checkpoint {
    return new Checkpoint(written, (pos) =>
      this.sql.exec('UPDATE handovers SET after_pos = MAX(after_pos, ?) WHERE endpoint_id = ?', pos, endpointId),
    )
  }
}
