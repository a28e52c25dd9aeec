import { z } from '@hono/zod-openapi'
import { API_KEY_SCOPES, SERVICE_TYPES, grantedScopes, type ApiKey } from '../../../db/schema'
import { isoTimestamp, patchBody } from '../../../lib/openapi-helpers'
import { iso } from '../../../lib/time'

const expiresAt = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' })

export const ScopeSchema = z.enum(API_KEY_SCOPES).openapi('ApiKeyScope')
/** A new key's scopes and devices: omitted (or null), everything. At most 50 devices, like a webhook's:
 * a device query binds each id, and D1 takes 100 parameters a statement. */
export const grants = {
  scopes: z.array(ScopeSchema).min(1).max(API_KEY_SCOPES.length).nullable().optional().openapi({
    description: "What the key may do; omitted: every scope (a key created by a key: that key's scopes)",
  }),
  device_ids: z.array(z.number().int().positive()).min(1).max(50).nullable().optional().openapi({
    description: "The only devices it may use; omitted: all of the company's (a key created by a key: that key's devices)",
  }),
}

export const ApiKeySchema = z
  .object({
    id: z.number().int(),
    company_id: z.number().int(),
    name: z.string(),
    service_type: z.enum(SERVICE_TYPES),
    prefix: z.string().openapi({ description: 'The public start of the key, to recognise it', example: 'wak_Ab12Cd34' }),
    is_active: z.boolean(),
    expires_at: isoTimestamp.nullable(),
    revoked_at: isoTimestamp.nullable(),
    scopes: z.array(ScopeSchema).openapi({ description: 'What the key may do' }),
    device_ids: z.array(z.number().int()).nullable().openapi({ description: 'The only devices it may use; null is all' }),
    last_used_at: isoTimestamp.nullable().openapi({ description: 'The last request made with it (to the minute)' }),
    created_at: isoTimestamp,
    updated_at: isoTimestamp,
  })
  .openapi('ApiKey')

export const IssuedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'The whole key. Shown once: store it now.' }),
}).openapi('IssuedApiKey')

export const CreateApiKeySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    service_type: z.enum(SERVICE_TYPES),
    expires_at: expiresAt
      .refine((value) => Date.parse(value) > Date.now(), 'must be in the future')
      .nullable()
      .optional(),
    ...grants,
  })
  .strict()

export const UpdateApiKeySchema = patchBody(
  z.object({
    is_active: z.boolean().optional(),
    // A past date is allowed here: it expires the key at once.
    expires_at: expiresAt.nullable().optional(),
  }),
)

export const toApiKeyJson = (k: ApiKey): z.infer<typeof ApiKeySchema> => ({
  id: k.id,
  company_id: k.companyId,
  name: k.name,
  service_type: k.serviceType,
  prefix: k.prefix,
  is_active: k.isActive && k.revokedAt === null,
  expires_at: iso(k.expiresAt),
  revoked_at: iso(k.revokedAt),
  scopes: [...grantedScopes(k.scopes)],
  device_ids: k.deviceIds,
  last_used_at: iso(k.lastUsedAt),
  created_at: iso(k.createdAt)!,
  updated_at: iso(k.updatedAt)!,
})
