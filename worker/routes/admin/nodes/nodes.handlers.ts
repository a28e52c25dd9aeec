import { asc, eq } from 'drizzle-orm'
import { database } from '../../../db/client'
import { sessionNodes, type SessionNode } from '../../../db/schema'
import type { NodeView } from '../../../durable-objects/fleet/fleet-do'
import { fleetOf } from '../../../durable-objects/stubs'
import type { AppRouteHandler } from '../../../lib/app-env'
import { NODE_TOKEN_KIND } from '../../../auth/secret-kinds'
import { issueSecret } from '../../../lib/crypto'
import { ok } from '../../../lib/envelope'
import { ApiError } from '../../../lib/errors'
import { iso } from '../../../lib/time'
import type { drainNode, listNodes, registerNode, updateNode } from './nodes.routes'

/**
 * D1 knows every registered node; FleetDO knows which are connected, their capacity and load.
 * A node the fleet has not seen is offline, holds nothing and has no known capacity.
 */
const toNodeJson = (node: SessionNode, live: NodeView | undefined) => ({
  id: node.id,
  name: node.name,
  status: live?.status ?? ('offline' as const),
  devices: live?.devices ?? 0,
  capacity: live?.capacity ?? null,
  max_capacity: node.maxCapacity,
  last_seen_at: iso(live?.last_seen_at ?? node.lastSeenAt),
  is_active: node.isActive,
  drained: live?.drained ?? false,
  version: live?.version ?? null,
  protocol: live?.protocol ?? null,
  created_at: iso(node.createdAt)!,
})

/** Drains or undrains a node; answers it as the list shows it. */
export const setDrained =
  (drained: boolean): AppRouteHandler<typeof drainNode> =>
  async (c) => {
    const { id } = c.req.valid('param')
    const row = await database(c.env.DB).select().from(sessionNodes).where(eq(sessionNodes.id, id)).get()
    if (!row) throw new ApiError('node_not_found', 'Session node not found')
    const fleet = fleetOf(c.env)
    const known = drained ? await fleet.drainNode(id) : await fleet.undrainNode(id)
    if (!known) throw new ApiError('node_not_found', 'This session node never connected to the fleet')
    const live = (await fleet.listNodes()).find((node) => node.id === id)
    return c.json(ok(toNodeJson(row, live)), 200)
  }

export const register: AppRouteHandler<typeof registerNode> = async (c) => {
  const { name, max_capacity } = c.req.valid('json')
  const secret = await issueSecret(NODE_TOKEN_KIND)
  const now = new Date()
  const node = await database(c.env.DB)
    .insert(sessionNodes)
    .values({
      name,
      ...(max_capacity !== undefined && { maxCapacity: max_capacity }),
      tokenPrefix: secret.prefix,
      tokenHash: secret.hash,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get()
  return c.json(ok({ ...toNodeJson(node, undefined), token: secret.plaintext }), 201)
}

export const list: AppRouteHandler<typeof listNodes> = async (c) => {
  const [rows, live] = await Promise.all([
    database(c.env.DB).select().from(sessionNodes).orderBy(asc(sessionNodes.id)),
    fleetOf(c.env).listNodes(),
  ])
  const liveById = new Map(live.map((node) => [node.id, node]))
  return c.json(ok(rows.map((row) => toNodeJson(row, liveById.get(row.id)))), 200)
}

/**
 * Revoking destroys the token: its hash is replaced by that of a secret nobody holds, so it can
 * never work again, and the fleet disconnects the node and refuses it from then on. Activating a
 * revoked node again issues a new token, returned once.
 */
export const update: AppRouteHandler<typeof updateNode> = async (c) => {
  const { id } = c.req.valid('param')
  const { name, is_active, max_capacity } = c.req.valid('json')
  const db = database(c.env.DB)
  const before = await db.select().from(sessionNodes).where(eq(sessionNodes.id, id)).get()
  if (!before) throw new ApiError('node_not_found', 'Session node not found')
  const revoking = is_active === false && before.isActive
  const reissued = is_active === true && !before.isActive ? await issueSecret(NODE_TOKEN_KIND) : null
  const secret = reissued ?? (revoking ? await issueSecret(NODE_TOKEN_KIND) : null)
  // A reactivated node is let back into the fleet before its new token can be used.
  if (reissued) await fleetOf(c.env).reinstateNode(id)
  const node = await db
    .update(sessionNodes)
    .set({
      ...(name !== undefined && { name }),
      ...(max_capacity !== undefined && { maxCapacity: max_capacity }),
      ...(is_active !== undefined && { isActive: is_active }),
      ...(secret && { tokenPrefix: secret.prefix, tokenHash: secret.hash }),
      updatedAt: new Date(),
    })
    .where(eq(sessionNodes.id, id))
    .returning()
    .get()
  if (!node) throw new ApiError('node_not_found', 'Session node not found')
  if (is_active === false) await fleetOf(c.env).revokeNode(id)
  const live = (await fleetOf(c.env).listNodes()).find((n) => n.id === id)
  return c.json(ok({ ...toNodeJson(node, live), ...(reissued && { token: reissued.plaintext }) }), 200)
}
