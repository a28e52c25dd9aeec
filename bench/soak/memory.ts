// Resident memory of a process and everything it started (wrangler starts workerd), from /proc.
import { readdirSync, readFileSync } from 'node:fs'

const rssKib = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}

/** Every process's children, read from /proc once: one moment's map for several trees. */
export function processChildren(): Map<number, number[]> {
  const byParent = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      // The parent is the 2nd field after the command (which is in parentheses and may hold spaces).
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      byParent.set(parent, [...(byParent.get(parent) ?? []), Number(name)])
    } catch {
      // gone meanwhile
    }
  }
  return byParent
}

/** `pid` and every process under it, parents before their children. */
export function processTree(pid: number, byParent: Map<number, number[]>): number[] {
  const all: number[] = []
  for (const queue = [pid]; queue.length > 0;) {
    const next = queue.pop()!
    all.push(next)
    queue.push(...(byParent.get(next) ?? []))
  }
  return all
}

/** Resident MiB of these processes together. */
export function rssMiB(pids: number[]): number {
  return +(pids.reduce((sum, each) => sum + rssKib(each), 0) / 1024).toFixed(1)
}

/**
 * The workerd process among `pids` (the local runtime), by kind of memory: anonymous (heaps,
 * caches) and file-backed (mapped files), MiB.
 */
export function workerdMemory(pids: number[]): { anonMiB: number; fileMiB: number } | null {
  for (const each of pids) {
    try {
      const status = readFileSync(`/proc/${each}/status`, 'utf8')
      if (/^Name:\s+workerd/m.test(status)) {
        const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
        return { anonMiB: +(kib('RssAnon') / 1024).toFixed(1), fileMiB: +(kib('RssFile') / 1024).toFixed(1) }
      }
    } catch {
      // gone meanwhile
    }
  }
  return null
}
