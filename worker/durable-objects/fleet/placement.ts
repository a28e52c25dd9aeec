import type { NodeRow } from './fleet-store'

/**
 * The online node with the most free room (fewest devices for its capacity), or null when every
 * online node is full. Ties go to the lowest id, so placement is deterministic.
 */
export function pickNode(nodes: NodeRow[], loads: Map<number, number>, exclude: ReadonlySet<number> = new Set()): number | null {
  let best: { id: number; free: number; ratio: number } | null = null
  for (const node of nodes) {
    if (!node.online || node.drained === 1 || exclude.has(node.node_id)) continue
    const load = loads.get(node.node_id) ?? 0
    const free = node.capacity - load
    if (free <= 0) continue
    const ratio = load / node.capacity
    if (!best || ratio < best.ratio || (ratio === best.ratio && free > best.free)) best = { id: node.node_id, free, ratio }
  }
  return best?.id ?? null
}
