// EngineRunner is the one place that decides whether WhatsApp runs for a device: exactly when
// nothing holds it, one start or stop at a time, and a stopped engine's late events are ignored.
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { EngineRunner } from '../../session-node/engine-runner'
import type { Engine } from '../../session-node/engines/engine'

function recordingRunner() {
  const log: string[] = []
  const currents: Array<() => boolean> = []
  let built = 0
  const runner = new EngineRunner({
    logger: pino({ level: 'silent' }),
    build: (isCurrent) => {
      const n = ++built
      currents.push(isCurrent)
      const engine: Engine = {
        start: async () => void log.push(`start ${n}`),
        stop: async () => void log.push(`stop ${n}`),
        logout: async () => void log.push(`logout ${n}`),
        requestPairingCode: async () => 'CODE1234',
        send: async () => ({ waMessageId: 'x' }),
        checkNumbers: async () => [],
        groups: async () => [],
        markRead: async () => undefined,
      }
      return engine
    },
    onStartFailed: (reason) => log.push(`failed: ${reason}`),
    onStopped: () => log.push('forget'),
  })
  return { runner, log, currents }
}

describe('EngineRunner', () => {
  it('runs nothing before DeviceDO welcomes the session, then runs exactly while nothing holds it', async () => {
    const { runner, log } = recordingRunner()
    expect(runner.current).toBeNull()
    await runner.release('awaiting_welcome')
    expect(log).toEqual(['start 1'])
    await runner.hold('paused')
    await runner.hold('lease_lapsed')
    await runner.release('paused')
    expect(runner.current).toBeNull() // the lapsed lease still holds it
    await runner.release('lease_lapsed')
    expect(log).toEqual(['start 1', 'forget', 'stop 1', 'start 2'])
  })

  it('ignores the events of an engine once it was stopped', async () => {
    const { runner, currents } = recordingRunner()
    await runner.release('awaiting_welcome')
    expect(currents[0]?.()).toBe(true)
    await runner.hold('paused')
    expect(currents[0]?.()).toBe(false)
  })

  it('never starts again after a logout or once the session ends', async () => {
    const { runner, log } = recordingRunner()
    await runner.release('awaiting_welcome')
    await runner.logout(async () => undefined)
    await runner.release('paused')
    expect(runner.current).toBeNull()
    expect(log).toEqual(['start 1', 'logout 1'])

    const other = recordingRunner()
    await other.runner.hold('ending')
    await other.runner.release('awaiting_welcome')
    expect(other.log).toEqual([])
  })

  it('builds an engine just to unlink a paused device', async () => {
    const { runner, log } = recordingRunner()
    await runner.logout(async () => undefined)
    expect(log).toEqual(['logout 1'])
  })
})
