// Why a device is not linked and sending: one code per cause, told to clients as `status_reason`
// (and kept with its detail as `last_error`). Session nodes report the first group in their
// `status` frames; DeviceDO sets the second itself.
export const NODE_STATUS_REASONS = [
  'cannot_reach_whatsapp',
  'logged_out',
  'qr_expired',
  'replaced_elsewhere',
  'refused_by_whatsapp',
  'session_error',
] as const
export type NodeStatusReason = (typeof NODE_STATUS_REASONS)[number]

export const STATUS_REASONS = [...NODE_STATUS_REASONS, 'paused', 'no_node_available', 'node_unreachable', 'moving_node'] as const
export type StatusReason = (typeof STATUS_REASONS)[number]

export const isStatusReason = (value: string): value is StatusReason => (STATUS_REASONS as readonly string[]).includes(value)

/** What each code means, in the words a client shows (the default `last_error.message`). */
export const STATUS_REASON_TEXT: Record<StatusReason, string> = {
  cannot_reach_whatsapp: 'The session node cannot reach WhatsApp; it keeps retrying',
  logged_out: 'The device was unlinked from the phone; link it again with a new QR code',
  qr_expired: 'The QR code expired before it was scanned; a new one follows',
  replaced_elsewhere: 'Another WhatsApp Web session took over this device; link it again',
  refused_by_whatsapp: 'WhatsApp refused this account (it may be restricted)',
  session_error: 'The session could not start on its node',
  paused: 'The device is paused (is_active: false)',
  no_node_available: 'No session node has room for this device now; it is placed as soon as one has',
  node_unreachable: 'The session node holding this device is unreachable; the device moves if it stays away',
  moving_node: 'The device is moving to another session node; no new QR code is needed',
}
