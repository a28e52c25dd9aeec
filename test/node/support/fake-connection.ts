// One WebSocket the fake worker accepted, and what came over it; the fake DeviceDO's state.
import type { WebSocket } from 'ws'
import { encodeFrame, type DeviceToNode, type FleetToNode, type NodeToDevice, type NodeToFleet } from '../../../protocol/frames'

export interface Received<F> {
  frame: F
  /** Which connection (count from 1, per device or for the control socket). */
  connection: number
}

export interface Closed {
  code: number
  reason: string
}

/** One accepted WebSocket and what came over it. */
export class FakeConnection<In, Out extends { type: string }> {
  readonly frames: In[] = []
  /** Raw text that did not decode (the node must never send any). */
  readonly garbage: string[] = []
  readonly closed: Promise<Closed>

  constructor(
    readonly ws: WebSocket,
    readonly number: number,
  ) {
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  }

  send(frame: Out): void {
    this.ws.send(encodeFrame(frame))
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data)
  }
}

export type ControlConnection = FakeConnection<NodeToFleet, FleetToNode>
export type DeviceConnection = FakeConnection<NodeToDevice, DeviceToNode>

export interface FakeDevice {
  epoch: number
  active: boolean
  auth: Map<string, string>
  connections: DeviceConnection[]
  /**
   * How DeviceDO answers frames with an id, by type (auth.*, receipt): `ok` (the default),
   * `silent` (never), or `refuse` (an `error` frame carrying the id, as for a malformed frame).
   */
  answers: Map<string, 'ok' | 'silent' | 'refuse'>
  /** Whether the welcome offers `receipts` frames (false: a DeviceDO from before them). */
  receiptBatches: boolean
}
