// A CPU profile of workerd (the worker and its Durable Objects) over the Chrome DevTools
// protocol of `wrangler dev --inspector-port`, reduced to where the samples fell.
import WebSocket from 'ws'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
}

export interface ProfileSummary {
  samples: number
  /** Functions by the share of samples they were on the stack for (inclusive), in percent. */
  inclusive: Array<[string, number]>
  /** Functions by the share of samples they were running themselves (self), in percent. */
  self: Array<[string, number]>
}

export class CpuProfiler {
  private nextId = 1
  private readonly pending = new Map<number, (result: unknown) => void>()
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; result?: unknown }
      if (message.id !== undefined) this.pending.get(message.id)?.(message.result)
    })
  }

  static async connect(port: number): Promise<CpuProfiler> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json`)).json()) as Array<{ webSocketDebuggerUrl: string }>
    const socket = new WebSocket(targets[0]!.webSocketDebuggerUrl)
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject))
    const profiler = new CpuProfiler(socket)
    await profiler.call('Profiler.enable')
    await profiler.call('Profiler.setSamplingInterval', { interval: 200 })
    return profiler
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++
    this.socket.send(JSON.stringify({ id, method, params }))
    return new Promise((resolve) => this.pending.set(id, resolve))
  }

  async during(work: () => Promise<unknown>, top = 40): Promise<ProfileSummary> {
    await this.call('Profiler.start')
    await work()
    return this.stop(top)
  }

  /** The isolate's JavaScript heap (V8's own count, apart from what workerd and SQLite hold), in MiB. */
  async heapMiB(): Promise<{ used: number; total: number }> {
    const usage = (await this.call('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number }
    return { used: +(usage.usedSize / 2 ** 20).toFixed(1), total: +(usage.totalSize / 2 ** 20).toFixed(1) }
  }

  /**
   * A full garbage collection of the isolate now: what is measured after it is what the worker
   * keeps, not garbage V8 has not collected yet (its heap grows between major collections).
   */
  async collectGarbage(): Promise<void> {
    await this.call('HeapProfiler.collectGarbage')
  }

  /** Ends a profile begun with `Profiler.start`. */
  async stop(top = 40): Promise<ProfileSummary> {
    const { profile } = (await this.call('Profiler.stop')) as { profile: Profile }
    return summarise(profile, top)
  }

  close(): void {
    this.socket.close()
  }
}

const nameOf = (node: ProfileNode) => {
  const { functionName, url, lineNumber } = node.callFrame
  const file = url.split('/').pop() ?? ''
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`
}

function summarise(profile: Profile, top: number): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const self = new Map<string, number>()
  const inclusive = new Map<string, number>()
  let counted = 0
  for (const leaf of profile.samples) {
    const node = byId.get(leaf)!
    if (node.callFrame.functionName === '(idle)' || node.callFrame.functionName === '(program)') continue
    counted++
    self.set(nameOf(node), (self.get(nameOf(node)) ?? 0) + 1)
    const seen = new Set<string>()
    for (let at: number | undefined = leaf; at !== undefined; at = parent.get(at)) seen.add(nameOf(byId.get(at)!))
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + 1)
  }
  const rank = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]): [string, number] => [name, +((hits / Math.max(counted, 1)) * 100).toFixed(1)])
  return { samples: counted, inclusive: rank(inclusive), self: rank(self) }
}
