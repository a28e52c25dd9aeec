// The session node's settings, read once from the environment. A bad value stops the process
// with a message naming the variable, never its value: two of them are secrets.
import { hostname } from 'node:os'
import { z } from 'zod'
import { ENGINE_NAMES, type EngineName } from '../protocol/frames'
import { NODE_LEASE_MS } from '../protocol/timing'
import { MEDIA_DOCUMENT_MAX_BYTES } from './media/fetch-media'
import { MEDIA_COPIES, MEDIA_LIMIT_DEFAULTS, type MediaLimits } from './media/media-budget'

export interface Config {
  /** Base for `…/api/nodes/…`, already turned into ws:// or wss://. */
  workerWsUrl: string
  nodeToken: string
  nodeName: string
  engine: EngineName
  /** 32 bytes, from SESSION_ENCRYPTION_KEY. */
  encryptionKey: Buffer
  capacity: number
  simulator: { scanDelayMs: number; deliveryMs: number; readMs: number; replyMs: number }
  logLevel: LogLevel
  printQr: boolean
  /** MEDIA_ALLOW_PRIVATE=1: media URLs may point at loopback and private networks. Local development only. */
  mediaAllowPrivate: boolean
  /** MEDIA_CONCURRENCY and MEDIA_MEMORY_MB: the node's media budget (media/media-budget.ts). */
  mediaLimits: MediaLimits
  /**
   * NODE_LEASE_MS: a device session that has heard nothing from the worker, on its own socket or
   * on the control socket, for this long stops its engine (without logging out) until DeviceDO
   * welcomes it again. Its bounds and why are in protocol/timing.ts (NODE_LEASE_MS).
   */
  leaseMs: number
  /**
   * NODE_MAX_OPENING_SOCKETS: device sockets in their opening handshake at once. The rest wait
   * their turn, so a node given thousands of devices at once (failover, a worker restart) opens
   * them in waves the worker can answer within the handshake timeout.
   */
  maxOpeningSockets: number
  /** METRICS_PORT (and METRICS_HOST, 127.0.0.1 by default): /metrics, /healthz, /readyz; null when unset. */
  metrics: { port: number; host: string } | null
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
const milliseconds = (fallback: number) => wholeNumber(0, 3_600_000).default(fallback)
const flag = z
  .enum(['0', '1', 'true', 'false'], { error: 'must be 1 or 0' })
  .default('0')
  .transform((value) => value === '1' || value === 'true')

const MB = 1024 * 1024
const MIN_MEDIA_MEMORY_MB = (MEDIA_COPIES * MEDIA_DOCUMENT_MAX_BYTES) / MB

const EnvSchema = z
  .object({
    WORKER_URL: z
      .string({ error: 'is required (e.g. http://localhost:8000)' })
      .refine((value) => URL.canParse(value) && /^(https?|wss?):$/.test(new URL(value).protocol), 'must be an http(s):// URL'),
    NODE_TOKEN: z.string({ error: 'is required (the token the admin API issued for this node)' }).trim().min(1, 'must not be empty'),
    NODE_NAME: z.string().trim().min(1).max(200).optional(),
    WA_ENGINE: z.enum(ENGINE_NAMES, { error: `must be one of ${ENGINE_NAMES.join(', ')}` }).default('baileys'),
    SESSION_ENCRYPTION_KEY: z
      .string({ error: 'is required: 64 hex characters (openssl rand -hex 32), the same on every node' })
      .regex(/^[0-9a-fA-F]{64}$/, 'must be exactly 64 hex characters (openssl rand -hex 32)'),
    NODE_CAPACITY: wholeNumber(1, 100_000).default(500),
    SIM_SCAN_DELAY_MS: milliseconds(3000),
    SIM_DELIVERY_MS: milliseconds(500),
    SIM_READ_MS: milliseconds(1500),
    SIM_REPLY_MS: milliseconds(1000),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    PRINT_QR: flag,
    MEDIA_ALLOW_PRIVATE: flag,
    MEDIA_CONCURRENCY: wholeNumber(1, 64).default(MEDIA_LIMIT_DEFAULTS.concurrent),
    // The largest document, held with its encrypted copy, must fit on its own.
    MEDIA_MEMORY_MB: wholeNumber(MIN_MEDIA_MEMORY_MB, 65_536).default(MEDIA_LIMIT_DEFAULTS.bytes / MB),
    NODE_MAX_OPENING_SOCKETS: wholeNumber(1, 10_000).default(50),
    NODE_LEASE_MS: wholeNumber(NODE_LEASE_MS.min, NODE_LEASE_MS.max).default(NODE_LEASE_MS.default),
    ALLOW_INSECURE_WORKER_URL: flag,
    METRICS_PORT: wholeNumber(1, 65_535).optional(),
    METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
  })
  // The node token travels in every upgrade: in clear only to this machine, or when asked for.
  .refine((e) => e.ALLOW_INSECURE_WORKER_URL || !insecureRemote(e.WORKER_URL), {
    path: ['WORKER_URL'],
    message: 'must be https:// (or http:// to this machine): NODE_TOKEN would travel in clear; ALLOW_INSECURE_WORKER_URL=1 overrides',
  })

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i

/** An http:// or ws:// URL to another machine. */
function insecureRemote(workerUrl: string): boolean {
  if (!URL.canParse(workerUrl)) return false
  const url = new URL(workerUrl)
  return (url.protocol === 'http:' || url.protocol === 'ws:') && !LOOPBACK.test(url.hostname)
}

/** http → ws, https → wss; a trailing slash is dropped so paths can be appended. */
export function toWebSocketBase(workerUrl: string): string {
  const url = new URL(workerUrl)
  if (url.protocol === 'http:') url.protocol = 'ws:'
  if (url.protocol === 'https:') url.protocol = 'wss:'
  url.search = ''
  url.hash = ''
  return url.toString().replace(/\/+$/, '')
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] }

export function parseConfig(env: NodeJS.ProcessEnv): ConfigResult {
  // Empty strings count as unset, as in most .env tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))
  const parsed = EnvSchema.safeParse(present)
  if (!parsed.success) {
    // Issue messages are ours or zod's generic ones; neither repeats the offending value.
    return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.') || 'environment'} ${issue.message}`) }
  }
  const e = parsed.data
  return {
    ok: true,
    config: {
      workerWsUrl: toWebSocketBase(e.WORKER_URL),
      nodeToken: e.NODE_TOKEN,
      nodeName: e.NODE_NAME ?? hostname().slice(0, 200),
      engine: e.WA_ENGINE,
      encryptionKey: Buffer.from(e.SESSION_ENCRYPTION_KEY, 'hex'),
      capacity: e.NODE_CAPACITY,
      simulator: { scanDelayMs: e.SIM_SCAN_DELAY_MS, deliveryMs: e.SIM_DELIVERY_MS, readMs: e.SIM_READ_MS, replyMs: e.SIM_REPLY_MS },
      logLevel: e.LOG_LEVEL,
      printQr: e.PRINT_QR,
      mediaAllowPrivate: e.MEDIA_ALLOW_PRIVATE,
      mediaLimits: { concurrent: e.MEDIA_CONCURRENCY, bytes: e.MEDIA_MEMORY_MB * MB },
      metrics: e.METRICS_PORT === undefined ? null : { port: e.METRICS_PORT, host: e.METRICS_HOST },
      leaseMs: e.NODE_LEASE_MS,
      maxOpeningSockets: e.NODE_MAX_OPENING_SOCKETS,
    },
  }
}
