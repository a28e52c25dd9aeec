// Where an inbound message's media lives in R2 (the MEDIA bucket): one object per message, named
// after our message id, written by the node's upload route and deleted with the message.
export const mediaKeyOf = (messageId: string) => `inbound/${messageId}`

/** The largest inbound file stored: the document cap of sending. */
export const MAX_INBOUND_MEDIA_BYTES = 100 * 1024 * 1024
