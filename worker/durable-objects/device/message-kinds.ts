// The statuses and types of a ledger message: shared by the ledger, the API schemas and the
// tests, so this module depends on nothing of the runtime.

/** The statuses a client sees. */
export const VISIBLE_MESSAGE_STATUSES = ['queued', 'sent', 'delivered', 'read', 'failed'] as const
/** `sending` is internal: handed to the node, outcome not known yet; it reads as `queued` outside. */
export const MESSAGE_STATUSES = [...VISIBLE_MESSAGE_STATUSES, 'sending'] as const
export type MessageStatus = (typeof MESSAGE_STATUSES)[number]
/** `media`: sent with a media_url whose kind is not known until the node fetched it. */
export const MESSAGE_TYPES = ['text', 'image', 'video', 'audio', 'document', 'media'] as const
export type MessageType = (typeof MESSAGE_TYPES)[number]
