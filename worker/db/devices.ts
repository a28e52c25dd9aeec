// Every device query is scoped to the calling company: a device of another company is exactly
// as invisible as one that does not exist.
import { and, asc, eq, ne, sql } from 'drizzle-orm'
import type { Db } from './client'
import { devices, type Device } from './schema'
import { ApiError, deviceNotFound } from '../lib/errors'

export function listDevices(db: Db, companyId: number) {
  return db.select().from(devices).where(eq(devices.companyId, companyId)).orderBy(asc(devices.id))
}

export async function findDevice(db: Db, companyId: number, id: number): Promise<Device> {
  const device = await db
    .select()
    .from(devices)
    .where(and(eq(devices.companyId, companyId), eq(devices.id, id)))
    .get()
  if (!device) throw deviceNotFound()
  return device
}

/** The id, when it is one of the company's devices; null for anything else (another company's included). */
export async function ownedDeviceId(db: Db, companyId: number, id: number | null): Promise<number | null> {
  if (id === null) return null
  const row = await db
    .select({ id: devices.id })
    .from(devices)
    .where(and(eq(devices.companyId, companyId), eq(devices.id, id)))
    .get()
  return row?.id ?? null
}

/**
 * A new device, or null when the company already has its `max_devices`. Both rules are decided
 * in the one INSERT, so racing creates can neither pass the limit nor both become the default
 * (a company's first device is its default).
 */
export async function createDevice(db: Db, companyId: number, name: string): Promise<Device | null> {
  const now = Date.now()
  const created = await db.get<{ id: number } | undefined>(sql`
    INSERT INTO devices (company_id, name, is_default, created_at, updated_at)
    SELECT ${companyId}, ${name}, NOT EXISTS (SELECT 1 FROM devices WHERE company_id = ${companyId} AND is_default = 1), ${now}, ${now}
    WHERE (SELECT COUNT(*) FROM devices WHERE company_id = ${companyId}) < (SELECT max_devices FROM companies WHERE id = ${companyId})
    RETURNING id`)
  return created ? findDevice(db, companyId, created.id) : null
}

/** How many devices the company has, and may have. */
export async function deviceAllowance(db: Db, companyId: number): Promise<{ devices: number; maxDevices: number }> {
  return db.get<{ devices: number; maxDevices: number }>(sql`
    SELECT (SELECT COUNT(*) FROM devices WHERE company_id = ${companyId}) AS devices, max_devices AS maxDevices
    FROM companies WHERE id = ${companyId}`)
}

export async function updateDevice(
  db: Db,
  companyId: number,
  id: number,
  changes: { name?: string; isActive?: boolean; sendIntervalMs?: number | null },
): Promise<Device> {
  const device = await db
    .update(devices)
    .set({ ...changes, updatedAt: new Date() })
    .where(and(eq(devices.companyId, companyId), eq(devices.id, id)))
    .returning()
    .get()
  if (!device) throw deviceNotFound()
  return device
}

/** Moves the company's default to `id` atomically (a D1 batch is one transaction). */
export async function setDefaultDevice(db: Db, companyId: number, id: number): Promise<Device> {
  await findDevice(db, companyId, id)
  const now = new Date()
  await db.batch([
    db
      .update(devices)
      .set({ isDefault: false, updatedAt: now })
      .where(and(eq(devices.companyId, companyId), eq(devices.isDefault, true), ne(devices.id, id))),
    db
      .update(devices)
      .set({ isDefault: true, updatedAt: now })
      .where(and(eq(devices.companyId, companyId), eq(devices.id, id))),
  ])
  return findDevice(db, companyId, id)
}

export async function deleteDevice(db: Db, companyId: number, id: number): Promise<Device> {
  const device = await db
    .delete(devices)
    .where(and(eq(devices.companyId, companyId), eq(devices.id, id)))
    .returning()
    .get()
  if (!device) throw deviceNotFound()
  return device
}

/** The device a send goes through: the one named, or the company default. */
export async function sendingDevice(db: Db, companyId: number, deviceId: number | undefined): Promise<Device> {
  if (deviceId !== undefined) return findDevice(db, companyId, deviceId)
  const device = await db
    .select()
    .from(devices)
    .where(and(eq(devices.companyId, companyId), eq(devices.isDefault, true)))
    .get()
  if (!device) throw new ApiError('device_not_found', 'No device_id given and the company has no default device')
  return device
}

/** The company a device belongs to, unscoped: for the device's own Durable Object only. */
export async function ownerOfDevice(db: Db, id: number): Promise<number | null> {
  const row = await db.select({ companyId: devices.companyId }).from(devices).where(eq(devices.id, id)).get()
  return row?.companyId ?? null
}
