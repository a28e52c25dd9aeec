// Whatever arrives on a socket, decoding answers ok or not-ok and never throws: a bad frame can
// never crash a node or a Durable Object.
import { describe, expect, it } from 'vitest'
import { decodeFrame, DeviceToNode, FleetToNode, NodeToDevice, NodeToFleet } from '../../protocol/frames'

const unions = { NodeToFleet, FleetToNode, NodeToDevice, DeviceToNode }

const hostile: unknown[] = [
  '',
  ' ',
  '{',
  'ping',
  'null',
  'true',
  '42',
  '"hello"',
  '[]',
  '[{"type":"hello"}]',
  '{}',
  '{"type":null}',
  '{"type":42}',
  '{"type":"launch_missiles"}',
  '{"type":"hello"}',
  '{"type":"result"}',
  '{"type":"result","id":"","ok":true}',
  '{"type":"result","id":"x","ok":"yes"}',
  '{"type":"assign","device_id":-1,"epoch":1}',
  '{"type":"assign","device_id":1.5,"epoch":1}',
  '{"type":"auth.set","id":"1","entries":{"":"x"}}',
  '{"type":"pairing_code","id":"1","phone_number":"+1 555"}',
  '{"type":"qr","qr_code":"x","qr_image":"javascript:alert(1)","expires_at":1}',
  '{"__proto__":{"type":"bye"}}',
  '{"constructor":{"prototype":{"type":"bye"}}}',
  '['.repeat(5000) + ']'.repeat(5000),
  `{"type":"hello","node_name":"${'x'.repeat(300)}"}`,
  '\u0000\u0001\u0002',
  Buffer.from('{"type":"bye"}'),
  new Uint8Array([0xff, 0xfe, 0x00]).buffer,
  [Buffer.from('{"type":'), Buffer.from('"bye"}')],
  undefined,
  null,
  42,
  { type: 'bye' },
  Symbol('frame'),
]

describe('decodeFrame', () => {
  for (const [name, schema] of Object.entries(unions)) {
    it(`refuses garbage, binary data, wrong shapes and unknown types for ${name} without throwing`, () => {
      for (const raw of hostile) {
        let result: ReturnType<typeof decodeFrame> | undefined
        expect(() => (result = decodeFrame(schema, raw))).not.toThrow()
        expect(result?.ok, `accepted ${String(typeof raw === 'symbol' ? 'a symbol' : raw).slice(0, 60)}`).toBe(false)
        if (result && !result.ok) expect(result.error).toEqual(expect.any(String))
      }
    })
  }

  it('decodes the frames of the session protocol', () => {
    expect(decodeFrame(NodeToFleet, '{"type":"bye"}')).toEqual({ ok: true, frame: { type: 'bye' } })
    expect(decodeFrame(FleetToNode, '{"type":"assign","device_id":3,"epoch":0}')).toEqual({
      ok: true,
      frame: { type: 'assign', device_id: 3, epoch: 0 },
    })
    expect(decodeFrame(NodeToDevice, '{"type":"auth.set","id":"c1","entries":{"ab":null}}')).toMatchObject({ ok: true })
    expect(decodeFrame(DeviceToNode, '{"type":"result","id":"c1","ok":false,"error":{"code":"x","message":"y"}}')).toMatchObject({
      ok: true,
    })
  })
})
