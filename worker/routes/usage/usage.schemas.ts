import { z } from '@hono/zod-openapi'

const day = z.iso.date({ error: 'must be a date, YYYY-MM-DD' })

/** The longest range one request may ask for. */
export const MAX_USAGE_DAYS = 366

export const UsageQuerySchema = z.object({
  from: day.optional().openapi({ description: 'First UTC day (inclusive); default: 29 days before `to`', example: '2026-12-01' }),
  to: day.optional().openapi({ description: 'Last UTC day (inclusive); default: today', example: '2026-12-31' }),
  device_id: z.coerce.number().int().positive().optional(),
})

const counts = {
  sent: z.number().int(),
  delivered: z.number().int(),
  read: z.number().int(),
  failed: z.number().int(),
  received: z.number().int(),
}

export const UsageSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    device_id: z.number().int().nullable().openapi({ description: 'The one device counted; null is every device of the company' }),
    days: z.array(z.object({ date: z.string().openapi({ example: '2026-12-01' }), ...counts })).openapi({
      description: 'Every day of the range, oldest first (days with nothing are zeros)',
    }),
    totals: z.object(counts),
  })
  .openapi('Usage')
