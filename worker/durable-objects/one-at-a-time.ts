// Work an object runs one pass at a time, such as forwarding its events or delivering its
// webhooks. A call while a pass runs starts no second one: it makes the run go round once more
// when the pass ends, so what arrived meanwhile is picked up at once instead of at the next
// alarm. A pass that throws ends the run: `onFailure` gets the error once (the run then
// resolves), or, without it, every caller of that run gets it.
export class OneAtATime {
  private running: Promise<void> | null = null
  private again = false

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onFailure?: (error: unknown) => Promise<void>,
  ) {}

  run(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.loop().finally(() => (this.running = null))
    return this.running
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.again = false
        await this.pass()
      } while (this.again)
    } catch (error) {
      if (!this.onFailure) throw error
      await this.onFailure(error)
    }
  }
}
