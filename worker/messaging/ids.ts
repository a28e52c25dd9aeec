// Message and batch ids carry the device they live on, so a lookup goes straight to that
// DeviceDO (the ledger lives there, not in D1). The device is still checked against the caller's
// company before anything is read.
import { sha256 } from '@noble/hashes/sha2.js'
import { randomBase62 } from '../lib/crypto'

const PATTERN = /^(msg|bat)_([1-9]\d{0,15})_([0-9A-Za-z]{20})$/

export const newMessageId = (deviceId: number) => `msg_${deviceId}_${randomBase62(20)}`
export const newBatchId = (deviceId: number) => `bat_${deviceId}_${randomBase62(20)}`

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'

/** The id of an inbound message: derived from its WhatsApp id, so a message told twice is one row. */
export function inboundMessageId(deviceId: number, waMessageId: string): string {
  const digest = sha256(new TextEncoder().encode(`inbound|${deviceId}|${waMessageId}`))
  return `msg_${deviceId}_${[...digest.subarray(0, 20)].map((byte) => BASE62[byte % 62]).join('')}`
}

/** The device id inside a message or batch id of ours, or null for anything else. */
export function deviceIdOf(kind: 'msg' | 'bat', id: string): number | null {
  const match = PATTERN.exec(id)
  if (!match || match[1] !== kind) return null
  const deviceId = Number(match[2])
  return Number.isSafeInteger(deviceId) ? deviceId : null
}
