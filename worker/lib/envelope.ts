// The response envelope of the public contract: {success, data} or {success:false, error}.
import { z } from '@hono/zod-openapi'
import type { ErrorCode } from './errors'

export const ok = <T>(data: T) => ({ success: true as const, data })

export const errorBody = (code: ErrorCode, message: string, details?: unknown) => ({
  success: false as const,
  error: details === undefined ? { code, message } : { code, message, details },
})

/** `{success: true, data: <schema>}`, for route response declarations. */
export const envelopeOf = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data })

export const ErrorEnvelopeSchema = z
  .object({
    success: z.literal(false),
    error: z.object({
      code: z.string().openapi({ example: 'validation_error' }),
      message: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error')
