// How a command over a session socket can fail, as types callers can tell apart: a refusal
// by the peer is final; a lost connection or a timeout leaves the outcome unknown.
/** The peer answered a command with `ok: false`. */
export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'RemoteError'
  }
}
/** The socket closed before the answer came; the command may or may not have been applied. */
export class ConnectionLostError extends Error {
  override name = 'ConnectionLostError'
}
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeoutError'
}
/** The frame would be larger than the peer accepts (MAX_FRAME_CHARS); it was not sent. Final. */
export class FrameTooLargeError extends Error {
  override name = 'FrameTooLargeError'
}
/** Thrown by a command handler to answer with a specific error code. */
export class CommandError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'CommandError'
  }
}
