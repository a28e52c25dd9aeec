// The timing chain between the worker's Durable Objects and the session nodes, in one place.
// Each of these numbers only makes sense beside the others (a lease must run out before the
// fleet moves a device, a send must time out before its row is declared stale, …), so they live
// together and `test/node/timing.test.ts` asserts their order. The docs quote this module; no
// other file writes one of these numbers again.

const SECOND = 1_000
const MINUTE = 60 * SECOND

// ── liveness of the node sockets ────────────────────────────────────────────────────────────

/** How often a node sends `ping` on each socket; the Durable Objects answer without waking. */
export const NODE_PING_MS = 10 * SECOND
/**
 * DeviceDO counts its node's socket as live only while it heard from it (a ping or a frame)
 * within this long: two ping intervals. A frozen or partitioned node gets no message meanwhile.
 */
export const NODE_SILENT_AFTER_MS = 2 * NODE_PING_MS
/** A node socket that heard nothing (not even `pong`) for this long is cut, even if TCP has not noticed. */
export const NODE_STALE_LINK_MS = 35 * SECOND
/** How long a node waits for the `result` of one of its commands (auth reads and writes, receipts). */
export const NODE_REQUEST_TIMEOUT_MS = 30 * SECOND
/** How long a WebSocket upgrade may take before the attempt counts as failed. */
export const NODE_HANDSHAKE_TIMEOUT_MS = 15 * SECOND

/**
 * The partition lease (NODE_LEASE_MS): a device session that heard nothing from the worker on
 * either socket for this long stops its engine, without logging out, until DeviceDO welcomes it
 * again. Above the ping interval (a healthy idle link is heard every ping), below the fleet's
 * heartbeat timeout, so a cut-off node has let go of WhatsApp before its devices move.
 */
export const NODE_LEASE_MS = { default: 25 * SECOND, min: 15 * SECOND, max: 40 * SECOND } as const

// ── the fleet ───────────────────────────────────────────────────────────────────────────────

/** FleetDO declares a node lost after this long without a ping on its control socket. */
export const FLEET_HEARTBEAT_TIMEOUT_MS = 45 * SECOND
/** How often FleetDO's alarm checks heartbeats while any node is connected. */
export const FLEET_SWEEP_INTERVAL_MS = 15 * SECOND
/** A device that waits for a node asks FleetDO for one at most this often, however often it is read. */
export const PLACEMENT_RETRY_MS = 10 * SECOND
/** How often FleetDO checks its assignments against D1, dropping devices that no longer exist. */
export const FLEET_RECONCILE_INTERVAL_MS = 5 * MINUTE
/** A lost node keeps its devices this long (FLEET_FAILOVER_GRACE_MS) before they move, in case it returns. */
export const FLEET_FAILOVER_GRACE_DEFAULT_MS = 30 * SECOND

// ── commands DeviceDO sends to its node ─────────────────────────────────────────────────────

/** How long a node waits for WhatsApp to be ready to pair (the first QR of a socket). */
export const NODE_PAIRING_READY_MS = 30 * SECOND
/** How long DeviceDO waits for a pairing code: longer than the node's own wait. */
export const DEVICE_PAIRING_TIMEOUT_MS = 40 * SECOND
/** A device asks WhatsApp for a pairing code at most once this often: each one prompts a phone. */
export const PAIRING_CODE_INTERVAL_MS = 60 * SECOND
/** How long DeviceDO waits for pause, resume and logout. */
export const DEVICE_CONTROL_TIMEOUT_MS = 10 * SECOND
/** A device moving to another node first lets the sends already handed to its node finish, this long at most. */
export const DEVICE_HANDOVER_WAIT_MS = 10 * SECOND

// ── sending ─────────────────────────────────────────────────────────────────────────────────

/** A WhatsApp query (number lookup, relay) may take this long: Baileys' default query timeout. */
export const WHATSAPP_QUERY_TIMEOUT_MS = 60 * SECOND
/** DeviceDO waits this long for a query its node asks of WhatsApp (groups, number checks, read marks): the query and its frames. */
export const DEVICE_QUERY_TIMEOUT_MS = WHATSAPP_QUERY_TIMEOUT_MS + 5 * SECOND
/** One try of a media host's DNS lookup waits this long (two tries, within the fetch's own deadline). */
export const MEDIA_DNS_TIMEOUT_MS = 3 * SECOND
/** A node gives up fetching a media_url after this long. */
export const MEDIA_FETCH_TIMEOUT_MS = 15 * SECOND
/**
 * A media send waits at most this long for the node's media budget (its device's previous media
 * send, a slot, the memory for its file); then it fails as media_unavailable, refunded.
 */
export const MEDIA_BUDGET_WAIT_MS = 30 * SECOND
/** A node gives up downloading an inbound message's media (and asking the phone to re-upload it) after this long. */
export const INBOUND_MEDIA_TIMEOUT_MS = 60 * SECOND
/** A node gives up uploading media to WhatsApp after this long. */
export const MEDIA_UPLOAD_TIMEOUT_MS = 60 * SECOND
/** DeviceDO waits this long for a text send: a number lookup, then the relay. */
export const TEXT_SEND_TIMEOUT_MS = 75 * SECOND
/** …and this long for a media send: the wait for the media budget, the lookup, the fetch and the upload come first. */
export const MEDIA_SEND_TIMEOUT_MS = 180 * SECOND
/** A `sending` row older than this lost its answer for good (the object was reset meanwhile). */
export const STALE_SENDING_MS = 5 * MINUTE
/**
 * An Idempotency-Key whose first request is still running holds for this long: far longer than
 * any send can wait for its node, so a retry never starts a second send while the first may go out.
 */
export const IDEMPOTENCY_IN_PROGRESS_MS = 15 * MINUTE

// ── stopping a node ─────────────────────────────────────────────────────────────────────────

/** On a planned stop, each session waits this long for its last auth writes and receipts to be acknowledged. */
export const NODE_DRAIN_MS = 5 * SECOND
/** A planned shutdown of a node that takes longer than this is cut short (exit 1). */
export const NODE_SHUTDOWN_LIMIT_MS = 15 * SECOND
/** A node whose parent died (kill -9 of `npm run dev`) exits within this long, drained or not. */
export const ORPHAN_EXIT_LIMIT_MS = 3 * SECOND
/** The dev stack sends SIGKILL to a child that has not exited this long after SIGTERM. */
export const FORCE_KILL_AFTER_MS = 16 * SECOND
