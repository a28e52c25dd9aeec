// Shared pieces of route declarations, so every route documents its parameters and its errors
// the same way.
import { z } from '@hono/zod-openapi'
import { ErrorEnvelopeSchema } from './envelope'
import { ERROR_STATUS, type ErrorCode } from './errors'

export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
})

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
})

/** A positive integer path id; anything else is a `validation_error`. */
export const IdParamSchema = z.object({
  id: z.coerce
    .number({ error: 'must be an integer' })
    .int('must be an integer')
    .positive('must be positive')
    .max(Number.MAX_SAFE_INTEGER)
    .openapi({ param: { name: 'id', in: 'path' }, type: 'integer', example: 1 }),
})

const ALWAYS: ErrorCode[] = ['validation_error', 'internal_error']

/** OpenAPI `responses` entries for the listed codes, grouped by HTTP status. */
export function errorResponses(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>()
  for (const code of [...codes, ...ALWAYS]) {
    const status = ERROR_STATUS[code]
    const list = byStatus.get(status) ?? []
    if (!list.includes(code)) list.push(code)
    byStatus.set(status, list)
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [status, jsonContent(ErrorEnvelopeSchema, list.map((c) => `\`${c}\``).join(', '))]),
  )
}

export const PUBLIC_AUTH_ERRORS: ErrorCode[] = [
  'invalid_api_key',
  'key_expired',
  'company_inactive',
  'service_type_mismatch',
  'insufficient_scope',
]
export const ADMIN_AUTH_ERRORS: ErrorCode[] = ['unauthorized', 'admin_disabled']

export const isoTimestamp = z.string().openapi({ format: 'date-time', example: '2026-11-29T10:00:00.000Z' })

/** A PATCH body: unknown fields are refused, and at least one field must be given. */
export const patchBody = <T extends z.ZodRawShape>(schema: z.ZodObject<T>) =>
  schema.strict().refine((body) => Object.keys(body).length > 0, 'at least one field is required')
