// Cloudflare's published prices (Workers Paid plan, beyond the included amounts), as read on
// 2026-12-02 from developers.cloudflare.com: workers/platform/pricing,
// durable-objects/platform/pricing, d1/platform/pricing. docs/cost.md shows the same table.
export const PRICES = {
  readOn: '2026-12-02',
  /** USD per million. */
  workerRequests: 0.3,
  workerCpuMs: 0.02,
  doRequests: 0.15,
  /** Incoming WebSocket messages are billed as requests at 20:1. */
  webSocketMessagesPerRequest: 20,
  doRowsRead: 0.001,
  doRowsWritten: 1.0,
  d1RowsRead: 0.001,
  d1RowsWritten: 1.0,
} as const

export interface MessageOperations {
  workerRequests: number
  doRequests: number
  webSocketMessagesIn: number
  alarms: number
  rowsRead: number
  rowsWritten: number
  d1Queries: number
}

/** USD per 1,000 messages, by line, from the operations of one message. */
export function costPerThousand(op: MessageOperations) {
  const perMillion = (count: number, usd: number) => (count * 1_000 * usd) / 1_000_000
  const lines = {
    workerRequests: perMillion(op.workerRequests, PRICES.workerRequests),
    doRequests: perMillion(op.doRequests + op.alarms + op.webSocketMessagesIn / PRICES.webSocketMessagesPerRequest, PRICES.doRequests),
    doRowsRead: perMillion(op.rowsRead, PRICES.doRowsRead),
    doRowsWritten: perMillion(op.rowsWritten, PRICES.doRowsWritten),
    // A D1 query here reads one row by its key (cache misses: the key, the device, the endpoints).
    d1: perMillion(op.d1Queries, PRICES.d1RowsRead),
  }
  const round = (usd: number) => +usd.toFixed(6)
  return {
    lines: Object.fromEntries(Object.entries(lines).map(([k, v]) => [k, round(v)])),
    total: round(Object.values(lines).reduce((a, b) => a + b, 0)),
  }
}
