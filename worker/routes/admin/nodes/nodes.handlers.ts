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

export const list: AppRouteHandler<typeof listNodes> = async (c) => {
  const rows = await database(c.env.DB).select().from(sessionNodes).orderBy(asc(sessionNodes.id))
  return c.json(ok(rows.map(offline)), 200)
}
