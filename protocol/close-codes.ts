/** WebSocket close codes with a meaning in this protocol (4000–4999 is the application range). */
export const CloseCode = {
  /** Normal shutdown of either side. */
  normal: 1000,
  /** A newer connection of the same node replaced this one. */
  superseded: 4001,
  /** Fencing: the device is assigned to another node (or another epoch). Do not reconnect. */
  notAssigned: 4009,
  /** The protocol versions differ. Do not reconnect until upgraded. */
  unsupportedProtocol: 4010,
  /** The device was deleted. Do not reconnect. */
  deviceGone: 4004,
  /** The node's token was revoked by an operator; reconnecting will be refused (401). */
  revoked: 4003,
  /** No heartbeat for too long; the peer is considered dead. */
  heartbeatTimeout: 4008,
} as const
