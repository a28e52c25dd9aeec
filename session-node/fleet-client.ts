// The node's control socket to FleetDO: says hello (who we are, what we run), then does what
// the fleet says (assign / release). It reconnects on every close but three: a refused token
// (HTTP 401/403), a protocol mismatch (4010), and being superseded (4001: another process
// connected with this node's token). Retrying the first two would only hammer the worker; the
// third would make two processes knock each other off forever, both running the same devices.
// The operator has to fix the token, upgrade the node, or stop the duplicate process.
import { NODE_VERSION } from './version'
import type { Logger } from 'pino'
import { CloseCode } from '../protocol/close-codes'
import { FleetToNode, PROTOCOL_VERSION, type NodeToFleet } from '../protocol/frames'
import type { BackoffPolicy } from './backoff'
import type { EngineName } from './engines/engine'
import type { SessionManager } from './session-manager'
import type { EventOf, SocketEnd, SocketTiming } from './transport/frame-socket'
import { ReconnectingSocket, type EndDecision } from './transport/reconnecting-socket'

export interface FleetClientOptions {
  workerWsUrl: string
  token: string
  nodeName: string
  engine: EngineName
  capacity: number
  sessions: SessionManager
  logger: Logger
  timing: SocketTiming
  backoff: BackoffPolicy
  /** Something only a human can fix: the process should stop (exit code 1). */
  onFatal(message: string): void
}

export class FleetClient {
  private readonly link: ReconnectingSocket<FleetToNode, NodeToFleet>
  private readonly logger: Logger

  constructor(private readonly options: FleetClientOptions) {
    this.logger = options.logger.child({ socket: 'control' })
    this.link = new ReconnectingSocket<FleetToNode, NodeToFleet>({
      url: `${options.workerWsUrl}/api/nodes/connect`,
      token: options.token,
      schema: FleetToNode,
      logger: this.logger,
      timing: options.timing,
      backoff: options.backoff,
      onOpen: (socket) =>
        socket.send({
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          node_name: options.nodeName,
          engine: options.engine,
          capacity: options.capacity,
          // After a reconnect the fleet releases whichever of these moved elsewhere meanwhile.
          sessions: options.sessions.list(),
          version: NODE_VERSION,
        }),
      onEvent: (frame) => this.onFrame(frame),
      onEnd: (end) => this.onEnd(end),
    })
  }

  start(): void {
    this.logger.info({ url: `${this.options.workerWsUrl}/api/nodes/connect` }, 'connecting to the fleet')
    this.link.start()
  }

  /** The worker welcomed the current control socket (readiness). */
  get joined(): boolean {
    return this.welcomed
  }

  private welcomed = false

  /** When FleetDO was last heard on the control socket (see the session lease in device-session.ts). */
  get lastHeardAt(): number {
    return this.link.lastHeardAt
  }

  /** A planned departure: the fleet re-homes our devices at once instead of after the grace period. */
  bye(): boolean {
    return this.link.current?.send({ type: 'bye' }) ?? false
  }

  close(): Promise<void> {
    return this.link.close(CloseCode.normal, 'node shutting down')
  }

  private onFrame(frame: EventOf<FleetToNode>): void {
    switch (frame.type) {
      case 'welcome':
        this.welcomed = true
        this.link.resetBackoff()
        this.logger.info({ nodeId: frame.node_id }, 'joined the fleet')
        return
      case 'assign':
        void this.options.sessions.assign(frame.device_id, frame.epoch)
        return
      case 'release':
        void this.options.sessions.release(frame.device_id, frame.reason)
        return
      case 'error':
        // unsupported_protocol is followed by close 4010, handled in onEnd.
        this.logger.warn({ code: frame.code, message: frame.message }, 'the fleet reported an error')
        return
    }
  }

  private onEnd(end: SocketEnd): EndDecision {
    this.welcomed = false
    if (end.kind === 'rejected' && (end.status === 401 || end.status === 403)) {
      this.options.onFatal(
        `the worker refused NODE_TOKEN (HTTP ${end.status}): register this node with the admin API (POST /api/admin/nodes) ` +
          'and set NODE_TOKEN to the token it returned',
      )
      return 'stop'
    }
    if (end.kind === 'closed' && end.code === CloseCode.superseded) {
      this.options.onFatal(
        'another process connected with this node token (close 4001): ' +
          'each session node process needs its own token (POST /api/admin/nodes); stopping this one',
      )
      return 'stop'
    }
    if (end.kind === 'closed' && end.code === CloseCode.unsupportedProtocol) {
      this.options.onFatal(
        `the worker does not speak protocol ${PROTOCOL_VERSION} (close 4010): upgrade this session node to match the worker`,
      )
      return 'stop'
    }
    return 'reconnect'
  }
}
