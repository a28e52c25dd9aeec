import { createServer } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { startStack } from '../../scripts/stack'
import type { Device } from '../support/api-types'
import { freePort, json, startDev, tempDir, until, type DevProcess } from './harness'

describe('npm run dev', () => {
  const running: DevProcess[] = []
  afterAll(() => {
    for (const dev of running) dev.child.kill('SIGKILL')
  })

  it('serves the API with a seeded key, keeps that key across restarts, and stops on Ctrl-C', async () => {
    const port = await freePort()
    const env = {
      DEV_PORT: String(port),
      DEV_STATE_DIR: tempDir('dev'),
      DEV_SESSION_NODES: '1',
      WA_ENGINE: 'simulator',
      SIM_SCAN_DELAY_MS: '1500',
    }
    const base = `http://127.0.0.1:${port}/api`

    const first = startDev(env)
    running.push(first)
    const [, key] = await first.waitFor(/API key:\s+(wak_\w+)/)
    // The printed dashboard link signs the dev company in, once.
    const [, link] = await first.waitFor(/Dashboard\s+(http:\/\/localhost:\d+\/dash\/login\/\w+)/)
    const loginPath = new URL(link!).pathname
    const signIn = () =>
      fetch(`http://127.0.0.1:${port}${loginPath}`, { method: 'POST', redirect: 'manual', headers: { Origin: `http://127.0.0.1:${port}` } })
    const signedIn = await signIn()
    expect(signedIn.status).toBe(303)
    expect(signedIn.headers.getSetCookie().some((c) => c.startsWith('__Host-wa_dash='))).toBe(true)
    expect((await signIn()).status).toBe(401)

    // A newcomer's first steps with the printed key.
    const created = await json<Device>(
      await fetch(`${base}/whatsapp/devices`, {
        method: 'POST',
        headers: { 'X-API-Key': key!, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'My phone' }),
      }),
    )
    expect(created.status).toBe(201)
    expect(created.body.data).toMatchObject({ name: 'My phone', status: 'pending', is_default: true })

    // The dev node links it on the simulator: pending → qr_ready (QR drawn in this terminal) → authenticated.
    const seen: string[] = []
    await until(
      async () => {
        const status = await json<{ status: string }>(
          await fetch(`${base}/whatsapp/devices/${created.body.data.id}/status`, { headers: { 'X-API-Key': key! } }),
        )
        if (seen.at(-1) !== status.body.data.status) seen.push(status.body.data.status)
        return seen.includes('authenticated') || undefined
      },
      30_000,
      () => `the device to link (saw ${seen.join(' → ')})`,
    )
    expect(seen.filter((s) => s !== 'pending')).toEqual(['qr_ready', 'authenticated'])
    await first.waitFor(/Scan this QR with WhatsApp to link device \d+/)
    const wrongKey = await json(await fetch(`${base}/whatsapp/devices`, { headers: { 'X-API-Key': 'nope' } }))
    expect(wrongKey.body.error.code).toBe('invalid_api_key')

    first.child.kill('SIGINT')
    expect(await first.exited).toBe(0)
    await expect(fetch(`${base}/health`)).rejects.toThrow()

    // Restarting keeps the data and prints the same key.
    const second = startDev(env)
    running.push(second)
    const [, sameKey] = await second.waitFor(/API key:\s+(wak_\w+)/)
    expect(sameKey).toBe(key)
    const listed = await json<Device[]>(await fetch(`${base}/whatsapp/devices`, { headers: { 'X-API-Key': key! } }))
    expect(listed.body.data.map((d) => d.name)).toEqual(['My phone'])
    second.child.kill('SIGINT')
    expect(await second.exited).toBe(0)
  })

  it("says why wrangler dev would not start, in wrangler's own words", async () => {
    // A port taken between our check and wrangler's bind: here the inspector's, held on purpose.
    const held = createServer()
    const inspectorPort = await freePort()
    await new Promise<void>((resolve) => held.listen(inspectorPort, '127.0.0.1', resolve))
    try {
      await expect(startStack({ port: await freePort(), stateDir: tempDir('stack-error'), inspectorPort })).rejects.toThrow(
        /wrangler dev exited with 1:[\s\S]*Address already in use[\s\S]*127\.0\.0\.1:\d+/,
      )
    } finally {
      held.close()
    }
  })
})
