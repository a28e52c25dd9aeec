// What each route answers, as tests read it: the `data` type of a success, derived from the
// route schemas themselves, keyed by method and path. A path written inline as a template
// (`/devices/${id}/status`) is matched by its shape, so most calls need no annotation at all.
import type { z } from '@hono/zod-openapi'
import type { ApiKeySchema, IssuedApiKeySchema } from '../../worker/routes/admin/api-keys/api-keys.schemas'
import type { IssuedSessionNodeSchema, UpdatedSessionNodeSchema } from '../../worker/routes/admin/nodes/nodes.schemas'
import type {
  DeletedDeviceSchema,
  DeviceQrSchema,
  DeviceStatusViewSchema,
  PairingCodeSchema,
} from '../../worker/routes/devices/devices.schemas'
import type {
  BatchListSchema,
  BatchSchema,
  BulkResultSchema,
  MessageListSchema,
  QuotaSchema,
  SendResultSchema,
} from '../../worker/routes/messages/messages.schemas'
import type { UsageSchema } from '../../worker/routes/usage/usage.schemas'
import type { EventPageSchema } from '../../worker/routes/events/events.schemas'
import type {
  CreatedWebhookSchema,
  DeliveryDetailSchema,
  DeliveryListSchema,
  DeliverySchema,
  ReplayResultSchema,
  RotatedSecretSchema,
  TestResultSchema,
} from '../../worker/routes/webhooks/webhooks.schemas'

import type { Company, Device, Message, SessionNode, Webhook } from '../../worker/dash/api-types'

export type { Company, Device, Message, SessionNode, Webhook } from '../../worker/dash/api-types'
export type EventPage = z.infer<typeof EventPageSchema>

/** `details` of a failure: field issues (validation, bulk items) or facts about it (`message_id`, `outcome`, …). */
export type ErrorDetails = Array<{ field: string; message: string; index?: number; code?: string }> & { [fact: string]: unknown }

/** The error envelope's `error`. */
export interface ErrorBody {
  code: string
  message: string
  details: ErrorDetails
}

/**
 * A reply's body. `data` is there on success and `error` on failure; the other side is
 * undefined at run time, so a test asserts the status (or `success`) before reading it.
 */
export interface Body<D> {
  success: boolean
  data: D
  error: ErrorBody
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

type Id = string | number

/** The `data` of a public route (`/api/whatsapp…`); unknown for a path it cannot match. */
export type PublicData<M extends string, P extends string> = M extends 'GET'
  ? P extends '/devices'
    ? Device[]
    : P extends `/devices/${Id}/groups`
      ? Array<{ id: string; subject: string; size: number; is_admin: boolean; created_at: string | null }>
      : P extends `/devices/${Id}/status`
        ? z.infer<typeof DeviceStatusViewSchema>
        : P extends `/devices/${Id}/qr`
          ? z.infer<typeof DeviceQrSchema>
          : P extends `/devices/${Id}`
            ? Device
            : P extends `/messages/${string}`
              ? Message
              : P extends `/messages${string}`
                ? z.infer<typeof MessageListSchema>
                : P extends `/batches/${string}`
                  ? z.infer<typeof BatchSchema>
                  : P extends `/batches${string}`
                    ? z.infer<typeof BatchListSchema>
                    : P extends `/usage${string}`
                      ? z.infer<typeof UsageSchema>
                      : P extends '/quota'
                        ? z.infer<typeof QuotaSchema>
                        : P extends '/api-keys'
                          ? z.infer<typeof ApiKeySchema>[]
                          : EventsData<M, P>
  : M extends 'POST'
    ? P extends '/devices'
      ? Device
      : P extends `/devices/${Id}/set-default`
        ? Device
        : P extends `/devices/${Id}/pairing-code`
          ? z.infer<typeof PairingCodeSchema>
          : P extends '/send'
            ? z.infer<typeof SendResultSchema>
            : P extends '/send-bulk'
              ? z.infer<typeof BulkResultSchema>
              : P extends '/api-keys'
                ? z.infer<typeof IssuedApiKeySchema>
                : EventsData<M, P>
    : M extends 'PUT' | 'PATCH'
      ? P extends `/webhooks/${Id}`
        ? Webhook
        : Device
      : M extends 'DELETE'
        ? P extends `/messages/${string}`
          ? Message
          : P extends `/api-keys/${Id}`
            ? z.infer<typeof ApiKeySchema>
            : z.infer<typeof DeletedDeviceSchema>
        : unknown

/** The `data` of an admin route (`/api/admin…`). */
export type AdminData<M extends string, P extends string> = P extends `/companies/${Id}/api-keys`
  ? M extends 'POST'
    ? z.infer<typeof IssuedApiKeySchema>
    : z.infer<typeof ApiKeySchema>[]
  : P extends `/api-keys/${Id}`
    ? z.infer<typeof ApiKeySchema>
    : P extends '/companies'
      ? M extends 'POST'
        ? Company
        : Company[]
      : P extends `/companies/${Id}`
        ? Company
        : P extends '/nodes'
          ? M extends 'POST'
            ? z.infer<typeof IssuedSessionNodeSchema>
            : SessionNode[]
          : P extends `/nodes/${Id}`
            ? z.infer<typeof UpdatedSessionNodeSchema>
            : unknown

/** The `data` of the events and webhook routes. */
type EventsData<M extends string, P extends string> = M extends 'GET'
  ? P extends `/events${string}`
    ? EventPage
    : P extends `/webhooks/${Id}/deliveries/${string}`
      ? z.infer<typeof DeliveryDetailSchema>
      : P extends `/webhooks/${Id}/deliveries${string}`
        ? z.infer<typeof DeliveryListSchema>
        : P extends `/webhooks/${Id}`
          ? Webhook
          : P extends '/webhooks'
            ? Webhook[]
            : unknown
  : P extends '/webhooks'
    ? z.infer<typeof CreatedWebhookSchema>
    : P extends `/messages/${string}/read`
      ? Message
      : P extends `/webhooks/${Id}/deliveries/${string}/retry`
        ? z.infer<typeof DeliverySchema>
        : P extends `/webhooks/${Id}/rotate-secret`
          ? z.infer<typeof RotatedSecretSchema>
          : P extends `/webhooks/${Id}/test`
            ? z.infer<typeof TestResultSchema>
            : P extends `/webhooks/${Id}/replay`
              ? z.infer<typeof ReplayResultSchema>
              : P extends `/sandbox/devices/${Id}/inbound`
                ? { wa_message_id: string }
                : P extends '/contacts/check'
                  ? Array<{ phone_number: string; on_whatsapp: boolean; chat_id: string | null }>
                  : unknown
