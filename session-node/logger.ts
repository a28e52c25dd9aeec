// Structured JSON logs (pino). Secrets are redacted by field name wherever they appear, so a
// careless `logger.info({ config })` or a logged request never prints a token or a key.
import { pino, type Logger } from 'pino'
import type { LogLevel } from './config'

const SECRET_FIELDS = [
  'token',
  'nodeToken',
  'key',
  'encryptionKey',
  'authorization',
  'Authorization',
  'NODE_TOKEN',
  'SESSION_ENCRYPTION_KEY',
]

export const REDACT_PATHS = SECRET_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`])

export function createLogger(level: LogLevel, destination: pino.DestinationStream = pino.destination({ dest: 1, sync: true })): Logger {
  // Synchronous writes: the last lines before a `process.exit(1)` must not be lost.
  return pino({ level, base: { service: 'session-node' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, destination)
}
