// The session layer's promise, with real processes: wrangler dev, two session nodes on the
// simulator engine, and `kill -9` of the node that holds a linked device.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, startStack, type Stack } from '../../scripts/stack'
import type { Method } from '../support/api-types'
import { clientsOf, freePort, tempDir, until } from './harness'

const GRACE_MS = 3_000
let stack: Stack

const api = <M extends Method, P extends string>(method: M, path: P, body?: unknown) =>
  clientsOf(stack)
    .api(method, path, body)
    .then((res) => res.body)
const nodes = async () => (await clientsOf(stack).admin('GET', '/nodes')).body.data

/** Polls the device status every 100 ms until `done`, recording each distinct status seen. */
async function watchStatus(deviceId: number, done: (s: { status: string; phone_number: string | null }) => boolean, timeoutMs: number) {
  const seen: string[] = []
  const last = await until(
    async () => {
      const { data } = await api('GET', `/devices/${deviceId}/status`)
      if (seen.at(-1) !== data.status) seen.push(data.status)
      return done(data) ? data : undefined
    },
    timeoutMs,
    () => `device ${deviceId} to get there (saw ${seen.join(' → ')})`,
  )
  return { seen, last }
}

describe('failover with real processes', () => {
  beforeAll(async () => {
    stack = await startStack({
      port: await freePort(),
      stateDir: tempDir('failover'),
      nodes: 2,
      env: { WA_ENGINE: 'simulator', SIM_SCAN_DELAY_MS: '500', FLEET_FAILOVER_GRACE_MS: String(GRACE_MS), LOG_LEVEL: 'warn' },
    })
    await until(
      async () => ((await nodes()).filter((n) => n.status === 'online').length === 2 ? true : undefined),
      30_000,
      'two nodes online',
    )
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('links a device, survives kill -9 of its node without a rescan, and never runs it twice', async () => {
    const device = (await api('POST', '/devices', { name: 'failover phone' })).data
    const linking = await watchStatus(device.id, (s) => s.status === 'authenticated', 30_000)
    expect(linking.seen).toEqual(['pending', 'qr_ready', 'authenticated'].filter((s) => linking.seen.includes(s)))
    expect(linking.seen).toContain('qr_ready')
    const phone = linking.last.phone_number
    expect(phone).toMatch(/^\+\d+$/)

    const holder = (await nodes()).find((n) => n.devices === 1)!
    const victim = stack.nodes.find((n) => n.id === holder.id)!
    const survivor = stack.nodes.find((n) => n.id !== holder.id)!

    const killedAt = Date.now()
    await victim.kill('SIGKILL')
    const holderWatch = setInterval(async () => {
      survivorHolds = (await nodes()).find((n) => n.id === survivor.id)?.devices === 1
    }, 100)
    // Done when the survivor holds the device and reports it linked again.
    let survivorHolds = false
    const failover = await watchStatus(
      device.id,
      (s) => {
        if (s.status !== 'authenticated' || !survivorHolds) return false
        return true
      },
      GRACE_MS + 15_000,
    ).finally(() => clearInterval(holderWatch))
    const elapsed = Date.now() - killedAt
    console.log(`failover: authenticated again ${elapsed} ms after kill -9 (grace ${GRACE_MS} ms); statuses ${failover.seen.join(' → ')}`)
    expect(elapsed).toBeLessThan(GRACE_MS + 15_000)
    expect(failover.seen).not.toContain('qr_ready')
    expect(failover.last.phone_number).toBe(phone)
    expect((await nodes()).find((n) => n.id === survivor.id)?.devices).toBe(1)

    // The killed node comes back: it joins the fleet but does not take the device back.
    victim.start()
    await until(
      async () => ((await nodes()).find((n) => n.id === victim.id)?.status === 'online' ? true : undefined),
      30_000,
      'restarted node online',
    )
    await new Promise((r) => setTimeout(r, 2_000))
    const after = await nodes()
    expect(after.find((n) => n.id === victim.id)?.devices).toBe(0)
    expect(after.find((n) => n.id === survivor.id)?.devices).toBe(1)
    expect((await api('GET', `/devices/${device.id}/status`)).data).toMatchObject({ status: 'authenticated', phone_number: phone })
  })

  it('never lets a node with a wrong token join', async () => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['session-node/index.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        WORKER_URL: stack.baseUrl,
        NODE_TOKEN: 'wnt_' + 'z'.repeat(40),
        SESSION_ENCRYPTION_KEY: 'a'.repeat(64),
        WA_ENGINE: 'simulator',
        LOG_LEVEL: 'silent',
      },
      stdio: 'ignore',
    })
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
    expect(code).toBe(1)
    expect((await nodes()).filter((n) => n.status === 'online')).toHaveLength(2)
  })
})
