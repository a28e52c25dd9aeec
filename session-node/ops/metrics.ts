// What a session node counts for its operator, in Prometheus format (prom-client): one registry
// per process. Counters are bumped where things happen; sessions by status and queue lengths
// are read from the sessions when scraped. The names are documented in docs/session-node.md.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

export const registry = new Registry()
// Process metrics: process_resident_memory_bytes, nodejs_eventloop_lag_seconds, heap, GC, handles.
collectDefaultMetrics({ register: registry })

const registers = [registry]

export const metrics = {
  sends: new Counter({
    name: 'wa_node_sends_total',
    help: 'Messages handed to WhatsApp, by outcome (sent, or the failure code)',
    labelNames: ['outcome'],
    registers,
  }),
  receipts: new Counter({
    name: 'wa_node_receipts_total',
    help: 'Receipts from WhatsApp forwarded to the worker, by status',
    labelNames: ['status'],
    registers,
  }),
  inbound: new Counter({
    name: 'wa_node_inbound_messages_total',
    help: 'Inbound messages, reactions, edits and deletions, by kind',
    labelNames: ['kind'],
    registers,
  }),
  mediaFetchSeconds: new Histogram({
    name: 'wa_node_media_fetch_seconds',
    help: 'Time to fetch a media_url, by outcome',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  }),
  mediaFetchBytes: new Histogram({
    name: 'wa_node_media_fetch_bytes',
    help: 'Size of fetched media files',
    buckets: [10_000, 100_000, 1_000_000, 5_000_000, 16_000_000, 64_000_000, 100_000_000],
    registers,
  }),
  reconnects: new Counter({
    name: 'wa_node_reconnects_total',
    help: 'Reconnections, by link: whatsapp (an engine), worker (a socket to the worker)',
    labelNames: ['link'],
    registers,
  }),
}

/** What one session tells the scrape: its status and how many frames wait for the worker's acknowledgement. */
export interface SessionHealth {
  status: string
  queued: Record<'auth' | 'receipts' | 'inbound', number>
}

/** Reads the sessions at every scrape (the sessions gauge and the frame queue lengths). */
export function observeSessions(read: () => SessionHealth[]): void {
  registry.removeSingleMetric('wa_node_sessions')
  registry.removeSingleMetric('wa_node_frame_queue_length')
  new Gauge({
    name: 'wa_node_sessions',
    help: 'Device sessions on this node, by the status they last reported',
    labelNames: ['status'],
    registers,
    collect() {
      this.reset()
      for (const session of read()) this.inc({ status: session.status })
    },
  })
  new Gauge({
    name: 'wa_node_frame_queue_length',
    help: 'Frames waiting for the worker to acknowledge them, by queue',
    labelNames: ['queue'],
    registers,
    collect() {
      this.reset()
      for (const queue of ['auth', 'receipts', 'inbound'] as const) this.set({ queue }, 0)
      for (const session of read()) for (const [queue, n] of Object.entries(session.queued)) this.inc({ queue }, n)
    },
  })
}
