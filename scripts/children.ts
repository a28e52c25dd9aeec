// The stack's child processes: their output line by line, and stopping them for sure.
import type { ChildProcess } from 'node:child_process'
import { FORCE_KILL_AFTER_MS } from '../protocol/timing'

/** Where a child's output goes: one call per non-empty line, named by the child. */
export type LineLog = (source: string, line: string) => void

export function pipeLines(child: ChildProcess, source: string, log?: LineLog) {
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = ''
    stream?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop() ?? ''
      for (const line of lines) if (line.trim()) log?.(source, line)
    })
  }
}

/** Sends `signal`, then SIGKILL if the child is still there after FORCE_KILL_AFTER_MS; resolves once it exited. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGKILL'), FORCE_KILL_AFTER_MS)
    child.once('exit', () => {
      clearTimeout(force)
      resolveStop()
    })
    child.kill(signal)
  })
}
