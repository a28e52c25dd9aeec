// `node --import tsx scripts/guarded-child.ts <command> [args…]`: runs a command that starts
// children of its own (wrangler starts workerd) in a process group of its own, and takes the
// whole group down with it: on SIGTERM, SIGINT or SIGHUP, and when its own parent dies
// (the dev script killed with -9, or a closed terminal). The command's exit code is its own.
import { spawn } from 'node:child_process'
import { FORCE_KILL_AFTER_MS } from '../protocol/timing'
import { onParentDeath } from '../session-node/parent-watch'

const [command, ...args] = process.argv.slice(2)
if (!command) {
  console.error('usage: guarded-child <command> [args…]')
  process.exit(2)
}

const child = spawn(command, args, { stdio: 'inherit', detached: true })

const signalGroup = (signal: NodeJS.Signals) => {
  try {
    if (child.pid) process.kill(-child.pid, signal)
  } catch {
    // the group is gone already
  }
}

let stopping = false
const stop = (signal: NodeJS.Signals) => {
  if (stopping) return
  stopping = true
  signalGroup(signal)
  setTimeout(() => signalGroup('SIGKILL'), FORCE_KILL_AFTER_MS).unref()
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop('SIGTERM'))
onParentDeath(() => stop('SIGTERM'))
child.on('exit', (code, signal) => {
  // Whatever the command left in its group goes with it.
  signalGroup('SIGKILL')
  process.exit(code ?? (signal ? 1 : 0))
})
