// One WebSocket to a Durable Object, spoken in protocol frames: commands we send carry an id and
// wait for their `result`; commands we receive are answered with one; anything that does not
// decode is answered with `error malformed_frame` and dropped. Nothing a peer sends can throw
// out of here. It also keeps the link honest: `ping` every few seconds, and a socket that has
// heard nothing (not even `pong`) for too long is cut, so a half-open TCP link does not hang
// auth writes forever. Frames larger than the peer accepts (MAX_FRAME_CHARS) are never sent:
// the command fails here instead of being refused over there.
import type { Logger } from 'pino'
import type WebSocket from 'ws'
import type { z } from 'zod'
import { decodeFrame, encodeFrame, malformed, MAX_FRAME_CHARS, type ResultFrame } from '../../protocol/frames'
import { CommandError, ConnectionLostError, FrameTooLargeError, RemoteError, RequestTimeoutError } from './errors'
import { NODE_HANDSHAKE_TIMEOUT_MS, NODE_PING_MS, NODE_REQUEST_TIMEOUT_MS, NODE_STALE_LINK_MS } from '../../protocol/timing'
import { messageOf } from '../error-message'

export interface SocketTiming {
  /** How often `ping` is sent; the Durable Objects answer `pong` without waking up. */
  heartbeatMs: number
  /** Nothing received for this long: the link is dead even if TCP has not noticed. */
  staleAfterMs: number
  /** How long a command waits for its `result` unless told otherwise. */
  requestTimeoutMs: number
  /** How long an upgrade may take before the attempt counts as failed. */
  handshakeTimeoutMs: number
}

export const DEFAULT_TIMING: SocketTiming = {
  heartbeatMs: NODE_PING_MS,
  staleAfterMs: NODE_STALE_LINK_MS,
  requestTimeoutMs: NODE_REQUEST_TIMEOUT_MS,
  handshakeTimeoutMs: NODE_HANDSHAKE_TIMEOUT_MS,
}

/** How a connection ended: refused before the upgrade (HTTP status), or closed after it. */
export type SocketEnd = { kind: 'rejected'; status: number } | { kind: 'closed'; code: number; reason: string; error?: string }

type Frame = { type: string }
/** Incoming frames that expect a `result`. */
export type CommandOf<In> = Exclude<Extract<In, { id: string }>, { type: 'result' }>
/** Incoming frames that expect nothing back. */
export type EventOf<In> = Exclude<In, { id: string }>

export interface FrameSocketOptions<In extends Frame> {
  schema: z.ZodType<In>
  logger: Logger
  timing: SocketTiming
  onOpen?(): void
  /** The worker showed it is there: the upgrade was accepted, or something (a frame, `pong`) came in. */
  onHeard?(): void
  onEvent(frame: EventOf<In>): void
  /** Resolves to the result's `data`; a rejection becomes `ok: false`. Absent: `unknown_command`. */
  onCommand?(frame: CommandOf<In>): Promise<unknown>
}

interface Pending {
  resolve(data: unknown): void
  reject(error: Error): void
  timer: NodeJS.Timeout | undefined
}

// The schema has validated the frame; these only tell its kinds apart.
const isResult = (frame: Frame): frame is ResultFrame => frame.type === 'result'
/** An `error` frame may carry the id of a command of ours it refused; it is never a command itself. */
const isError = (frame: Frame): frame is Frame & { type: 'error'; id?: string; code: string; message: string } => frame.type === 'error'
const isCommand = <In extends Frame>(frame: In): frame is CommandOf<In> & In =>
  frame.type !== 'result' && 'id' in frame && typeof frame.id === 'string'
const isEvent = <In extends Frame>(frame: In): frame is EventOf<In> & In => !('id' in frame)

function errorCode(error: unknown): string {
  if (error instanceof CommandError) return error.code
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code
  return 'command_failed'
}

/** Text frames become strings; binary ones stay non-strings, which decodeFrame refuses. */
function payloadOf(data: WebSocket.RawData, isBinary: boolean): unknown {
  if (isBinary) return data
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return (data instanceof ArrayBuffer ? Buffer.from(data) : data).toString('utf8')
}

export class FrameSocket<In extends Frame, Out extends Frame> {
  readonly ended: Promise<SocketEnd>
  private readonly pending = new Map<string, Pending>()
  private nextId = 0
  private lastHeard = Date.now()
  private heartbeat: NodeJS.Timeout | undefined
  private rejectedStatus: number | undefined
  /** Why the connection failed (refused, reset, DNS…), for the log line about it. */
  private lastError: string | undefined

  constructor(
    private readonly ws: WebSocket,
    private readonly options: FrameSocketOptions<In>,
  ) {
    ws.on('unexpected-response', (_request, response) => {
      // An HTTP answer instead of an upgrade (401 wrong token, 409 fenced…): remember the status
      // and abort; the close that follows reports it.
      this.rejectedStatus = response.statusCode ?? 0
      response.resume()
      ws.terminate()
    })
    ws.on('open', () => {
      this.lastHeard = Date.now()
      options.onHeard?.()
      this.heartbeat = setInterval(() => this.beat(), options.timing.heartbeatMs)
      options.onOpen?.()
    })
    ws.on('message', (data, isBinary) => this.receive(payloadOf(data, isBinary)))
    // Connection errors are followed by 'close', which is where they are handled.
    ws.on('error', (error) => {
      this.lastError = error.message
    })
    this.ended = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        clearInterval(this.heartbeat)
        for (const [id, waiting] of this.pending) {
          clearTimeout(waiting.timer)
          waiting.reject(new ConnectionLostError('the socket closed before the answer came'))
          this.pending.delete(id)
        }
        resolve(
          this.rejectedStatus !== undefined
            ? { kind: 'rejected', status: this.rejectedStatus }
            : { kind: 'closed', code, reason: reason.toString('utf8'), ...(this.lastError !== undefined && { error: this.lastError }) },
        )
      })
    })
  }

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN
  }

  /** Sends one frame; false when the socket is not open or the frame is too large (it is dropped). */
  send(frame: Out): boolean {
    const text = this.encode(frame)
    return typeof text === 'string' && this.sendText(text)
  }

  /**
   * Sends a command built around a fresh id and resolves with the `data` of its `result`.
   * Rejects with RemoteError (`ok: false`, or an `error` frame naming this id), FrameTooLargeError,
   * ConnectionLostError or RequestTimeoutError. `timeoutMs: null` waits as long as the socket lives.
   */
  request<F extends Out & { id: string }>(
    build: (id: string) => F,
    timeoutMs: number | null = this.options.timing.requestTimeoutMs,
  ): Promise<unknown> {
    const id = `c${++this.nextId}`
    return new Promise((resolve, reject) => {
      const text = this.encode(build(id))
      if (text instanceof FrameTooLargeError) return reject(text)
      if (!this.sendText(text)) return reject(new ConnectionLostError('the socket is not open'))
      const timer =
        timeoutMs === null
          ? undefined
          : setTimeout(() => {
              this.pending.delete(id)
              reject(new RequestTimeoutError(`no answer within ${timeoutMs} ms`))
            }, timeoutMs)
      this.pending.set(id, { resolve, reject, timer })
    })
  }

  /** Closes and resolves once closed; a peer that never answers the close is cut after `waitMs`. */
  async close(code: number, reason: string, waitMs = 2_000): Promise<void> {
    if (this.ws.readyState === this.ws.CONNECTING) this.ws.terminate()
    else this.ws.close(code, reason.slice(0, 120))
    const cut = setTimeout(() => this.ws.terminate(), waitMs)
    await this.ended
    clearTimeout(cut)
  }

  /** Drops the connection at once (no close handshake): for links that stopped answering. */
  terminate(): void {
    this.ws.terminate()
  }

  private encode(frame: { type: string }): string | FrameTooLargeError {
    const text = encodeFrame(frame)
    if (text.length <= MAX_FRAME_CHARS) return text
    this.options.logger.error({ type: frame.type, chars: text.length }, 'frame too large to send; dropped')
    return new FrameTooLargeError(`a ${frame.type} frame of ${text.length} characters is over the ${MAX_FRAME_CHARS} the worker accepts`)
  }

  private sendText(text: string): boolean {
    if (!this.isOpen) return false
    this.ws.send(text)
    return true
  }

  private beat(): void {
    if (Date.now() - this.lastHeard > this.options.timing.staleAfterMs) {
      this.options.logger.warn({ silentForMs: Date.now() - this.lastHeard }, 'no traffic from the worker; dropping the socket')
      this.ws.terminate()
      return
    }
    this.sendText('ping')
  }

  private receive(payload: unknown): void {
    this.lastHeard = Date.now()
    this.options.onHeard?.()
    if (payload === 'pong') return
    const decoded = decodeFrame(this.options.schema, payload)
    if (!decoded.ok) {
      this.options.logger.warn({ error: decoded.error }, 'malformed frame from the worker')
      this.sendText(malformed(decoded.error, payload))
      return
    }
    const frame = decoded.frame
    try {
      if (isResult(frame)) this.settle(frame)
      else if (isError(frame)) this.refused(frame)
      else if (isCommand(frame)) void this.answer(frame)
      else if (isEvent(frame)) this.options.onEvent(frame)
    } catch (error) {
      // A handler bug must not take the socket (and every session behind it) down.
      this.options.logger.error({ err: error, type: frame.type }, 'frame handler failed')
    }
  }

  private settle(result: ResultFrame): void {
    const waiting = this.pending.get(result.id)
    if (!waiting) return this.options.logger.debug({ id: result.id }, 'result for an unknown or expired command')
    this.pending.delete(result.id)
    clearTimeout(waiting.timer)
    if (result.ok) waiting.resolve(result.data)
    else waiting.reject(new RemoteError(result.error.code, result.error.message))
  }

  /** An `error` frame: when it names a command of ours, that command fails now, not at its timeout. */
  private refused(frame: Frame & { type: 'error'; id?: string; code: string; message: string }): void {
    const waiting = frame.id === undefined ? undefined : this.pending.get(frame.id)
    if (!waiting || frame.id === undefined) {
      this.options.onEvent(frame as unknown as EventOf<In>)
      return
    }
    this.options.logger.warn({ id: frame.id, code: frame.code, message: frame.message }, 'the worker refused a frame of ours')
    this.pending.delete(frame.id)
    clearTimeout(waiting.timer)
    waiting.reject(new RemoteError(frame.code, frame.message))
  }

  private async answer(command: CommandOf<In>): Promise<void> {
    const handler = this.options.onCommand
    if (!handler) {
      this.sendText(
        encodeFrame({
          type: 'result',
          id: command.id,
          ok: false,
          error: { code: 'unknown_command', message: `${command.type} is not handled here` },
        }),
      )
      return
    }
    try {
      const data = await handler(command)
      const result: ResultFrame = { type: 'result', id: command.id, ok: true, ...(data !== undefined && { data }) }
      const text = this.encode(result)
      if (typeof text !== 'string') throw text
      this.sendText(text)
    } catch (error) {
      const message = messageOf(error)
      this.options.logger.warn({ type: command.type, err: message }, 'command failed')
      this.sendText(
        encodeFrame({ type: 'result', id: command.id, ok: false, error: { code: errorCode(error), message: message.slice(0, 500) } }),
      )
    }
  }
}
