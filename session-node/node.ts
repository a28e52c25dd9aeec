// Wires one session node together: the sealer, the sessions and the control socket. Kept apart
// from the entry point so tests run the real node in-process against a fake worker.
import type { Logger } from 'pino'
import { createSealer } from './auth/sealing'
import { WORKER_SOCKET_BACKOFF, type BackoffPolicy } from './backoff'
import type { Config } from './config'
import { DeviceSession } from './device-session'
import type { EngineFactory } from './engines/engine'
import { FleetClient } from './fleet-client'
import { createMediaFetcher, type MediaFetcherOptions } from './media/fetch-media'
import { budgetedMedia, MediaBudget, type MediaLimits } from './media/media-budget'
import { Semaphore } from './semaphore'
import { SessionManager } from './session-manager'
import { DEFAULT_TIMING, type SocketTiming } from './transport/frame-socket'
import { NODE_DRAIN_MS } from '../protocol/timing'
import { observeSessions } from './ops/metrics'

export interface NodeTiming {
  socket: SocketTiming
  backoff: BackoffPolicy
  /** On a planned stop, how long a session waits for its last auth writes to be acknowledged. */
  drainMs: number
}

export const DEFAULT_NODE_TIMING: NodeTiming = { socket: DEFAULT_TIMING, backoff: WORKER_SOCKET_BACKOFF, drainMs: NODE_DRAIN_MS }

export interface SessionNodeOptions {
  config: Config
  logger: Logger
  engineFactory: EngineFactory
  onFatal(message: string): void
  timing?: Partial<NodeTiming>
  /** Overrides for the media fetcher (tests: a resolver, smaller limits); allowPrivate comes from config. */
  media?: Omit<MediaFetcherOptions, 'allowPrivate'>
  /** Overrides for the media budget (tests: a shorter wait); its sizes come from config. */
  mediaBudget?: Partial<MediaLimits>
}

export interface SessionNode {
  sessions: SessionManager
  /** In the fleet (the worker welcomed the control socket) and not shutting down: /readyz. */
  ready(): boolean
  /**
   * Planned shutdown: engines stop WITHOUT logging out and their last auth writes land, then
   * `bye` tells the fleet to re-home the devices, then the control socket closes (1000). In that
   * order, so no other node resumes a device while this one still holds its WhatsApp socket.
   */
  shutdown(): Promise<void>
}

export function startSessionNode(options: SessionNodeOptions): SessionNode {
  const { config, logger, engineFactory, onFatal, media } = options
  const timing = { ...DEFAULT_NODE_TIMING, ...options.timing }
  const sealer = createSealer(config.encryptionKey)
  const fetchMedia = createMediaFetcher({ ...media, allowPrivate: config.mediaAllowPrivate })
  const mediaBudget = new MediaBudget({ ...config.mediaLimits, ...options.mediaBudget })
  const openings = new Semaphore(config.maxOpeningSockets)
  const sessions = new SessionManager(
    (deviceId, epoch, onEnded) =>
      new DeviceSession({
        deviceId,
        epoch,
        workerWsUrl: config.workerWsUrl,
        token: config.nodeToken,
        engineFactory,
        sealer,
        logger,
        timing: timing.socket,
        backoff: timing.backoff,
        openings,
        drainMs: timing.drainMs,
        printQr: config.printQr,
        media: budgetedMedia(fetchMedia, mediaBudget, deviceId),
        // `fleet` is created below; sessions only exist once it has assigned them.
        lease: { ms: config.leaseMs, controlHeardAt: (): number => fleet.lastHeardAt },
        onEnded,
      }),
    logger,
  )
  const fleet: FleetClient = new FleetClient({
    workerWsUrl: config.workerWsUrl,
    token: config.nodeToken,
    nodeName: config.nodeName,
    engine: config.engine,
    capacity: config.capacity,
    sessions,
    logger,
    timing: timing.socket,
    backoff: timing.backoff,
    onFatal,
  })
  fleet.start()
  observeSessions(() => sessions.health())

  let stopping: Promise<void> | null = null
  return {
    sessions,
    ready: () => fleet.joined && stopping === null,
    shutdown() {
      stopping ??= (async () => {
        await sessions.stopAll('node shutting down')
        fleet.bye()
        await fleet.close()
      })()
      return stopping
    },
  }
}
