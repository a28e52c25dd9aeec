// Commands the DeviceDO sends to its node and awaits (pairing code, pause, logout). They live
// in memory only: an RPC caller is waiting, so the object cannot hibernate meanwhile.
import type { ResultFrame } from '../../../protocol/frames'

export type CommandOutcome = ResultFrame | { ok: false; error: { code: 'timeout' | 'no_node'; message: string } }

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

  settle(result: ResultFrame): void {
    this.waiting.get(result.id)?.(result)
  }

  /** The socket went away: nobody will answer what is still waiting. */
  failAll(message: string): void {
    for (const settle of [...this.waiting.values()]) settle({ ok: false, error: { code: 'no_node', message } })
  }
}
