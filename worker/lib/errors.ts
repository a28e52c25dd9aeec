// The public error contract: every failure the API reports carries one of these codes, with
// the HTTP status the design's table gives it. Nothing else reaches a client.
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export const ERROR_STATUS = {
  invalid_api_key: 401,
  key_expired: 401,
  unauthorized: 401,
  /** ADMIN_TOKEN is missing or too short to be safe: the admin API stays shut until it is fixed. */
  admin_disabled: 503,
  company_inactive: 403,
  service_type_mismatch: 403,
  /** The key lacks a scope the route needs, or may not use that device: `details.required` says what. */
  insufficient_scope: 403,
  /** The company has as many devices as its `max_devices` allows. */
  device_limit_reached: 403,
  device_not_found: 404,
  company_not_found: 404,
  api_key_not_found: 404,
  node_not_found: 404,
  webhook_not_found: 404,
  /** The company has as many webhook endpoints as it may (10). */
  webhook_limit_reached: 403,
  not_found: 404,
  device_not_ready: 503,
  invalid_phone_number: 422,
  message_too_long: 422,
  validation_error: 422,
  invalid_json: 400,
  media_unavailable: 422,
  idempotency_conflict: 409,
  /** DELETE of a message already handed to WhatsApp (or received): only scheduled and queued ones can be taken back. */
  message_not_cancellable: 409,
  quota_exceeded: 429,
  rate_limited: 429,
  internal_error: 500,
} as const satisfies Record<string, ContentfulStatusCode>

export type ErrorCode = keyof typeof ERROR_STATUS

export interface FieldIssue {
  field: string
  message: string
}

export class ApiError extends Error {
  readonly status: ContentfulStatusCode

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message)
    this.name = 'ApiError'
    this.status = ERROR_STATUS[code]
  }
}

export const deviceNotFound = () => new ApiError('device_not_found', 'Device not found')

/** `Retry-After` in whole seconds (at least 1) for a wait given in milliseconds. */
export const retryAfterHeader = (ms: number) => ({ 'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))) })

/** `rate_limited` 429: the wait is in `details.retry_after_ms` and in `Retry-After`. */
export const rateLimited = (message: string, retryAfterMs: number) =>
  new ApiError('rate_limited', message, { retry_after_ms: retryAfterMs }, retryAfterHeader(retryAfterMs))
