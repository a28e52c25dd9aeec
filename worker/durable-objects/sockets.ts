// Small, forgiving helpers for hibernatable WebSockets: a socket may be closing or gone at any
// moment, and that must never throw into a Durable Object's handler.
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

export function closeQuietly(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code, reason.slice(0, 120))
  } catch {
    // already closed
  }
}

/** The node keeps each socket alive with `ping`; the DO answers without waking up. */
export function answerPingsWhileHibernating(ctx: DurableObjectState): void {
  ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'))
}

export function upgradeResponse(ctx: DurableObjectState, tags: string[], attachment: unknown): Response {
  const pair = new WebSocketPair()
  const [client, server] = [pair[0], pair[1]]
  ctx.acceptWebSocket(server, tags)
  server.serializeAttachment(attachment)
  return new Response(null, { status: 101, webSocket: client })
}
