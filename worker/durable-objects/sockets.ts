// Small, forgiving helpers for hibernatable WebSockets: a socket may be closing or gone at any
// moment, and that must never throw into a Durable Object's handler.
import type { z } from 'zod'
import { encodeFrame } from '../../protocol/frames'

export function sendFrame<T extends { type: string }>(ws: WebSocket, frame: T): boolean {
  try {
    ws.send(encodeFrame(frame))
    return true
  } catch {
    return false
  }
}

/** Already-encoded text, with the same guarantee. */
export function sendRaw(ws: WebSocket, text: string): void {
  try {
    ws.send(text)
  } catch {
    // closing or gone
  }
}

/**
 * Codes that only describe a close and may never be sent in one (RFC 6455 §7.4.1): "no status",
 * "abnormal closure", "TLS failure". Sending one throws asynchronously in workerd.
 */
const RESERVED_CLOSE_CODES = new Set([1005, 1006, 1015])
const NORMAL_CLOSE = 1000

export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(RESERVED_CLOSE_CODES.has(code) ? NORMAL_CLOSE : code, reason.slice(0, 120))
  } catch {
    // already closed
  }
}

/** The node keeps each socket alive with `ping`; the DO answers without waking up. */
export function answerPingsWhileHibernating(ctx: DurableObjectState): void {
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
}

/** Accepts the server end (hibernatable, tagged) with `attachment` stored on it; answers 101. */
export function upgradeResponse<T>(ctx: DurableObjectState, tags: string[], attachment: T): Response {
  const pair = new WebSocketPair()
  const [client, server] = [pair[0], pair[1]]
  ctx.acceptWebSocket(server, tags)
  server.serializeAttachment(attachment)
  return new Response(null, { status: 101, webSocket: client })
}

/** Attachments as read, per socket: written once at the upgrade, never changed, read on every frame. */
const readAttachments = new WeakMap<WebSocket, Map<z.ZodType, unknown>>()

/**
 * The attachment `upgradeResponse` stored, checked against `schema` (it survives hibernation as
 * structured data, so after a deploy it may be of an older shape): null when it does not fit.
 * A socket woken from hibernation is a new object, so it is read again.
 */
export function readAttachment<S extends z.ZodType>(ws: WebSocket, schema: S): z.infer<S> | null {
  const known = readAttachments.get(ws)
  if (known?.has(schema)) return known.get(schema) as z.infer<S> | null
  let value: unknown
  try {
    value = ws.deserializeAttachment()
  } catch {
    return null
  }
  const parsed = schema.safeParse(value)
  const attachment = parsed.success ? parsed.data : null
  readAttachments.set(ws, (known ?? new Map<z.ZodType, unknown>()).set(schema, attachment))
  return attachment
}
