// The D1 control plane. Hot-path state (live session status, message ledgers, quotas) lives in
// Durable Objects; D1 holds what is listed, joined and administered.
import { sql } from 'drizzle-orm'
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { LIVE_STATUSES } from '../../protocol/frames'

const timestamps = {
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
}

export const DEFAULT_MAX_DEVICES = 10

/** The last thing that went wrong with a device: a status reason code, what exactly, and when (epoch ms). */
export interface DeviceLastError {
  code: string
  message: string
  at: number
}

export const companies = sqliteTable('companies', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** Messages a calendar month (UTC); null means unlimited. */
  monthlyQuota: integer('monthly_quota'),
  /** Devices the company may have at once (fair use of the session nodes). */
  maxDevices: integer('max_devices').notNull().default(DEFAULT_MAX_DEVICES),
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  ...timestamps,
})

export const SERVICE_TYPES = ['whatsapp', 'sms', 'email'] as const
export type ServiceType = (typeof SERVICE_TYPES)[number]

/** What an API key may do (auth/scopes.ts maps them to routes). A key without a list may do all. */
export const API_KEY_SCOPES = ['messages:send', 'messages:read', 'devices:read', 'devices:write', 'webhooks:manage', 'keys:manage'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]
/** What a stored key's `scopes` grant: null means every scope. */
export const grantedScopes = (stored: readonly ApiKeyScope[] | null): readonly ApiKeyScope[] => stored ?? API_KEY_SCOPES

export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    companyId: integer('company_id')
      .notNull()
      .references(() => companies.id),
    name: text('name').notNull(),
    serviceType: text('service_type', { enum: SERVICE_TYPES }).notNull(),
    /** The public, non-secret start of the key: the lookup handle and what listings show. */
    prefix: text('prefix').notNull(),
    /** SHA-256 of the whole key, hex. The plaintext is shown once and never stored. */
    keyHash: text('key_hash').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    /** Null: every scope. */
    scopes: text('scopes', { mode: 'json' }).$type<ApiKeyScope[] | null>(),
    /** Null: every device of the company. */
    deviceIds: text('device_ids', { mode: 'json' }).$type<number[] | null>(),
    /** Written at most once a minute per key, after the response (auth/key-usage.ts). */
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    /** The key that created this one through /whatsapp/api-keys; null when the admin API did. */
    createdByKeyId: integer('created_by_key_id'),
    ...timestamps,
  },
  (t) => [uniqueIndex('api_keys_prefix_unique').on(t.prefix), index('api_keys_company_idx').on(t.companyId)],
)

/** The DeviceDO's live statuses, mirrored here: one list for the wire, the table and the API. */
export const DEVICE_STATUSES = LIVE_STATUSES
export type DeviceStatus = (typeof DEVICE_STATUSES)[number]

export const devices = sqliteTable(
  'devices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    companyId: integer('company_id')
      .notNull()
      .references(() => companies.id),
    name: text('name').notNull(),
    /** A mirror of the DeviceDO's live status, for listings. */
    status: text('status', { enum: DEVICE_STATUSES }).notNull().default('pending'),
    phoneNumber: text('phone_number'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    isDefault: integer('is_default', { mode: 'boolean' }).notNull().default(false),
    /** Pause between two bulk messages of this device (ms); null is the default pacing. */
    sendIntervalMs: integer('send_interval_ms'),
    /** Mirrors of DeviceDO's health (device/health.ts): why it is down, and since when it was linked or seen. */
    statusReason: text('status_reason'),
    lastError: text('last_error', { mode: 'json' }).$type<DeviceLastError | null>(),
    linkedAt: integer('linked_at', { mode: 'timestamp_ms' }),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }),
    ...timestamps,
  },
  (t) => [
    index('devices_company_idx').on(t.companyId),
    // The database itself guarantees at most one default device per company.
    uniqueIndex('devices_one_default_per_company')
      .on(t.companyId)
      .where(sql`${t.isDefault} = 1`),
  ],
)

export const DEFAULT_NODE_MAX_CAPACITY = 1000

export const sessionNodes = sqliteTable(
  'session_nodes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    tokenPrefix: text('token_prefix').notNull(),
    tokenHash: text('token_hash').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    /** The most devices the fleet gives this node, whatever capacity it declares. */
    maxCapacity: integer('max_capacity').notNull().default(DEFAULT_NODE_MAX_CAPACITY),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }),
    ...timestamps,
  },
  (t) => [uniqueIndex('session_nodes_token_prefix_unique').on(t.tokenPrefix)],
)

/**
 * A company's webhook endpoints: where its events are delivered. The signing secret is not here:
 * it lives only in the endpoint's Durable Object (EndpointDO), which signs.
 */
export const webhookEndpoints = sqliteTable(
  'webhook_endpoints',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    companyId: integer('company_id')
      .notNull()
      .references(() => companies.id),
    url: text('url').notNull(),
    description: text('description'),
    /** Event type names, or ["*"] for all. */
    eventTypes: text('event_types', { mode: 'json' }).$type<string[]>().notNull(),
    /** Only events of these devices; null for every device of the company. */
    deviceIds: text('device_ids', { mode: 'json' }).$type<number[] | null>(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    /** Why deliveries stopped on their own (a 410, days of failures); null when the company chose. */
    disabledReason: text('disabled_reason'),
    ...timestamps,
  },
  (t) => [index('webhook_endpoints_company_idx').on(t.companyId)],
)

export type Company = typeof companies.$inferSelect
export type ApiKey = typeof apiKeys.$inferSelect
export type Device = typeof devices.$inferSelect
export type SessionNode = typeof sessionNodes.$inferSelect
export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect

/**
 * Dashboard sign-ins (worker/dash/sessions.ts): the cookie holds a random token, this table its
 * SHA-256. A company session came from an API key (its prefix: the key must stay valid) or from
 * a one-time login link; an operator session has no company.
 */
export const dashboardSessions = sqliteTable('dashboard_sessions', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  tokenHash: text('token_hash').notNull().unique(),
  companyId: integer('company_id').references(() => companies.id),
  apiKeyPrefix: text('api_key_prefix'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
})

/** One-time dashboard login links the admin API issues (15 minutes, single use; only the hash is kept). */
export const loginLinks = sqliteTable('login_links', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  tokenHash: text('token_hash').notNull().unique(),
  companyId: integer('company_id')
    .notNull()
    .references(() => companies.id),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  usedAt: integer('used_at', { mode: 'timestamp_ms' }),
})
