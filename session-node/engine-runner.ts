// Whether WhatsApp runs for one device, decided in one place. The engine runs exactly when no
// hold is on it: not welcomed yet, paused, the lease lapsed, logged out, or the session ending.
// Every change of holds reconciles the engine with them; starts, stops and the logout run one at
// a time, in order, so an old engine is always stopped before a new one starts (two WhatsApp
// sockets on one set of credentials knock each other off).
import type { Logger } from 'pino'
import type { Engine } from './engines/engine'
import { messageOf } from './error-message'

export type Hold =
  /** DeviceDO has not welcomed this session (yet, or again after the lease lapsed). */
  | 'awaiting_welcome'
  /** DeviceDO paused the device (`pause`, or `welcome` with `active: false`). */
  | 'paused'
  /** Neither socket heard from the worker for the lease: another node may run the device soon. */
  | 'lease_lapsed'
  /** The device was unlinked: nothing runs it again. */
  | 'logged_out'
  /** The session is over. */
  | 'ending'

export interface EngineRunnerOptions {
  logger: Logger
  /** A new engine; `isCurrent` turns false once it is stopped or replaced, so its late events are ignored. */
  build(isCurrent: () => boolean): Engine
  /** A start failed: the session reports the device in error. */
  onStartFailed(reason: string): void
  /** Called whenever an engine stops, so nothing it reported is replayed later. */
  onStopped(): void
}

export class EngineRunner {
  private readonly holds = new Set<Hold>(['awaiting_welcome'])
  private engine: Engine | null = null
  /** Bumped whenever the engine is replaced or stopped. */
  private generation = 0
  private work: Promise<void> = Promise.resolve()

  constructor(private readonly options: EngineRunnerOptions) {}

  /** The running engine, if any: what a send or a pairing code goes to. */
  get current(): Engine | null {
    return this.engine
  }

  isHeld(hold: Hold): boolean {
    return this.holds.has(hold)
  }

  /** Puts a hold on the engine; resolves once it is stopped (if it ran). */
  hold(hold: Hold): Promise<void> {
    return this.change({ hold: [hold] })
  }

  /** Lifts holds; resolves once the engine has been started (if nothing else holds it). */
  release(...holds: Hold[]): Promise<void> {
    return this.change({ release: holds })
  }

  /** Both at once, then one reconcile. */
  change({ hold = [], release = [] }: { hold?: Hold[]; release?: Hold[] }): Promise<void> {
    for (const h of release) this.holds.delete(h)
    for (const h of hold) this.holds.add(h)
    return this.reconcile()
  }

  /**
   * Unlinks the device from WhatsApp. A paused device has no engine running: one is built just
   * to unlink it. `onFailure` runs when WhatsApp could not be told, before the error is rethrown.
   */
  logout(onFailure: () => Promise<void>): Promise<void> {
    this.holds.add('logged_out')
    return this.step(async () => {
      let engine = this.engine
      if (!engine) {
        const generation = ++this.generation
        engine = this.options.build(() => generation === this.generation)
      }
      try {
        await engine.logout()
      } catch (error) {
        await onFailure()
        throw error
      } finally {
        this.engine = null
        this.generation += 1
      }
    })
  }

  private reconcile(): Promise<void> {
    return this.step(() => (this.holds.size === 0 ? this.start() : this.stop()))
  }

  private step(run: () => Promise<void>): Promise<void> {
    const next = this.work.then(run)
    this.work = next.catch(() => undefined)
    return next
  }

  private async start(): Promise<void> {
    if (this.engine) return
    const generation = ++this.generation
    const engine = this.options.build(() => generation === this.generation)
    this.engine = engine
    try {
      await engine.start()
    } catch (error) {
      if (generation !== this.generation) return // stopped meanwhile; the failure is moot
      this.options.logger.error({ err: error }, 'the engine failed to start')
      await this.stop()
      this.options.onStartFailed(`engine failed to start: ${messageOf(error)}`)
    }
  }

  /** Stops without logging out: the link stays valid for whoever runs the device next. */
  private async stop(): Promise<void> {
    const engine = this.engine
    if (!engine) return
    this.engine = null
    this.generation += 1
    this.options.onStopped()
    await engine.stop().catch((error: unknown) => this.options.logger.warn({ err: error }, 'engine stop failed'))
  }
}
