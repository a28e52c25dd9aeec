// Where the fleet places a device: the online node with the most free room for its capacity,
// deterministic on ties, never a full, offline, drained or excluded node.
import { describe, expect, it } from 'vitest'
import type { NodeRow } from '../../worker/durable-objects/fleet/fleet-store'
import { pickNode } from '../../worker/durable-objects/fleet/placement'

const node = (node_id: number, capacity: number, online = 1, drained = 0): NodeRow => ({
  drained,
  version: null,
  protocol: null,
  node_id,
  name: `n${node_id}`,
  engine: 'simulator',
  capacity,
  online,
  last_seen_at: null,
  offline_since: null,
})
const loads = (entries: Record<number, number>) => new Map(Object.entries(entries).map(([id, n]) => [Number(id), n]))

describe('pickNode', () => {
  it('picks the node with the lowest load for its capacity', () => {
    expect(pickNode([node(1, 10), node(2, 100)], loads({ 1: 5, 2: 20 }))).toBe(2)
    expect(pickNode([node(1, 10), node(2, 10)], loads({ 1: 3, 2: 1 }))).toBe(2)
  })

  it('breaks a tie by more free room, then by the lowest id', () => {
    expect(pickNode([node(1, 10), node(2, 20)], loads({}))).toBe(2)
    expect(pickNode([node(2, 10), node(1, 10)], loads({}))).toBe(2)
    expect(pickNode([node(1, 10), node(2, 10)], loads({}))).toBe(1)
  })

  it('never picks a full, offline or excluded node; null when none is left', () => {
    expect(pickNode([node(1, 2), node(2, 10, 0)], loads({ 1: 2 }))).toBeNull()
    expect(pickNode([node(1, 10), node(2, 10)], loads({}), new Set([1]))).toBe(2)
    expect(pickNode([], loads({}))).toBeNull()
  })

  it('never places on a drained node, however empty', () => {
    expect(pickNode([node(1, 10, 1, 1), node(2, 10)], new Map([[2, 9]]))).toBe(2)
    expect(pickNode([node(1, 10, 1, 1)], new Map())).toBeNull()
  })
})
