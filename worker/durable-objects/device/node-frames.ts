// What DeviceDO does with each frame its node sends: live status and QR, auth state reads and
// writes, receipts, inbound messages, and answers to the commands it sent. Only the current assignee is heard.
import { reasonCodeOf } from './health'
import { isStatusReason } from '../../../protocol/status-reasons'
import { CloseCode } from '../../../protocol/close-codes'
import {
  decodeFrame,
  encodeFrame,
  malformed,
  MAX_FRAME_CHARS,
  NodeToDevice,
  PROTOCOL_VERSION,
  type DeviceToNode,
} from '../../../protocol/frames'
import { closeQuietly, sendFrame, sendRaw } from '../sockets'
import type { DeviceState, DeviceStore } from './device-store'
import type { Ledger } from './ledger'
import type { InboundMessage } from '../../../protocol/inbound'
import type { NodeLink } from './node-link'

/** Clears a shown QR: it is void once linked, on error, or without its node. */
export const NO_QR = { qr_code: null, qr_image: null, qr_expires_at: null } as const

export interface NodeFramesDeps {
  store: DeviceStore
  ledger: Ledger
  link: NodeLink
  /** Stores a change of the live state and runs its consequences. */
  setLive(changes: Partial<DeviceState>): Promise<void>
  /** Stores what the phone received, with its event (device/inbound.ts). */
  receive(message: InboundMessage): Promise<void>
}

export class NodeFrames {
  constructor(private readonly deps: NodeFramesDeps) {}

  async handle(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (!this.deps.link.isCurrent(ws)) return this.deps.link.fence(ws, 'this device is assigned elsewhere')
    this.deps.link.heard(ws)
    const decoded = decodeFrame(NodeToDevice, message)
    if (!decoded.ok) return sendRaw(ws, malformed(decoded.error, message))
    const frame = decoded.frame
    switch (frame.type) {
      case 'hello':
        return this.onHello(ws, frame)
      case 'status':
        return this.deps.setLive({
          status: frame.status,
          status_reason: reasonCodeOf(frame.status, frame.reason),
          status_detail: frame.detail ?? (frame.reason !== undefined && !isStatusReason(frame.reason) ? frame.reason : null),
          ...(frame.phone_number !== undefined && { phone_number: frame.phone_number }),
          ...((frame.status === 'authenticated' || frame.status === 'error') && NO_QR),
        })
      case 'qr':
        return this.deps.setLive({
          status: 'qr_ready',
          status_reason: null,
          status_detail: null,
          qr_code: frame.qr_code,
          qr_image: frame.qr_image,
          qr_expires_at: frame.expires_at,
        })
      case 'auth.get': {
        const answer = encodeFrame({ type: 'result', id: frame.id, ok: true, data: { values: this.deps.store.authGet(frame.names) } })
        // A frame the node cannot decode would leave its read waiting forever: refuse it by id.
        const tooLarge = {
          type: 'result',
          id: frame.id,
          ok: false,
          error: { code: 'frame_too_large', message: 'ask for fewer names at once' },
        }
        return sendRaw(ws, answer.length <= MAX_FRAME_CHARS ? answer : encodeFrame(tooLarge))
      }
      case 'auth.set':
        this.deps.store.authSet(frame.entries)
        return this.acknowledge(ws, frame.id)
      case 'auth.clear':
        this.deps.store.authClear()
        return this.acknowledge(ws, frame.id)
      case 'receipt':
      case 'receipts':
        // One at a time from a node that was not offered batches; the same path either way.
        this.deps.ledger.applyReceipts(frame.type === 'receipt' ? [frame] : frame.receipts)
        return this.acknowledge(ws, frame.id)
      case 'inbound':
        // Acknowledged only once stored: until then the node keeps it and sends it again.
        await this.deps.receive(frame.message)
        return this.acknowledge(ws, frame.id)
      case 'result':
        return this.deps.link.commands.settle(frame)
      case 'error':
        if (frame.id) this.deps.link.commands.refuse(frame.id, frame.code, frame.message)
        console.warn(JSON.stringify({ msg: 'node reported an error', deviceId: this.deps.store.state().device_id, frame }))
        return
    }
  }

  private onHello(ws: WebSocket, hello: Extract<NodeToDevice, { type: 'hello' }>): void {
    const state = this.deps.store.state()
    if (hello.protocol !== PROTOCOL_VERSION) {
      sendFrame(ws, { type: 'error', code: 'unsupported_protocol', message: `this device speaks protocol ${PROTOCOL_VERSION}` })
      return closeQuietly(ws, CloseCode.unsupportedProtocol, 'unsupported protocol')
    }
    if (hello.device_id !== state.device_id || hello.epoch !== state.epoch) {
      return this.deps.link.fence(ws, 'hello does not match the assignment')
    }
    const welcome: DeviceToNode = {
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      device_id: hello.device_id,
      epoch: hello.epoch,
      active: state.active,
      receipt_batches: true,
    }
    sendFrame(ws, welcome)
  }

  /** The node's socket closed or failed: without it the session is unreachable, and a QR it showed is void. */
  async socketGone(ws: WebSocket): Promise<void> {
    if (!this.deps.link.lost(ws)) return
    const { status } = this.deps.store.state()
    if (status === 'authenticated' || status === 'qr_ready') {
      await this.deps.setLive({ status: 'disconnected', status_reason: 'node_unreachable', status_detail: null, ...NO_QR })
    }
  }

  /** Answers a node's write once it is stored here: the node resends anything not acknowledged. */
  private acknowledge(ws: WebSocket, id: string): void {
    sendFrame(ws, { type: 'result', id, ok: true })
  }
}
