import { eq } from 'drizzle-orm'
import { database } from '../db/client'
import { sessionNodes } from '../db/schema'
import { prefixOf, sha256Hex, timingSafeEqualStrings } from '../lib/crypto'
import { NODE_TOKEN_KIND } from './secret-kinds'

/**
 * The session node behind `Authorization: Bearer <NODE_TOKEN>`, or null. Node sockets are few
 * and long-lived, so this asks D1 every time rather than caching.
 */
export async function authenticateNode(d1: D1Database, authorization: string | undefined): Promise<{ id: number } | null> {
  const presented = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1] ?? ''
  const prefix = prefixOf(NODE_TOKEN_KIND, presented)
  if (!prefix) return null
  const [node, hash] = await Promise.all([
    database(d1).select().from(sessionNodes).where(eq(sessionNodes.tokenPrefix, prefix)).get(),
    sha256Hex(presented),
  ])
  if (!node || !node.isActive || !timingSafeEqualStrings(hash, node.tokenHash)) return null
  return { id: node.id }
}
