// Webhook endpoint queries, each scoped to the calling company (an endpoint of another company
// is exactly as invisible as one that does not exist), plus the one unscoped write EndpointDO
// makes when it disables itself.
import { and, asc, count, eq } from 'drizzle-orm'
import { database, type Db } from './client'
import { webhookEndpoints, type WebhookEndpoint } from './schema'
import { ApiError } from '../lib/errors'

export const webhookNotFound = () => new ApiError('webhook_not_found', 'Webhook endpoint not found')

export function listWebhooks(db: Db, companyId: number) {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.companyId, companyId)).orderBy(asc(webhookEndpoints.id))
}

export async function findWebhook(db: Db, companyId: number, id: number): Promise<WebhookEndpoint> {
  const row = await db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.companyId, companyId), eq(webhookEndpoints.id, id)))
    .get()
  if (!row) throw webhookNotFound()
  return row
}

export async function countWebhooks(db: Db, companyId: number): Promise<number> {
  const row = await db.select({ n: count() }).from(webhookEndpoints).where(eq(webhookEndpoints.companyId, companyId)).get()
  return row?.n ?? 0
}

export type WebhookFields = Pick<WebhookEndpoint, 'url' | 'description' | 'eventTypes' | 'deviceIds' | 'isActive'>

export async function createWebhook(db: Db, companyId: number, fields: WebhookFields): Promise<WebhookEndpoint> {
  const now = new Date()
  const [row] = await db
    .insert(webhookEndpoints)
    .values({ companyId, ...fields, createdAt: now, updatedAt: now })
    .returning()
  return row!
}

export async function updateWebhook(db: Db, companyId: number, id: number, changes: Partial<WebhookFields>): Promise<WebhookEndpoint> {
  const [row] = await db
    .update(webhookEndpoints)
    // Turned on or off by the company: any reason it stopped on its own no longer holds.
    .set({ ...changes, ...(changes.isActive !== undefined && { disabledReason: null }), updatedAt: new Date() })
    .where(and(eq(webhookEndpoints.companyId, companyId), eq(webhookEndpoints.id, id)))
    .returning()
  if (!row) throw webhookNotFound()
  return row
}

export async function deleteWebhook(db: Db, companyId: number, id: number): Promise<void> {
  const gone = await db
    .delete(webhookEndpoints)
    .where(and(eq(webhookEndpoints.companyId, companyId), eq(webhookEndpoints.id, id)))
    .returning({ id: webhookEndpoints.id })
  if (gone.length === 0) throw webhookNotFound()
}

/** EndpointDO stopping its own deliveries (a 410, days of failures). */
export async function disableEndpointInD1(d1: D1Database, id: number, reason: string): Promise<void> {
  await database(d1)
    .update(webhookEndpoints)
    .set({ isActive: false, disabledReason: reason, updatedAt: new Date() })
    .where(eq(webhookEndpoints.id, id))
}
