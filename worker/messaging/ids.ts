// Message and batch ids carry the device they live on, so a lookup goes straight to that
// DeviceDO (the ledger lives there, not in D1). The device is still checked against the caller's
// company before anything is read.
import { randomBase62 } from '../lib/crypto'

const PATTERN = /^(msg|bat)_([1-9]\d{0,15})_([0-9A-Za-z]{20})$/

export const newMessageId = (deviceId: number) => `msg_${deviceId}_${randomBase62(20)}`
export const newBatchId = (deviceId: number) => `bat_${deviceId}_${randomBase62(20)}`

/** The device id inside a message or batch id of ours, or null for anything else. */
export function deviceIdOf(kind: 'msg' | 'bat', id: string): number | null {
  const match = PATTERN.exec(id)
  if (!match || match[1] !== kind) return null
  const deviceId = Number(match[2])
  return Number.isSafeInteger(deviceId) ? deviceId : null
}
