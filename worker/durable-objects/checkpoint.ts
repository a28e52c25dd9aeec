// A position that only moves forward ("handed over up to here"), kept in memory and written to
// SQLite at most once per CHECKPOINT_EVERY_MS, the last move within that time written when it
// ends. What it marks must be safe to do twice: the receiver is idempotent (the feed stores by
// event id, an endpoint by delivery id), so an object that restarts from the last written value
// hands a second's worth over again and loses nothing. Under load this is one row written per
// second instead of one per hand-over (docs/cost.md).

export const CHECKPOINT_EVERY_MS = 1_000

export class Checkpoint {
  private value: number
  private writtenAt = -Infinity
  private trailing: ReturnType<typeof setTimeout> | null = null

  /** `written` is the position as SQLite has it now. */
  constructor(
    written: number,
    private readonly write: (value: number) => void,
  ) {
    this.value = written
  }

  /** Where the hand-over is (in memory: at or ahead of what is written). */
  get current(): number {
    return this.value
  }

  advance(to: number): void {
    if (to <= this.value) return
    this.value = to
    const wait = this.writtenAt + CHECKPOINT_EVERY_MS - Date.now()
    if (wait <= 0) this.flush()
    else this.trailing ??= setTimeout(() => this.flush(), wait)
  }

  /** Stops a pending write (the storage under it was wiped). */
  discard(): void {
    if (this.trailing) clearTimeout(this.trailing)
    this.trailing = null
  }

  private flush(): void {
    this.discard()
    this.writtenAt = Date.now()
    this.write(this.value)
  }
}
