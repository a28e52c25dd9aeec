// The wire protocol between the worker's Durable Objects and the session nodes: one set of zod
// schemas imported by both sides. Frames are JSON text. A frame that expects an answer carries
// an `id`; the answer is a `result` frame with the same id, a success/failure union.
import { z } from 'zod'
import { InboundMessage, SimulateInbound } from './inbound'

/** Bumped on any incompatible change; both `hello` frames carry it and a mismatch is refused. */
export const PROTOCOL_VERSION = 1

export const LIVE_STATUSES = ['pending', 'qr_ready', 'authenticated', 'disconnected', 'error'] as const
export type LiveStatus = (typeof LIVE_STATUSES)[number]

/** What drives a node's sessions: real WhatsApp, or the documented sandbox. */
export const ENGINE_NAMES = ['baileys', 'simulator'] as const
export type EngineName = (typeof ENGINE_NAMES)[number]

const commandId = z.string().min(1).max(64)
const deviceId = z.number().int().positive()
const epoch = z.number().int().nonnegative()

// ── results (both directions) ───────────────────────────────────────────────────────────────
export const ResultFrame = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('result'), id: commandId, ok: z.literal(true), data: z.unknown().optional() }),
  z.object({
    type: z.literal('result'),
    id: commandId,
    ok: z.literal(false),
    error: z.object({ code: z.string(), message: z.string() }),
  }),
])
export type ResultFrame = z.infer<typeof ResultFrame>

/**
 * Sent by either side in answer to a frame it could not decode or does not accept. When the
 * refused frame carried an `id`, the error carries it too, so the sender can fail that command
 * instead of waiting for a result that will never come.
 */
export const ErrorFrame = z.object({
  type: z.literal('error'),
  id: commandId.optional(),
  code: z.enum(['malformed_frame', 'unsupported_protocol', 'not_assigned', 'unknown_command']),
  message: z.string(),
})

/** Largest frame either side accepts; bigger ones are refused as malformed. */
export const MAX_FRAME_CHARS = 4_000_000

// ── node ⇄ fleet (one control socket per node) ──────────────────────────────────────────────
export const NodeHello = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  node_name: z.string().max(200),
  engine: z.enum(ENGINE_NAMES),
  capacity: z.number().int().positive(),
  /** Devices this process is running now (empty after a restart). */
  sessions: z.array(deviceId).max(100_000),
  /** The node's software version (package.json), shown in the admin node list. */
  version: z.string().max(64).optional(),
})

export const NodeToFleet = z.discriminatedUnion('type', [
  NodeHello,
  /** A planned departure (SIGTERM): the fleet re-homes this node's devices at once. */
  z.object({ type: z.literal('bye') }),
  ErrorFrame,
])
export type NodeToFleet = z.infer<typeof NodeToFleet>

export const FleetToNode = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), protocol: z.number().int(), node_id: z.number().int() }),
  /** Run this device; connect to its DeviceDO with this epoch. */
  z.object({ type: z.literal('assign'), device_id: deviceId, epoch }),
  /** Stop running this device without logging it out: it lives elsewhere now, or is gone. */
  z.object({ type: z.literal('release'), device_id: deviceId, reason: z.string() }),
  ErrorFrame,
])
export type FleetToNode = z.infer<typeof FleetToNode>

// ── node ⇄ device (one socket per device session) ───────────────────────────────────────────
export const DeviceHello = z.object({
  type: z.literal('hello'),
  protocol: z.number().int(),
  device_id: deviceId,
  epoch,
})

/** Auth state entries: names and values are opaque to the worker (HMAC'd and encrypted by the node). */
const authName = z.string().min(1).max(256)
const authValue = z.string().max(1_000_000)

// ── messaging ───────────────────────────────────────────────────────────────────────────────
/**
 * Why a `send` failed. Every code but one means the message was certainly NOT sent (the client may
 * send it again):
 * - `not_on_whatsapp`: the number has no WhatsApp account;
 * - `media_unavailable`: `media.url` could not be fetched or is not sendable;
 * - `not_ready`: the device is paused, not linked or not connected;
 * - `send_failed`: anything else that failed before the message was handed to WhatsApp.
 *
 * `outcome_unknown`: the engine handed the message to WhatsApp's socket and then failed (a
 * timeout, the connection closed): it may have been sent. Never retry it, never treat it as
 * not sent.
 */
export const MESSAGE_FAILURE_CODES = ['not_on_whatsapp', 'media_unavailable', 'not_ready', 'send_failed', 'outcome_unknown'] as const
export type MessageFailureCode = (typeof MESSAGE_FAILURE_CODES)[number]

/** What DeviceDO asks a node to send. `chat_id` is the WhatsApp JID (`…@s.whatsapp.net` or `…@g.us`). */
export const SendCommand = z.object({
  type: z.literal('send'),
  id: commandId,
  message_id: z.string().min(1).max(64),
  chat_id: z.string().regex(/^[0-9-]{5,64}@(s\.whatsapp\.net|g\.us)$/),
  text: z.string().max(4096).optional(),
  media: z.object({ url: z.string().url().max(2048), caption: z.string().max(1024).optional() }).optional(),
  /** A reply: the message quoted, as WhatsApp knows it (`from_me` for one this device sent; `participant` in groups). */
  quoted: z
    .object({
      wa_message_id: z.string().min(1).max(128),
      from_me: z.boolean(),
      participant: z.string().max(128).optional(),
      text: z.string().max(65_536).optional(),
    })
    .optional(),
})
export type SendCommand = z.infer<typeof SendCommand>

/**
 * Result data of a successful `send`: WhatsApp took the message. A failed `send` is a result
 * with `ok:false` and `error.code` one of MESSAGE_FAILURE_CODES.
 */
export const SendAccepted = z.object({ wa_message_id: z.string().min(1).max(128), sent_at: z.number().int() })

/** One group the linked account is in. `created_at` in ms, null when WhatsApp did not say. */
export const GroupInfo = z.object({
  id: z.string().regex(/@g\.us$/),
  subject: z.string(),
  size: z.number().int().nonnegative(),
  is_admin: z.boolean(),
  created_at: z.number().int().nullable(),
})
export type GroupInfo = z.infer<typeof GroupInfo>
export const GroupsListed = z.object({ groups: z.array(GroupInfo).max(10_000) })

/** Result data of `check_numbers`: the numbers that have WhatsApp, with the JID to write to (the others are not listed). */
export const NumbersChecked = z.object({ registered: z.array(z.object({ digits: z.string(), jid: z.string() })) })

/** What WhatsApp said of one sent message. */
export const ReceiptEntry = z.object({
  wa_message_id: z.string().min(1).max(128),
  status: z.enum(['delivered', 'read', 'failed']),
  at: z.number().int(),
  error: z.string().max(200).optional(),
})
export type ReceiptEntry = z.infer<typeof ReceiptEntry>

/** One receipt; what a node sends to a DeviceDO whose welcome did not offer `receipt_batches`. */
export const ReceiptFrame = ReceiptEntry.extend({ type: z.literal('receipt'), id: commandId })

/** The most receipts one `receipts` frame carries. */
export const MAX_RECEIPTS_PER_FRAME = 500

/**
 * Receipts seen within a few milliseconds of each other, in the order seen, stored by DeviceDO
 * in one transaction and acknowledged once: a frame, a transaction and an acknowledgement per
 * receipt were a large share of a message's cost (docs/performance.md).
 */
export const ReceiptsFrame = z.object({
  type: z.literal('receipts'),
  id: commandId,
  receipts: z.array(ReceiptEntry).min(1).max(MAX_RECEIPTS_PER_FRAME),
})

/** A message the linked phone received; acknowledged with a `result`, resent until it is. */
export const InboundFrame = z.object({ type: z.literal('inbound'), id: commandId, message: InboundMessage })

export const NodeToDevice = z.discriminatedUnion('type', [
  ReceiptFrame,
  ReceiptsFrame,
  InboundFrame,
  DeviceHello,
  z.object({
    type: z.literal('status'),
    status: z.enum(LIVE_STATUSES),
    phone_number: z.string().max(32).nullable().optional(),
    /** A code of protocol/status-reasons.ts (older nodes sent free text; DeviceDO accepts both). */
    reason: z.string().max(500).optional(),
    /** What exactly happened, for `last_error.message`. */
    detail: z.string().max(500).optional(),
  }),
  z.object({
    type: z.literal('qr'),
    qr_code: z.string().min(1).max(4096),
    qr_image: z.string().startsWith('data:image/png;base64,').max(200_000),
    expires_at: z.number().int(),
  }),
  z.object({ type: z.literal('auth.get'), id: commandId, names: z.array(authName).max(10_000) }),
  z.object({ type: z.literal('auth.set'), id: commandId, entries: z.record(authName, authValue.nullable()) }),
  z.object({ type: z.literal('auth.clear'), id: commandId }),
  ResultFrame,
  ErrorFrame,
])
export type NodeToDevice = z.infer<typeof NodeToDevice>

export const DeviceToNode = z.discriminatedUnion('type', [
  /**
   * The device accepted this node: start the engine when `active`, else hold it paused.
   * `receipt_batches`: it takes `receipts` frames (a DeviceDO from before them leaves it out, and
   * gets one `receipt` frame per receipt).
   */
  z.object({
    type: z.literal('welcome'),
    protocol: z.number().int(),
    device_id: deviceId,
    epoch,
    active: z.boolean(),
    receipt_batches: z.boolean().optional(),
  }),
  z.object({ type: z.literal('pairing_code'), id: commandId, phone_number: z.string().regex(/^\d{6,15}$/) }),
  z.object({ type: z.literal('pause'), id: commandId }),
  z.object({ type: z.literal('resume'), id: commandId }),
  /** Unlink from WhatsApp and forget the auth state; the device is being deleted. */
  z.object({ type: z.literal('logout'), id: commandId }),
  SendCommand,
  /** Which of these numbers (digits, with country code) have WhatsApp; answered with `{registered: [{digits, jid}]}`. */
  z.object({
    type: z.literal('check_numbers'),
    id: commandId,
    phone_numbers: z
      .array(z.string().regex(/^\d{6,15}$/))
      .min(1)
      .max(50),
  }),
  /** Marks an inbound message read on WhatsApp (blue ticks for its sender). */
  z.object({
    type: z.literal('mark_read'),
    id: commandId,
    chat_id: z.string().min(3).max(128),
    wa_message_id: z.string().min(1).max(128),
    participant: z.string().max(128).optional(),
  }),
  /** The groups the linked account is in; answered with `{groups: GroupInfo[]}`. */
  z.object({ type: z.literal('groups'), id: commandId }),
  /** The sandbox: a simulated contact writes, reacts, edits or deletes (simulator engines only; others answer `not_simulator`). */
  z.object({ type: z.literal('simulate'), id: commandId, action: SimulateInbound }),
  /** Fencing: this node no longer owns the device; stop without logging out. */
  z.object({ type: z.literal('release'), reason: z.string() }),
  ResultFrame,
  ErrorFrame,
])
export type DeviceToNode = z.infer<typeof DeviceToNode>

// ── decoding ────────────────────────────────────────────────────────────────────────────────
export type Decoded<T> = { ok: true; frame: T } | { ok: false; error: string }

/** Parses and validates one frame. Never throws: bad JSON, binary data and unknown shapes are errors. */
export function decodeFrame<S extends z.ZodType>(schema: S, raw: unknown): Decoded<z.infer<S>> {
  if (typeof raw !== 'string') return { ok: false, error: 'frames must be JSON text' }
  if (raw.length > MAX_FRAME_CHARS) return { ok: false, error: `frame larger than ${MAX_FRAME_CHARS} characters` }
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    return { ok: false, error: 'frame is not valid JSON' }
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return { ok: false, error: `invalid frame: ${issue ? `${issue.path.join('.') || '(root)'} ${issue.message}` : 'unknown shape'}` }
  }
  return { ok: true, frame: parsed.data }
}

export const encodeFrame = <T extends { type: string }>(frame: T): string => JSON.stringify(frame)

/** The `id` of a frame that failed to decode, when it has a usable one, so the error can name it. */
export function frameIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_FRAME_CHARS) return undefined
  try {
    const value: unknown = JSON.parse(raw)
    const id = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).id : undefined
    return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : undefined
  } catch {
    return undefined
  }
}

export const malformed = (message: string, raw?: unknown) => {
  const id = frameIdOf(raw)
  return encodeFrame({ type: 'error', code: 'malformed_frame', message, ...(id !== undefined && { id }) } as const)
}
