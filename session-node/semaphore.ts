// A weighted first-come-first-served semaphore whose waits may end at a deadline. First come,
// first served on purpose: a large request at the head is not overtaken by a stream of small
// ones, so no waiter starves; a waiter whose deadline passes leaves the queue and is told so.
// The media budget (media/media-budget.ts) and the node's socket openings (device-session.ts) use it.

export class WaitExpired extends Error {}

interface Waiter {
  amount: number
  grant(): void
  timer: ReturnType<typeof setTimeout> | undefined
}

export class Semaphore {
  private used = 0
  private readonly queue: Waiter[] = []

  constructor(readonly capacity: number) {}

  get inUse(): number {
    return this.used
  }

  get waiting(): number {
    return this.queue.length
  }

  /**
   * Takes `amount` (at most the capacity) once it is free and every earlier waiter is served;
   * rejects with WaitExpired at `deadline`, or waits as long as it takes without one.
   */
  acquire(amount: number, deadline?: number): Promise<void> {
    const take = Math.min(amount, this.capacity)
    if (this.queue.length === 0 && this.used + take <= this.capacity) {
      this.used += take
      return Promise.resolve()
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        amount: take,
        grant: () => {
          clearTimeout(waiter.timer)
          this.used += take
          resolve()
        },
        timer:
          deadline === undefined
            ? undefined
            : setTimeout(
                () => {
                  this.queue.splice(this.queue.indexOf(waiter), 1)
                  reject(new WaitExpired())
                  // The head may have been the one that did not fit; those behind it may fit now.
                  this.grantWaiting()
                },
                Math.max(0, deadline - Date.now()),
              ),
      }
      this.queue.push(waiter)
    })
  }

  release(amount: number): void {
    this.used = Math.max(0, this.used - Math.min(amount, this.capacity))
    this.grantWaiting()
  }

  private grantWaiting(): void {
    for (let head = this.queue[0]; head && this.used + head.amount <= this.capacity; head = this.queue[0]) {
      this.queue.shift()
      head.grant()
    }
  }
}
