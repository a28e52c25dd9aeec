// The partition lease of one device session: a node cut off from the worker (both its control
// socket and this device's socket silent) must let go of the WhatsApp session before the fleet
// moves the device to another node, or two hosts would drive one set of credentials. FleetDO
// declares a node lost after FLEET_HEARTBEAT_TIMEOUT_MS of silence and re-homes its devices after
// a grace period; DeviceDO's fencing only cuts a socket the partitioned node cannot hear. So when
// neither socket has heard from the worker for NODE_LEASE_MS (protocol/timing.ts), the lease
// lapses; it is renewed only when DeviceDO welcomes the session again.
import type { Logger } from 'pino'

export interface LeaseOptions {
  ms: number
  logger: Logger
  /** When the worker was last heard on the device's own socket and on the node's control socket. */
  heardAt(): { device: number; control: number }
  /** The lease ran out: stop driving WhatsApp until renewed. */
  onLapse(): void
}

export class Lease {
  private timer: NodeJS.Timeout | undefined
  private lapsed = false
  private ended = false

  constructor(private readonly options: LeaseOptions) {}

  /** Starts (or keeps) watching; a lapsed lease stays lapsed until `renew`. */
  arm(): void {
    clearTimeout(this.timer)
    if (this.lapsed || this.ended) return
    this.timer = setTimeout(() => this.check(), Math.max(0, this.expiresAt() - Date.now()))
  }

  /** DeviceDO welcomed the session again. */
  renew(): void {
    if (!this.lapsed) return
    this.lapsed = false
    this.options.logger.info('DeviceDO welcomed this session again; the lease is renewed')
    this.arm()
  }

  get isLapsed(): boolean {
    return this.lapsed
  }

  end(): void {
    this.ended = true
    clearTimeout(this.timer)
  }

  private expiresAt(): number {
    const { device, control } = this.options.heardAt()
    return Math.max(device, control) + this.options.ms
  }

  private check(): void {
    if (this.lapsed || this.ended) return
    if (Date.now() < this.expiresAt()) return this.arm() // heard from meanwhile
    this.lapsed = true
    const now = Date.now()
    const { device, control } = this.options.heardAt()
    this.options.logger.warn(
      { leaseMs: this.options.ms, deviceSilentForMs: now - device, controlSilentForMs: now - control },
      'lost touch with the worker: stopping the engine without logging out until DeviceDO welcomes this session again',
    )
    this.options.onLapse()
  }
}
