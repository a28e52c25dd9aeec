import { z } from '@hono/zod-openapi'
import { STATUS_REASONS } from '../../../protocol/status-reasons'
import { healthView } from '../../durable-objects/device/health-view'
import { DEVICE_STATUSES, type Device } from '../../db/schema'
import { isoTimestamp } from '../../lib/openapi-helpers'
import { iso } from '../../lib/time'

export const DeviceStatusSchema = z.enum(DEVICE_STATUSES).openapi('DeviceStatus')

/** Why a device is down and since when (the codes: protocol/status-reasons.ts, docs/decisions.md). */
const healthFields = {
  status_reason: z
    .enum(STATUS_REASONS)
    .nullable()
    .openapi({ description: 'Why the device is not linked and sending now; null when nothing is wrong', example: 'cannot_reach_whatsapp' }),
  last_error: z
    .object({ code: z.enum(STATUS_REASONS), message: z.string(), at: isoTimestamp })
    .nullable()
    .openapi({ description: 'The last thing that went wrong (kept after the device recovered)' }),
  linked_at: isoTimestamp.nullable().openapi({ description: 'Since when the current link to the phone exists' }),
  last_seen_at: isoTimestamp.nullable().openapi({ description: 'When the device was last authenticated (now, while it is)' }),
}

export const DeviceSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    status: DeviceStatusSchema,
    phone_number: z.string().nullable().openapi({ example: '+22370123456' }),
    is_active: z.boolean(),
    is_default: z.boolean(),
    send_interval_ms: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'Pause between two bulk messages (ms); null is the default (1500 ± 25 %)' }),
    ...healthFields,
    created_at: isoTimestamp,
    updated_at: isoTimestamp,
  })
  .openapi('Device')

export const DeviceStatusViewSchema = z
  .object({ device_id: z.number().int(), status: DeviceStatusSchema, phone_number: z.string().nullable(), ...healthFields })
  .openapi('DeviceStatusView')

export const DeviceQrSchema = z
  .object({
    device_id: z.number().int(),
    qr_code: z.string().nullable().openapi({ description: 'The raw QR string; null once linked or while none is shown' }),
    qr_image: z.string().nullable().openapi({ description: 'The QR as a PNG data URL', example: 'data:image/png;base64,iVBORw0…' }),
    device_status: DeviceStatusSchema,
    expires_at: isoTimestamp.nullable(),
  })
  .openapi('DeviceQr')

export const PairingCodeRequestSchema = z
  .object({
    phone_number: z
      .string()
      .min(1)
      .openapi({ example: '+22370123456', description: 'The number of the phone to link, in international format' }),
  })
  .openapi('PairingCodeRequest', { example: { phone_number: '+22370123456' } })

export const PairingCodeSchema = z
  .object({ device_id: z.number().int(), phone_number: z.string(), pairing_code: z.string().openapi({ example: 'ABCD1234' }) })
  .openapi('PairingCode')

export const CreateDeviceSchema = z
  .object({ name: z.string().trim().min(1).max(100) })
  .openapi('CreateDevice', { example: { name: 'Sales phone' } })

export const UpdateDeviceSchema = z
  .object({
    name: z.string().trim().min(1).max(100).optional(),
    is_active: z.boolean().optional().openapi({ description: 'false pauses the session, true resumes it' }),
    send_interval_ms: z.number().int().min(0).max(600_000).nullable().optional().openapi({
      description: 'Pause between two bulk messages of this device (ms); null restores the default',
    }),
  })
  .refine(
    (body) => body.name !== undefined || body.is_active !== undefined || body.send_interval_ms !== undefined,
    'name, is_active or send_interval_ms is required',
  )
  .openapi('UpdateDevice')

export const DeletedDeviceSchema = z.object({ id: z.number().int(), deleted: z.literal(true) }).openapi('DeletedDevice')

export const toDeviceJson = (d: Device): z.infer<typeof DeviceSchema> => ({
  id: d.id,
  name: d.name,
  status: d.status,
  phone_number: d.phoneNumber,
  is_active: d.isActive,
  is_default: d.isDefault,
  send_interval_ms: d.sendIntervalMs,
  ...healthView(
    {
      status: d.status,
      status_reason: d.statusReason,
      last_error: d.lastError,
      linked_at: d.linkedAt?.getTime() ?? null,
      last_seen_at: d.lastSeenAt?.getTime() ?? null,
    },
    Date.now(),
  ),
  created_at: iso(d.createdAt)!,
  updated_at: iso(d.updatedAt)!,
})

export const GroupSchema = z
  .object({
    id: z.string().openapi({ description: 'The group id: send to it with is_group: true', example: '120363012345678901@g.us' }),
    subject: z.string(),
    size: z.number().int().openapi({ description: 'Members' }),
    is_admin: z.boolean().openapi({ description: "The device's account administers the group" }),
    created_at: isoTimestamp.nullable(),
  })
  .openapi('Group')
