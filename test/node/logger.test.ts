// Logs are JSON lines an operator can ship anywhere: tokens and keys never appear in them, even
// when a whole config or request is logged by mistake.
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../session-node/config'
import { createLogger } from '../../session-node/logger'

describe('logger', () => {
  it('writes structured lines and redacts token and key fields at any usual depth', () => {
    const lines: string[] = []
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString())
        done()
      },
    })
    const logger = createLogger('info', sink)
    const env = { WORKER_URL: 'http://localhost', NODE_TOKEN: 'wnt_super_secret', SESSION_ENCRYPTION_KEY: 'cd'.repeat(32) }
    const parsed = parseConfig(env)
    if (!parsed.ok) throw new Error('config')
    logger.info({ config: parsed.config }, 'config loaded')
    logger.info({ token: 'wnt_super_secret', headers: { authorization: 'Bearer wnt_super_secret' } }, 'request')
    logger.child({ deviceId: 3 }).warn({ session: { key: 'cdcdcdcd' } }, 'nested')

    expect(lines).toHaveLength(3)
    const text = lines.join('')
    expect(text).not.toContain('wnt_super_secret')
    expect(text).not.toMatch(/cdcdcdcd/)
    expect(JSON.parse(lines[0]!)).toMatchObject({
      msg: 'config loaded',
      config: { nodeToken: '[redacted]', workerWsUrl: 'ws://localhost' },
    })
    expect(JSON.parse(lines[2]!)).toMatchObject({ deviceId: 3, level: 40, session: { key: '[redacted]' } })
  })
})
