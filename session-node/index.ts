// `npm run session-node`: one session node process. Configuration comes from the environment
// (see config.ts); SIGTERM / SIGINT stop it cleanly without unlinking any device.
import { parseConfig } from './config'
import { loadEngineFactory } from './engines'
import { createLogger } from './logger'
import { startSessionNode, type SessionNode } from './node'
import { onParentDeath } from './parent-watch'
import { startOpsServer } from './ops/ops-server'
import { NODE_VERSION } from './version'
import { PROTOCOL_VERSION } from '../protocol/frames'
import { NODE_SHUTDOWN_LIMIT_MS, ORPHAN_EXIT_LIMIT_MS } from '../protocol/timing'

const parsed = parseConfig(process.env)
if (!parsed.ok) {
  process.stderr.write(`session-node: invalid configuration\n${parsed.problems.map((problem) => `  - ${problem}\n`).join('')}`)
  process.exit(1)
}
const { config } = parsed
const logger = createLogger(config.logLevel)

let engineFactory
try {
  engineFactory = await loadEngineFactory(config.engine, { simulator: config.simulator })
} catch (error) {
  logger.fatal({ err: error, engine: config.engine }, 'could not load the WhatsApp engine')
  process.exit(1)
}

let node: SessionNode | undefined
let exiting = false

async function exit(code: number, why: string): Promise<void> {
  if (exiting) return
  exiting = true
  logger.info({ why }, 'stopping: engines stop without logging out')
  const limit = setTimeout(() => {
    logger.error('shutdown took too long; exiting anyway')
    process.exit(1)
  }, NODE_SHUTDOWN_LIMIT_MS)
  await node?.shutdown()
  clearTimeout(limit)
  logger.info({ code }, 'stopped')
  process.exit(code)
}

node = startSessionNode({
  config,
  logger,
  engineFactory,
  onFatal: (message) => {
    logger.fatal(message)
    void exit(1, message)
  },
})
logger.info(
  { node: config.nodeName, engine: config.engine, capacity: config.capacity, version: NODE_VERSION, protocol: PROTOCOL_VERSION },
  'session node started',
)
if (config.metrics) {
  const started = node
  await startOpsServer({ ...config.metrics, ready: () => started.ready(), logger }).catch((error: unknown) => {
    logger.fatal({ err: error, port: config.metrics?.port }, 'could not open METRICS_PORT')
    void exit(1, 'METRICS_PORT unavailable')
  })
}
if (config.mediaAllowPrivate)
  logger.warn('MEDIA_ALLOW_PRIVATE=1: media URLs may point at this machine and private networks (local development only)')

process.on('SIGTERM', () => void exit(0, 'SIGTERM'))
process.on('SIGINT', () => void exit(0, 'SIGINT'))
// A closed terminal, and a parent that died without a word: stop like on SIGTERM.
process.on('SIGHUP', () => void exit(0, 'SIGHUP'))
if (process.env.EXIT_WITH_PARENT === '1') {
  const orphaned = () => {
    // Whatever started us is gone, and likely the worker with it: nothing would acknowledge a
    // drain, so the engines get a short moment to stop and the process goes.
    setTimeout(() => process.exit(1), ORPHAN_EXIT_LIMIT_MS).unref()
    void exit(0, 'the process that started this node is gone')
  }
  onParentDeath(orphaned)
  // The parent holds our stdin open: the kernel closes it when the parent dies, however it dies.
  process.stdin.on('end', orphaned).on('close', orphaned).resume()
}
// State is unknown after an uncaught exception; exiting is safe because every auth write an
// engine was told about has been acknowledged by the worker.
process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception')
  process.exit(1)
})
process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'))
