// Whose device this is, for the device's own object: the company is told at creation
// (DeviceDO.belongsTo); a device made before that is looked up in D1 once and remembered.
import { database } from '../../db/client'
import { ownerOfDevice } from '../../db/devices'
import type { DeviceStore } from './device-store'

export async function companyOfDevice(store: DeviceStore, db: D1Database): Promise<number | null> {
  const { company_id, device_id } = store.state()
  if (company_id !== null || device_id === null) return company_id
  const owner = await ownerOfDevice(database(db), device_id)
  if (owner !== null) store.update({ company_id: owner })
  return owner
}
