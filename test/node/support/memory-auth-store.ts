// An AuthStore in memory, standing in for the DeviceDO-backed one of the session layer.
import type { AuthStore } from '../../../session-node/engines/engine'

export class MemoryAuthStore implements AuthStore {
  readonly data = new Map<string, string>()
  /** Every `set` batch, in order, as the store received it. */
  readonly writes: Record<string, string | null>[] = []

  async get(names: string[]): Promise<Record<string, string | null>> {
    return Object.fromEntries(names.map((name) => [name, this.data.get(name) ?? null]))
  }

  async set(entries: Record<string, string | null>): Promise<void> {
    this.writes.push({ ...entries })
    for (const [name, value] of Object.entries(entries)) {
      if (value === null) this.data.delete(name)
      else this.data.set(name, value)
    }
  }

  async clear(): Promise<void> {
    this.data.clear()
  }
}
