import { asc, eq } from 'drizzle-orm'
import { forgetCachedKeys } from '../../../auth/api-key-cache'
import { database, type Db } from '../../../db/client'
import { companies, devices } from '../../../db/schema'
import { deviceOf } from '../../../durable-objects/stubs'
import type { AppRouteHandler } from '../../../lib/app-env'
import { ok } from '../../../lib/envelope'
import { ApiError } from '../../../lib/errors'
import type { createCompany, getCompany, listCompanies, updateCompany } from './companies.routes'
import { toCompanyJson } from './companies.schemas'

export async function findCompany(db: Db, id: number) {
  const company = await db.select().from(companies).where(eq(companies.id, id)).get()
  if (!company) throw new ApiError('company_not_found', 'Company not found')
  return company
}

export const create: AppRouteHandler<typeof createCompany> = async (c) => {
  const body = c.req.valid('json')
  const now = new Date()
  const company = await database(c.env.DB)
    .insert(companies)
    .values({
      name: body.name,
      monthlyQuota: body.monthly_quota ?? null,
      ...(body.max_devices !== undefined && { maxDevices: body.max_devices }),
      isActive: body.is_active ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get()
  return c.json(ok(toCompanyJson(company)), 201)
}

export const list: AppRouteHandler<typeof listCompanies> = async (c) => {
  const rows = await database(c.env.DB).select().from(companies).orderBy(asc(companies.id))
  return c.json(ok(rows.map(toCompanyJson)), 200)
}

export const get: AppRouteHandler<typeof getCompany> = async (c) => {
  const company = await findCompany(database(c.env.DB), c.req.valid('param').id)
  return c.json(ok(toCompanyJson(company)), 200)
}

export const update: AppRouteHandler<typeof updateCompany> = async (c) => {
  const { id } = c.req.valid('param')
  const body = c.req.valid('json')
  const db = database(c.env.DB)
  await findCompany(db, id)
  const company = await db
    .update(companies)
    .set({
      ...(body.name !== undefined && { name: body.name }),
      ...(body.monthly_quota !== undefined && { monthlyQuota: body.monthly_quota }),
      ...(body.max_devices !== undefined && { maxDevices: body.max_devices }),
      ...(body.is_active !== undefined && { isActive: body.is_active }),
      updatedAt: new Date(),
    })
    .where(eq(companies.id, id))
    .returning()
    .get()
  forgetCachedKeys()
  // Keys in other isolates stay cached a moment longer: the devices themselves stop sending now.
  if (body.is_active !== undefined) {
    const active = body.is_active
    const owned = await db.select({ id: devices.id }).from(devices).where(eq(devices.companyId, id))
    await Promise.all(owned.map((device) => deviceOf(c.env, device.id).setCompanyActive(active)))
  }
  return c.json(ok(toCompanyJson(company)), 200)
}
