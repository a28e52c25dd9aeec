// Session nodes authenticate with their token before any socket is upgraded.
import { exports } from 'cloudflare:workers'
import { afterEach, describe, expect, it } from 'vitest'
import { admin } from './helpers'
import { nodeWithDevice, resetWorld, upgrade } from './node-client'

afterEach(resetWorld)

describe('node authentication', () => {
  it('refuses a wrong or missing node token before upgrading', async () => {
    for (const token of ['', 'wnt_' + 'x'.repeat(40), 'not-a-token']) {
      const res = await upgrade('/api/nodes/connect', token)
      expect(res.status).toBe(401)
      expect(res.webSocket).toBeNull()
    }
    expect((await admin('GET', '/nodes')).body.data).toEqual([])
  })

  it('refuses a device socket with a wrong token, a plain GET without a token, and one with a token but no upgrade', async () => {
    const { device, epoch, node } = await nodeWithDevice()
    expect((await upgrade(`/api/nodes/devices/${device.id}/connect?epoch=${epoch}`, 'wnt_' + 'y'.repeat(40))).status).toBe(401)
    expect((await exports.default.fetch(new Request('http://api.test/api/nodes/connect'))).status).toBe(401)
    const plain = new Request('http://api.test/api/nodes/connect', { headers: { Authorization: `Bearer ${node.token}` } })
    expect((await exports.default.fetch(plain)).status).toBe(422)
  })
})
