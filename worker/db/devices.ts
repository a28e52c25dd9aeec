// Every device query is scoped to the calling company: a device of another company is exactly
// as invisible as one that does not exist. The readers also take the caller's key's devices: a
// company device outside them is `insufficient_scope`, and listings leave it out.
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm'
import type { Db } from './client'
import { devices, type Device } from './schema'
import { ApiError, deviceNotFound } from '../lib/errors'
import { insufficientScope } from '../auth/scopes'
import type { Caller } from '../lib/app-env'
import { cachedSendingDevice, forgetSendingDevices, rememberSendingDevice } from './sending-devices'

/** Whose devices a query may see: a company's, and of those the key's (null: all of them). */
export interface DeviceScope {
  companyId: number
  deviceIds: readonly number[] | null
}

export const scopeOf = (caller: Caller): DeviceScope => ({ companyId: caller.company.id, deviceIds: caller.apiKey.deviceIds })
export const wholeCompany = (companyId: number): DeviceScope => ({ companyId, deviceIds: null })

function allowed(scope: DeviceScope, id: number): void {
  if (scope.deviceIds !== null && !scope.deviceIds.includes(id)) {
    throw insufficientScope([`device:${id}`], `This API key may not use device ${id}`)
  }
}

export function listDevices(db: Db, scope: DeviceScope) {
  const mine = eq(devices.companyId, scope.companyId)
  const where = scope.deviceIds === null ? mine : and(mine, inArray(devices.id, [...scope.deviceIds]))
  return db.select().from(devices).where(where).orderBy(asc(devices.id))
}

export async function findDevice(db: Db, scope: DeviceScope, id: number): Promise<Device> {
  const device = await db
    .select()
    .from(devices)
    .where(and(eq(devices.companyId, scope.companyId), eq(devices.id, id)))
    .get()
  if (!device) throw deviceNotFound()
  allowed(scope, id)
  return device
}

/** The id, when it is one of the company's devices; null for anything else (another company's included). */
export async function ownedDeviceId(db: Db, scope: DeviceScope, id: number | null): Promise<number | null> {
  if (id === null) return null
  const row = await db
    .select({ id: devices.id })
    .from(devices)
    .where(and(eq(devices.companyId, scope.companyId), eq(devices.id, id)))
    .get()
  if (row) allowed(scope, row.id)
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
  return created ? findDevice(db, wholeCompany(companyId), created.id) : null
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
  forgetSendingDevices(companyId)
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
  await findDevice(db, wholeCompany(companyId), id)
  const now = new Date()
  forgetSendingDevices(companyId)
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
  return findDevice(db, wholeCompany(companyId), id)
}

export async function deleteDevice(db: Db, companyId: number, id: number): Promise<Device> {
  forgetSendingDevices(companyId)
  const device = await db
    .delete(devices)
    .where(and(eq(devices.companyId, companyId), eq(devices.id, id)))
    .returning()
    .get()
  if (!device) throw deviceNotFound()
  return device
}

/**
 * The device a send goes through: the one named, or the company default. With `cacheTtlMs`, a
 * hit of this isolate's cache (sending-devices.ts) answers without D1.
 */
export async function sendingDevice(db: Db, scope: DeviceScope, deviceId: number | undefined, cacheTtlMs = 0): Promise<Device> {
  let device = cachedSendingDevice(scope.companyId, deviceId)
  if (!device) {
    device =
      deviceId !== undefined
        ? await findDevice(db, wholeCompany(scope.companyId), deviceId)
        : await db
            .select()
            .from(devices)
            .where(and(eq(devices.companyId, scope.companyId), eq(devices.isDefault, true)))
            .get()
    if (!device) throw new ApiError('device_not_found', 'No device_id given and the company has no default device')
    rememberSendingDevice(scope.companyId, deviceId, device, cacheTtlMs)
  }
  allowed(scope, device.id)
  return device
}

/** The first of `ids` that is not one of the company's devices, or undefined when all are. */
export async function firstForeignDevice(db: Db, companyId: number, ids: readonly number[]): Promise<number | undefined> {
  if (ids.length === 0) return undefined
  // Only the ids asked about are read, not every device of the company.
  const owned = new Set((await listDevices(db, { companyId, deviceIds: ids })).map((d) => d.id))
  return ids.find((id) => !owned.has(id))
}

/** Throws `validation_error` on `field` unless every id is one of the company's devices. */
export async function assertOwnDevices(db: Db, companyId: number, ids: readonly number[] | null | undefined, field: string): Promise<void> {
  const stranger = ids ? await firstForeignDevice(db, companyId, ids) : undefined
  if (stranger === undefined) return
  const message = `device ${stranger} is not one of this company's devices`
  throw new ApiError('validation_error', message, [{ field, message }])
}

/** The company a device belongs to, unscoped: for the device's own Durable Object only. */
export async function ownerOfDevice(db: Db, id: number): Promise<number | null> {
  const row = await db.select({ companyId: devices.companyId }).from(devices).where(eq(devices.id, id)).get()
  return row?.companyId ?? null
}
