import { createRoute, z } from '@hono/zod-openapi'
import { scoped } from '../../auth/scopes'
import { envelopeOf } from '../../lib/envelope'
import { PUBLIC_AUTH_ERRORS, errorResponses, jsonBody, jsonContent } from '../../lib/openapi-helpers'

/** Numbers one check may ask about. */
export const MAX_CHECKED_NUMBERS = 50

export const CheckNumbersSchema = z
  .object({
    phone_numbers: z
      .array(z.string().max(32))
      .min(1)
      .max(MAX_CHECKED_NUMBERS)
      .openapi({ example: ['+22370123456', '+22370120000'] }),
    device_id: z
      .number()
      .int()
      .positive()
      .nullish()
      .openapi({ description: "The device that asks WhatsApp; the company's default when omitted" }),
  })
  .strict()
  .openapi('CheckNumbers', { example: { phone_numbers: ['+22370123456', '+22370120000'] } })

export const CheckedNumberSchema = z
  .object({
    phone_number: z.string().openapi({ description: 'E.164', example: '+22370123456' }),
    on_whatsapp: z.boolean(),
    chat_id: z
      .string()
      .nullable()
      .openapi({ description: 'The JID to write to (it can differ from the number: Brazil’s extra 9); null when not on WhatsApp' }),
  })
  .openapi('CheckedNumber')

export const checkNumbers = createRoute({
  operationId: 'checkContacts',
  method: 'post',
  path: '/contacts/check',
  tags: ['Contacts'],
  ...scoped('messages:send'),
  summary: 'Which of these numbers have WhatsApp (up to 50; not charged to the quota, rate limited per key)',
  request: { body: jsonBody(CheckNumbersSchema) },
  responses: {
    200: jsonContent(envelopeOf(z.array(CheckedNumberSchema)), 'One answer per number, in the order asked'),
    ...errorResponses(
      ...PUBLIC_AUTH_ERRORS,
      'invalid_json',
      'invalid_phone_number',
      'device_not_found',
      'device_not_ready',
      'rate_limited',
    ),
  },
})
