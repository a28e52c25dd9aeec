// Callers parked until something happens (the first QR of a socket), with a deadline, so a
// command never hangs on a socket that does not come up.
import type { Schedule } from './options'

interface Waiter<T> {
  resolve(value: T): void
  reject(error: Error): void
}

export class Waiters<T> {
  private readonly waiting = new Set<Waiter<T>>()

  constructor(private readonly schedule: Schedule) {}

  wait(timeoutMs: number, onTimeout: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        resolve: (value) => settle(() => resolve(value)),
        reject: (error) => settle(() => reject(error)),
      }
      const cancelTimeout = this.schedule(() => waiter.reject(onTimeout()), timeoutMs)
      const settle = (finish: () => void) => {
        if (!this.waiting.delete(waiter)) return
        cancelTimeout()
        finish()
      }
      this.waiting.add(waiter)
    })
  }

  resolveAll(value: T): void {
    for (const waiter of [...this.waiting]) waiter.resolve(value)
  }

  rejectAll(error: Error): void {
    for (const waiter of [...this.waiting]) waiter.reject(error)
  }
}
