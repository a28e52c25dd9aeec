import { z } from '@hono/zod-openapi'
import { DEFAULT_MAX_DEVICES, type Company } from '../../../db/schema'
import { isoTimestamp, patchBody } from '../../../lib/openapi-helpers'
import { iso } from '../../../lib/time'

const monthlyQuota = z.number().int().min(0).max(1_000_000_000).nullable()
const maxDevices = z.number().int().min(0).max(10_000)

export const CompanySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    monthly_quota: monthlyQuota.openapi({ description: 'Messages per calendar month (UTC); null is unlimited' }),
    max_devices: maxDevices.openapi({ description: `Devices the company may have at once (default ${DEFAULT_MAX_DEVICES})` }),
    is_active: z.boolean(),
    created_at: isoTimestamp,
    updated_at: isoTimestamp,
  })
  .openapi('Company')

export const CreateCompanySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    monthly_quota: monthlyQuota.optional(),
    max_devices: maxDevices.optional(),
    is_active: z.boolean().optional(),
  })
  .strict()

export const UpdateCompanySchema = patchBody(CreateCompanySchema.partial())

export const toCompanyJson = (c: Company): z.infer<typeof CompanySchema> => ({
  id: c.id,
  name: c.name,
  monthly_quota: c.monthlyQuota,
  max_devices: c.maxDevices,
  is_active: c.isActive,
  created_at: iso(c.createdAt)!,
  updated_at: iso(c.updatedAt)!,
})
