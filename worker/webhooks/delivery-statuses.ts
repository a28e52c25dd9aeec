/** Where a delivery stands: still to succeed (retrying), delivered, or given up after its last attempt. */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number]
