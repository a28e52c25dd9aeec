// Configuration an operator gets right or is told clearly what is wrong (without echoing
// secrets), and reconnect delays that spread out and stay bounded.
import { describe, expect, it } from 'vitest'
import { createBackoff } from '../../session-node/backoff'
import { parseConfig } from '../../session-node/config'

const KEY = 'ab'.repeat(32)

describe('parseConfig', () => {
  it('applies the documented defaults and derives the WebSocket URL', () => {
    const result = parseConfig({ WORKER_URL: 'http://localhost:8000/', NODE_TOKEN: 'wnt_x', SESSION_ENCRYPTION_KEY: KEY })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.config).toMatchObject({
      workerWsUrl: 'ws://localhost:8000',
      engine: 'baileys',
      capacity: 500,
      simulator: { scanDelayMs: 3000, deliveryMs: 500, readMs: 1500, replyMs: 1000 },
      logLevel: 'info',
      printQr: false,
      mediaAllowPrivate: false,
      mediaLimits: { concurrent: 4, bytes: 256 * 1024 * 1024 },
      leaseMs: 25_000,
    })
    expect(result.config.nodeName.length).toBeGreaterThan(0)
    expect(result.config.encryptionKey).toHaveLength(32)
  })

  it('uses wss:// for an https worker and reads every setting', () => {
    const result = parseConfig({
      WORKER_URL: 'https://api.example.com',
      NODE_TOKEN: 'wnt_x',
      SESSION_ENCRYPTION_KEY: KEY.toUpperCase(),
      NODE_NAME: 'edge-1',
      WA_ENGINE: 'simulator',
      NODE_CAPACITY: '20',
      SIM_SCAN_DELAY_MS: '10',
      SIM_DELIVERY_MS: '0',
      SIM_READ_MS: '5',
      LOG_LEVEL: 'debug',
      PRINT_QR: '1',
      MEDIA_ALLOW_PRIVATE: '1',
      MEDIA_CONCURRENCY: '2',
      MEDIA_MEMORY_MB: '512',
      NODE_LEASE_MS: '20000',
    })
    expect(result).toMatchObject({
      ok: true,
      config: {
        workerWsUrl: 'wss://api.example.com',
        nodeName: 'edge-1',
        engine: 'simulator',
        capacity: 20,
        simulator: { scanDelayMs: 10, deliveryMs: 0, readMs: 5, replyMs: 1000 },
        logLevel: 'debug',
        printQr: true,
        mediaAllowPrivate: true,
        mediaLimits: { concurrent: 2, bytes: 512 * 1024 * 1024 },
        leaseMs: 20_000,
      },
    })
  })

  it('refuses a media budget too small to hold the largest document with its encrypted copy', () => {
    const result = parseConfig({
      WORKER_URL: 'http://localhost:8000',
      NODE_TOKEN: 'wnt_x',
      SESSION_ENCRYPTION_KEY: KEY,
      MEDIA_MEMORY_MB: '64',
    })
    expect(result).toEqual({ ok: false, problems: ['MEDIA_MEMORY_MB must be at least 200'] })
  })

  it('names every bad variable and never repeats a secret', () => {
    const secret = 'this-is-my-secret-key'
    const result = parseConfig({ WORKER_URL: 'localhost', SESSION_ENCRYPTION_KEY: secret, WA_ENGINE: 'whatsapp-web', NODE_CAPACITY: '0' })
    expect(result.ok).toBe(false)
    if (result.ok) return
    const text = result.problems.join('\n')
    for (const name of ['WORKER_URL', 'NODE_TOKEN', 'SESSION_ENCRYPTION_KEY', 'WA_ENGINE', 'NODE_CAPACITY']) expect(text).toContain(name)
    expect(text).not.toContain(secret)
    expect(parseConfig({ WORKER_URL: 'http://localhost', NODE_TOKEN: 't', SESSION_ENCRYPTION_KEY: KEY.slice(2) }).ok).toBe(false)
  })

  it('keeps NODE_LEASE_MS above the ping interval and below the fleet heartbeat timeout', () => {
    const lease = (value: string) =>
      parseConfig({ WORKER_URL: 'http://localhost', NODE_TOKEN: 't', SESSION_ENCRYPTION_KEY: KEY, NODE_LEASE_MS: value })
    expect(lease('15000')).toMatchObject({ ok: true, config: { leaseMs: 15_000 } })
    expect(lease('40000')).toMatchObject({ ok: true, config: { leaseMs: 40_000 } })
    for (const bad of ['14999', '45000', '300', '25s', '25000.5']) {
      const result = lease(bad)
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.problems.join('\n')).toContain('NODE_LEASE_MS')
    }
  })
})

describe('WORKER_URL', () => {
  const parse = (url: string, extra: Record<string, string> = {}) =>
    parseConfig({ WORKER_URL: url, NODE_TOKEN: 'wnt_secret', SESSION_ENCRYPTION_KEY: KEY, ...extra })

  it('refuses http:// to another machine, where NODE_TOKEN would travel in clear, naming the override', () => {
    for (const url of ['http://api.example.com', 'ws://10.0.0.5:8000', 'http://192.168.1.10']) {
      const result = parse(url)
      expect(result).toMatchObject({
        ok: false,
        problems: [expect.stringMatching(/^WORKER_URL must be https:\/\/.*ALLOW_INSECURE_WORKER_URL=1/)],
      })
      expect(JSON.stringify(result)).not.toContain('wnt_secret')
    }
  })

  it('takes https:// anywhere, http:// to this machine, and http:// elsewhere only when explicitly allowed', () => {
    for (const url of ['https://api.example.com', 'http://localhost:8000', 'http://127.0.0.1:8787', 'http://[::1]:8000']) {
      expect(parse(url).ok, url).toBe(true)
    }
    expect(parse('http://api.example.com', { ALLOW_INSECURE_WORKER_URL: '1' }).ok).toBe(true)
  })
})

describe('backoff', () => {
  it('grows exponentially up to the cap, with full jitter, and starts over after a reset', () => {
    const highest = createBackoff({ baseMs: 500, maxMs: 30_000, random: () => 0.999999 })
    const ceilings = Array.from({ length: 10 }, () => highest.next())
    expect(ceilings.slice(0, 6)).toEqual([499, 999, 1999, 3999, 7999, 15999])
    expect(ceilings.slice(6).every((delay) => delay === 29_999)).toBe(true)
    highest.reset()
    expect(highest.next()).toBe(499)

    const lowest = createBackoff({ baseMs: 500, maxMs: 30_000, random: () => 0 })
    expect(lowest.next()).toBe(0)

    const real = createBackoff({ baseMs: 500, maxMs: 30_000 })
    for (let i = 0; i < 200; i++) {
      const delay = real.next()
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThan(30_000)
    }
  })
})
