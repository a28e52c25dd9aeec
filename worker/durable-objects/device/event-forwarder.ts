// Moves the device's recorded events to its company's feed (EventFeedDO), oldest first, a
// chunk at a time, marking each chunk forwarded once the feed has it. The feed stores by event
// id, so a chunk sent twice (an answer lost, this object reset) is stored once. A failure
// leaves the events where they are and asks the device's alarm to try again.
import { wakeBy } from '../alarms'
import { OneAtATime } from '../one-at-a-time'
import type { EventLog } from './event-log'
import type { EventEnvelope } from '../../events/event-types'

const CHUNK = 100
/**
 * Events recorded within this long of each other leave in one hand-over: under load a receipt
 * comes every few milliseconds, and one EventFeedDO call for each was a large share of a
 * message's cost (docs/performance.md). A webhook waits this much longer at most.
 */
export const FORWARD_COALESCE_MS = 20
/** After a failed forward, the alarm tries again this soon. */
export const EVENT_FORWARD_RETRY_MS = 5_000

export interface ForwarderDeps {
  events: EventLog
  storage: DurableObjectStorage
  deviceId(): number | null
  /** The device's company; null when it cannot be known (the device was deleted before it was told). */
  companyId(): Promise<number | null>
  /** Hands events to the company's feed (EventFeedDO.append). */
  append(companyId: number, events: EventEnvelope[]): Promise<unknown>
}

export class EventForwarder {
  private timer: ReturnType<typeof setTimeout> | null = null
  private readonly forwarding = new OneAtATime(
    () => this.forwardPending(),
    async (error) => {
      console.error(JSON.stringify({ level: 'warn', msg: 'forwarding events failed; the alarm retries', error: String(error) }))
      await wakeBy(this.deps.storage, Date.now() + EVENT_FORWARD_RETRY_MS)
    },
  )

  constructor(private readonly deps: ForwarderDeps) {}

  /** Forwards what is pending within FORWARD_COALESCE_MS, with whatever else is recorded meanwhile. */
  soon(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.flush()
    }, FORWARD_COALESCE_MS)
  }

  /** Forwards everything pending; one run at a time (a call during a run makes it go round once more). */
  flush(): Promise<void> {
    return this.forwarding.run()
  }

  private async forwardPending(): Promise<void> {
    const deviceId = this.deps.deviceId()
    if (deviceId === null) return
    for (
      let chunk = this.deps.events.unforwarded(deviceId, CHUNK);
      chunk.length > 0;
      chunk = this.deps.events.unforwarded(deviceId, CHUNK)
    ) {
      const companyId = await this.deps.companyId()
      if (companyId === null) return
      await this.deps.append(companyId, chunk)
      this.deps.events.markForwarded(chunk[chunk.length - 1]!.sequence)
    }
  }
}
