// One way to run the real session node (in-process) against the fake worker in node tests: the
// config it would read from the environment, a spied simulator, and cleanup after each test.
import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { pino, type Level } from 'pino'
import { parseConfig, type Config } from '../../../session-node/config'
import type { Engine, EngineFactory } from '../../../session-node/engines/engine'
import { createSimulatorEngine, type SimulatorOptions } from '../../../session-node/engines/simulator'
import { startSessionNode, type NodeTiming, type SessionNode } from '../../../session-node/node'
import { FakeWorker } from '../fake-worker'

/** A fresh SESSION_ENCRYPTION_KEY for this test file. */
export const TEST_KEY = randomBytes(32).toString('hex')
/** Fast reconnects, so tests do not wait on production backoff. */
export const FAST_BACKOFF = { baseMs: 20, maxMs: 100 }

export interface EngineCalls {
  created: number[]
  stopped: { deviceId: number; at: number }[]
  loggedOut: number[]
}

export interface LogLine {
  level: number
  msg: string
  deviceId?: number
}

/**
 * The simulator, with a record of what the node asked of each engine. With `flushOnStop`,
 * stopping writes one last auth entry and waits for DeviceDO to acknowledge it, as Baileys does
 * with its creds.
 */
export function spiedSimulator(options: Partial<SimulatorOptions>, calls: EngineCalls, flushOnStop = false): EngineFactory {
  const simulator = createSimulatorEngine(options)
  return (context) => {
    calls.created.push(context.deviceId)
    const engine = simulator(context)
    const spied: Engine = {
      start: () => engine.start(),
      requestPairingCode: (digits) => engine.requestPairingCode(digits),
      send: (message) => engine.send(message),
      checkNumbers: (digits) => engine.checkNumbers(digits),
      groups: () => engine.groups(),
      markRead: (message) => engine.markRead(message),
      ...(engine.simulate && { simulate: engine.simulate.bind(engine) }),
      stop: async () => {
        calls.stopped.push({ deviceId: context.deviceId, at: Date.now() })
        await engine.stop()
        if (flushOnStop) await context.store.set({ 'last-write': String(Date.now()) }).catch(() => undefined)
      },
      logout: () => {
        calls.loggedOut.push(context.deviceId)
        return engine.logout()
      },
    }
    return spied
  }
}

const cleanup: (() => Promise<void>)[] = []

/** Stops every node and fake worker this test started, newest first. Call it in `afterEach`. */
export async function stopEverything(): Promise<void> {
  for (const step of cleanup.splice(0).reverse()) await step()
}

/** A fake worker that accepts `token`, stopped (partitions healed) after the test. */
export async function startFakeWorker(token: string): Promise<FakeWorker> {
  const worker = await new FakeWorker(token).start()
  cleanup.push(async () => {
    worker.partition.control = false
    worker.partition.devices = false
    await worker.stop()
  })
  return worker
}

export interface NodeOptions {
  worker: FakeWorker
  token: string
  name: string
  /** What the fake fleet assigns to this node when it says hello. */
  plan?: { deviceId: number; epoch: number }[]
  engineFactory: EngineFactory
  /** More environment, as an operator would set it (MEDIA_ALLOW_PRIVATE, …). */
  env?: Record<string, string>
  config?: Partial<Config>
  timing?: Partial<NodeTiming>
  /** Log lines at this level and above are kept in `logs`; silent by default. */
  logLevel?: Level | 'silent'
}

/** The real session node against `worker`, configured from the environment it would read. */
export function startNode(options: NodeOptions): { node: SessionNode; fatal: string[]; logs: LogLine[] } {
  if (options.plan) options.worker.plans.set(options.name, options.plan)
  const parsed = parseConfig({
    WORKER_URL: options.worker.url,
    NODE_TOKEN: options.token,
    SESSION_ENCRYPTION_KEY: TEST_KEY,
    WA_ENGINE: 'simulator',
    NODE_NAME: options.name,
    ...options.env,
  })
  if (!parsed.ok) throw new Error(parsed.problems.join('; '))
  const fatal: string[] = []
  const logs: LogLine[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()) as LogLine)
      done()
    },
  })
  const node = startSessionNode({
    config: { ...parsed.config, ...options.config },
    logger: pino({ level: options.logLevel ?? 'silent' }, sink),
    engineFactory: options.engineFactory,
    onFatal: (message) => fatal.push(message),
    timing: { backoff: FAST_BACKOFF, drainMs: 1000, ...options.timing },
  })
  cleanup.push(() => node.shutdown())
  return { node, fatal, logs }
}
