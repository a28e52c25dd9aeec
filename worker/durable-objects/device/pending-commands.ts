// Commands the DeviceDO sends to its node and awaits (pairing code, pause, logout). They live
// in memory only: an RPC caller is waiting, so the object cannot hibernate meanwhile.
import type { ResultFrame } from '../../../protocol/frames'

/**
 * `no_node`: nothing was sent (no socket). `connection_lost`: sent, but the socket went away
 * before the answer, so the node may or may not have acted on it. `timeout`: likewise unknown.
 */
export type CommandOutcome = ResultFrame | { ok: false; error: { code: 'timeout' | 'no_node' | 'connection_lost'; message: string } }

export class PendingCommands {
  private readonly waiting = new Map<string, (outcome: CommandOutcome) => void>()

  /** Sends with a fresh id and resolves with the node's result, or a timeout. Never rejects. */
  run(send: (id: string) => boolean, timeoutMs: number): Promise<CommandOutcome> {
    const id = crypto.randomUUID()
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id)
        resolve({ ok: false, error: { code: 'timeout', message: `the session node did not answer within ${timeoutMs} ms` } })
      }, timeoutMs)
      this.waiting.set(id, (outcome) => {
        clearTimeout(timer)
        this.waiting.delete(id)
        resolve(outcome)
      })
      if (!send(id)) this.waiting.get(id)?.({ ok: false, error: { code: 'no_node', message: 'no session node is connected' } })
    })
  }

  /** Resolves once nothing waits for an answer, or after `timeoutMs`. */
  async idle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs
    while (this.waiting.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20))
  }

  settle(result: ResultFrame): void {
    this.waiting.get(result.id)?.(result)
  }

  /** The node refused one of our commands outright (an `error` frame naming its id). */
  refuse(id: string, code: string, message: string): void {
    this.waiting.get(id)?.({ type: 'result', id, ok: false, error: { code, message } })
  }

  /** The socket went away: nobody will answer what is still waiting. */
  failAll(message: string): void {
    for (const settle of [...this.waiting.values()]) settle({ ok: false, error: { code: 'connection_lost', message } })
  }
}
