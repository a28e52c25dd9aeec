import { asc } from 'drizzle-orm'
import { database } from '../../../db/client'
import { sessionNodes, type SessionNode } from '../../../db/schema'
import type { AppRouteHandler } from '../../../lib/app-env'
import { issueSecret } from '../../../lib/crypto'
import { ok } from '../../../lib/envelope'
import { iso } from '../../../lib/openapi-helpers'
import type { listNodes, registerNode } from './nodes.routes'
import { NODE_TOKEN_KIND } from './nodes.schemas'

// Until a node has connected to the fleet it is offline, holds nothing and has no known capacity.
const offline = (node: SessionNode) => ({
  id: node.id,
  name: node.name,
  status: 'offline' as const,
  devices: 0,
  capacity: null,
  last_seen_at: iso(node.lastSeenAt),
  created_at: iso(node.createdAt)!,
})

export const register: AppRouteHandler<typeof registerNode> = async (c) => {
  const { name } = c.req.valid('json')
  const secret = await issueSecret(NODE_TOKEN_KIND)
  const now = new Date()
  const node = await database(c.env.DB)
    .insert(sessionNodes)
    .values({ name, tokenPrefix: secret.prefix, tokenHash: secret.hash, createdAt: now, updatedAt: now })
    .returning()
    .get()
  return c.json(ok({ ...offline(node), token: secret.plaintext }), 201)
}

/** D1 knows every registered node; FleetDO knows which are connected, their capacity and load. */
export const list: AppRouteHandler<typeof listNodes> = async (c) => {
  const [rows, live] = await Promise.all([
    database(c.env.DB).select().from(sessionNodes).orderBy(asc(sessionNodes.id)),
    c.env.FLEET.getByName('fleet').listNodes(),
  ])
  const liveById = new Map(live.map((node) => [node.id, node]))
  return c.json(
    ok(
      rows.map((row) => {
        const seen = liveById.get(row.id)
        if (!seen) return offline(row)
        return {
          ...offline(row),
          status: seen.status,
          devices: seen.devices,
          capacity: seen.capacity,
          last_seen_at: iso(seen.last_seen_at === null ? row.lastSeenAt : new Date(seen.last_seen_at)),
        }
      }),
    ),
    200,
  )
}
