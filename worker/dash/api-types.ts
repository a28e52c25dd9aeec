// The API's answers as their readers see them (the dashboard, and the tests through
// test/support/api-types.ts): the route schemas' own types.
import type { z } from '@hono/zod-openapi'
import type { DeviceSchema, DeviceStatusViewSchema, PairingCodeSchema } from '../routes/devices/devices.schemas'
import type {
  BatchListSchema,
  BatchSchema,
  MessageListSchema,
  MessageSchema,
  QuotaSchema,
  SendResultSchema,
} from '../routes/messages/messages.schemas'
import type { UsageSchema } from '../routes/usage/usage.schemas'
import type { ApiKeySchema, IssuedApiKeySchema } from '../routes/admin/api-keys/api-keys.schemas'
import type {
  CreatedWebhookSchema,
  DeliveryDetailSchema,
  DeliveryListSchema,
  WebhookSchema,
  RotatedSecretSchema,
} from '../routes/webhooks/webhooks.schemas'
import type { CompanySchema } from '../routes/admin/companies/companies.schemas'
import type { SessionNodeSchema } from '../routes/admin/nodes/nodes.schemas'

export type Device = z.infer<typeof DeviceSchema>
export type DeviceStatusView = z.infer<typeof DeviceStatusViewSchema>
export type PairingCode = z.infer<typeof PairingCodeSchema>
export type Message = z.infer<typeof MessageSchema>
export type MessageList = z.infer<typeof MessageListSchema>
export type SendResult = z.infer<typeof SendResultSchema>
export type Batch = z.infer<typeof BatchSchema>
export type BatchList = z.infer<typeof BatchListSchema>
export type Quota = z.infer<typeof QuotaSchema>
export type Usage = z.infer<typeof UsageSchema>
export type ApiKey = z.infer<typeof ApiKeySchema>
export type IssuedApiKey = z.infer<typeof IssuedApiKeySchema>

export type Webhook = z.infer<typeof WebhookSchema>
export type CreatedWebhook = z.infer<typeof CreatedWebhookSchema>
export type RotatedSecret = z.infer<typeof RotatedSecretSchema>
export type DeliveryList = z.infer<typeof DeliveryListSchema>
export type DeliveryDetail = z.infer<typeof DeliveryDetailSchema>
export type Company = z.infer<typeof CompanySchema>
export type SessionNode = z.infer<typeof SessionNodeSchema>
