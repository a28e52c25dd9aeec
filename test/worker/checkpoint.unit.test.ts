// A checkpoint (durable-objects/checkpoint.ts) writes at most once per CHECKPOINT_EVERY_MS, the
// last move of a window when it ends, never a position backwards, and nothing once discarded.
import { describe, expect, it } from 'vitest'
import { Checkpoint, CHECKPOINT_EVERY_MS } from '../../worker/durable-objects/checkpoint'
import { sleep } from './helpers'

function checkpoint(start = 0) {
  const written: number[] = []
  return {
    written,
    position: new Checkpoint(start, (value) => written.push(value)),
  }
}

describe('a checkpoint', () => {
  it('writes the first move at once and the last of the next second when it ends', async () => {
    const { written, position } = checkpoint(5)
    position.advance(6)
    position.advance(7)
    position.advance(9)
    position.advance(8)
    expect(position.current).toBe(9)
    expect(written).toEqual([6])
    await sleep(CHECKPOINT_EVERY_MS + 100)
    expect(written).toEqual([6, 9])
  })

  it('writes nothing for a move that is not forward, and nothing pending once discarded', async () => {
    const { written, position } = checkpoint(5)
    position.advance(5)
    position.advance(3)
    expect(written).toEqual([])
    position.advance(6)
    position.advance(7)
    position.discard()
    await sleep(CHECKPOINT_EVERY_MS + 100)
    expect(written).toEqual([6])
  })
})
