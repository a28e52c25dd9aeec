// Baileys' event emitter as the engine uses it: synchronous, listeners called in order.
import type { BaileysEventMap } from '@whiskeysockets/baileys'

type EventName = keyof BaileysEventMap
type Listener = (arg: never) => void

export class FakeEventEmitter {
  private readonly listeners = new Map<EventName, Set<Listener>>()

  on<T extends EventName>(event: T, listener: (arg: BaileysEventMap[T]) => void): void {
    const set = this.listeners.get(event) ?? new Set()
    set.add(listener)
    this.listeners.set(event, set)
  }

  off<T extends EventName>(event: T, listener: (arg: BaileysEventMap[T]) => void): void {
    this.listeners.get(event)?.delete(listener)
  }

  emit<T extends EventName>(event: T, arg: BaileysEventMap[T]): boolean {
    const set = this.listeners.get(event)
    for (const listener of [...(set ?? [])]) (listener as (arg: BaileysEventMap[T]) => void)(arg)
    return (set?.size ?? 0) > 0
  }
}
