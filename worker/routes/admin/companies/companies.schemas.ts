import { z } from '@hono/zod-openapi'
import type { Company } from '../../../db/schema'
import { isoTimestamp, patchBody } from '../../../lib/openapi-helpers'
import { iso } from '../../../lib/time'

const monthlyQuota = z.number().int().min(0).max(1_000_000_000).nullable()

export const CompanySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    monthly_quota: monthlyQuota.openapi({ description: 'Messages per calendar month (UTC); null is unlimited' }),
    is_active: z.boolean(),
    created_at: isoTimestamp,
    updated_at: isoTimestamp,
  })
  .openapi('Company')

export const CreateCompanySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    monthly_quota: monthlyQuota.optional(),
    is_active: z.boolean().optional(),
  })
  .strict()

export const UpdateCompanySchema = patchBody(CreateCompanySchema.partial())

export const toCompanyJson = (c: Company): z.infer<typeof CompanySchema> => ({
  id: c.id,
  name: c.name,
  monthly_quota: c.monthlyQuota,
  is_active: c.isActive,
  created_at: iso(c.createdAt)!,
  updated_at: iso(c.updatedAt)!,
})
