// A session node as the admin API lists it: FleetDO's record, with the freshest heartbeat its
// socket has seen.
import type { NodeRow } from './fleet-store'

export interface NodeView {
  id: number
  status: 'online' | 'offline'
  devices: number
  capacity: number
  last_seen_at: number | null
  drained: boolean
  version: string | null
  protocol: number | null
}

export function nodeViews(ctx: DurableObjectState, nodes: NodeRow[], loads: Map<number, number>): NodeView[] {
  return nodes.map((node) => {
    const online = node.online === 1
    const socket = online ? ctx.getWebSockets(`node:${node.node_id}`)[0] : undefined
    const lastPing = socket ? (ctx.getWebSocketAutoResponseTimestamp(socket)?.getTime() ?? 0) : 0
    return {
      id: node.node_id,
      status: online ? 'online' : 'offline',
      devices: online ? (loads.get(node.node_id) ?? 0) : 0,
      capacity: node.capacity,
      last_seen_at: Math.max(node.last_seen_at ?? 0, lastPing) || null,
      drained: node.drained === 1,
      version: node.version,
      protocol: node.protocol,
    }
  })
}

/** D1's `last_seen_at` of a node, written after the answer (a listing may be a moment behind). */
export function recordLastSeen(ctx: DurableObjectState, db: D1Database, nodeId: number, now: number): void {
  ctx.waitUntil(
    db
      .prepare('UPDATE session_nodes SET last_seen_at = ? WHERE id = ?')
      .bind(now, nodeId)
      .run()
      .catch(() => undefined),
  )
}
