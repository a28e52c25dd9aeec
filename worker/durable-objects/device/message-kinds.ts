// The statuses and types of a ledger message: shared by the ledger, the API schemas and the
// tests, so this module depends on nothing of the runtime.
import type { InboundType } from '../../../protocol/inbound'

/** The statuses a client sees; `received` is every inbound message's. `scheduled` waits for its
 * `send_at`; `cancelled` was taken back before it was sent (both outbound only). */
export const VISIBLE_MESSAGE_STATUSES = ['scheduled', 'queued', 'sent', 'delivered', 'read', 'failed', 'cancelled', 'received'] as const
/** Statuses a message never leaves (the retention may prune them). */
export const FINAL_MESSAGE_STATUSES = ['sent', 'delivered', 'read', 'failed', 'cancelled', 'received'] as const
/** `sending` is internal: handed to the node, outcome not known yet; it reads as `queued` outside. */
export const MESSAGE_STATUSES = [...VISIBLE_MESSAGE_STATUSES, 'sending'] as const
export type MessageStatus = (typeof MESSAGE_STATUSES)[number]
/**
 * `media`: sent with a media_url whose kind is not known until the node fetched it. `sticker`,
 * `location`, `contact` and `reaction` only arrive inbound (protocol/inbound.ts INBOUND_TYPES,
 * all of which are here).
 */
export const MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'document', 'media', 'sticker', 'location', 'contact', 'reaction'] as const
export type MessageType = (typeof MESSAGE_TYPES)[number]

export const MESSAGE_DIRECTIONS = ['inbound', 'outbound'] as const
export type MessageDirection = (typeof MESSAGE_DIRECTIONS)[number]

/** Every inbound type is a message type (checked by the compiler). */
type InboundTypesAreMessageTypes = InboundType extends MessageType ? true : never
export const INBOUND_TYPES_ARE_MESSAGE_TYPES: InboundTypesAreMessageTypes = true
