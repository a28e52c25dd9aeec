// Accepting a session node's control socket into FleetDO: the worker authenticated the upgrade
// (X-Node-Id), but a revocation may have landed since, so D1 and FleetDO's own record are asked
// again, the latter after the await, so no interleaving escapes. A newer connection of the same
// node replaces the older one; the attachment carries the capacity cap the operator set.
import { z } from 'zod'
import { CloseCode } from '../../../protocol/close-codes'
import { closeQuietly, upgradeResponse } from '../sockets'

export const NodeAttachment = z.object({ nodeId: z.number().int(), connectedAt: z.number(), capacityCap: z.number().int().optional() })
export type NodeAttachment = z.infer<typeof NodeAttachment>

export interface AcceptDeps {
  ctx: DurableObjectState
  db: D1Database
  isRevoked(nodeId: number): boolean
}

export async function acceptNodeSocket(request: Request, { ctx, db, isRevoked }: AcceptDeps): Promise<Response> {
  if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') {
    return new Response('expected a WebSocket upgrade', { status: 426 })
  }
  const nodeId = Number(request.headers.get('X-Node-Id'))
  if (!Number.isInteger(nodeId) || nodeId <= 0) return new Response('missing node id', { status: 400 })
  const row = await db
    .prepare('SELECT is_active, max_capacity FROM session_nodes WHERE id = ?')
    .bind(nodeId)
    .first<{ is_active: number; max_capacity: number }>()
  if (!row || row.is_active !== 1 || isRevoked(nodeId)) return new Response('this node token was revoked', { status: 401 })
  for (const older of ctx.getWebSockets(`node:${nodeId}`)) {
    closeQuietly(older, CloseCode.superseded, 'superseded by a newer connection of this node')
  }
  const attachment: NodeAttachment = { nodeId, connectedAt: Date.now(), capacityCap: row.max_capacity }
  return upgradeResponse<NodeAttachment>(ctx, ['node', `node:${nodeId}`], attachment)
}
