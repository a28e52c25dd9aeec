// The Durable Objects' socket entry points never let an exception escape, a failing step of a
// change never skips the next one, and a close is answered with the peer's own code.
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { connectDevice, linkedDevice, nodeWithDevice, resetWorld } from './node-client'

afterEach(resetWorld)

/** Makes every D1 write of the device status mirror fail, as an outage of D1 would. */
async function breakTheStatusMirror() {
  await env.DB.exec('ALTER TABLE devices RENAME TO devices_unreachable')
  return () => env.DB.exec('ALTER TABLE devices_unreachable RENAME TO devices')
}

describe('socket entry points', () => {
  it('resumes the outbox of a relinked device even when mirroring its status to D1 fails', async () => {
    const { api, device, session, sends } = await linkedDevice()
    // One message goes out at once; the next would wait a full minute of pacing.
    await api('PATCH', `/devices/${device.id}`, { send_interval_ms: 60_000 })
    const bulk = await api('POST', '/send-bulk', {
      messages: [
        { recipient: '+22370123456', message: 'one' },
        { recipient: '+22370123457', message: 'two' },
      ],
    })
    expect(bulk.status).toBe(202)
    await expect.poll(() => sends.length).toBe(1)

    const repair = await breakTheStatusMirror()
    try {
      // The phone drops off WhatsApp and links again: a relinked device sends what waits at once.
      session.send({ type: 'status', status: 'disconnected', reason: 'connection lost' })
      session.send({ type: 'status', status: 'authenticated', phone_number: '+15550009999' })
      await expect.poll(() => sends.length, { timeout: 5_000 }).toBe(2)
      // The socket is still served: the failure was logged, not thrown into the runtime.
      session.send({ type: 'auth.get', id: 'still-here', names: [] })
      expect(await session.resultOf('still-here')).toMatchObject({ ok: true })
    } finally {
      await repair()
    }
  })

  it("answers a node's close with the node's own code, on a device socket and on the control socket", async () => {
    const { node, control, device, epoch } = await nodeWithDevice()
    const session = await connectDevice(node.token, device.id, epoch)

    session.ws.close(4321, 'node going away')
    expect(await session.closed).toMatchObject({ code: 4321 })
    control.ws.close(4322, 'node restarting')
    expect(await control.closed).toMatchObject({ code: 4322 })
  })
})
