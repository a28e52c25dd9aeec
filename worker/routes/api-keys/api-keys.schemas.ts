import { z } from '@hono/zod-openapi'
import { grants } from '../admin/api-keys/api-keys.schemas'

export const OwnApiKeyBodySchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    expires_at: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 date-time' })
      .refine((value) => Date.parse(value) > Date.now(), 'must be in the future')
      .nullable()
      .optional()
      .openapi({ description: "Omitted: the creating key's own expiry (none if it has none)" }),
    ...grants,
  })
  .strict()
  .openapi('NewApiKey', { example: { name: 'reporting job', scopes: ['messages:read'] } })
