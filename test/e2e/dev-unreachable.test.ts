// `npm run dev` with the default engine on a machine that cannot reach WhatsApp (as these test
// machines): the real Baileys engine fails to connect, the device says why, and the dev script
// says so once and points to the simulator.
import { afterAll, describe, expect, it } from 'vitest'
import type { Device } from '../support/api-types'
import { freePort, json, startDev, tempDir, until, type DevProcess } from './harness'

describe('npm run dev without a route to WhatsApp', () => {
  let dev: DevProcess | undefined
  afterAll(() => dev?.child.kill('SIGKILL'))

  it('shows cannot_reach_whatsapp on the device and prints the WA_ENGINE=simulator hint once', async () => {
    const port = await freePort()
    dev = startDev({ DEV_PORT: String(port), DEV_STATE_DIR: tempDir('dev-unreachable'), DEV_SESSION_NODES: '1', WA_ENGINE: 'baileys' })
    const [, key] = await dev.waitFor(/API key:\s+(wak_\w+)/)
    const base = `http://127.0.0.1:${port}/api/whatsapp`
    const headers = { 'X-API-Key': key!, 'Content-Type': 'application/json' }
    const created = await json<Device>(await fetch(`${base}/devices`, { method: 'POST', headers, body: JSON.stringify({ name: 'phone' }) }))
    expect(created.status).toBe(201)

    await dev.waitFor(/cannot reach WhatsApp from this machine[\s\S]*WA_ENGINE=simulator npm run dev/, 60_000)
    const status = await until(
      async () => {
        const res = await json<{ status: string; status_reason: string | null; last_error: { code: string } | null }>(
          await fetch(`${base}/devices/${created.body.data.id}/status`, { headers }),
        )
        return res.body.data.status_reason === 'cannot_reach_whatsapp' ? res.body.data : undefined
      },
      30_000,
      'the device to say it cannot reach WhatsApp',
    )
    expect(status).toMatchObject({ status: 'disconnected', last_error: { code: 'cannot_reach_whatsapp' } })
    // Once, not once per retry.
    await new Promise((resolve) => setTimeout(resolve, 5_000))
    expect(dev.output().match(/WA_ENGINE=simulator npm run dev/g)).toHaveLength(1)
  }, 180_000)
})
