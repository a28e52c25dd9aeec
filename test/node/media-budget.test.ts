// The node's media budget: one media send per device at a time, a bounded number at once, the
// bytes of the files they hold within MEDIA_MEMORY_MB, and every wait bounded: past it the send
// fails as media_unavailable (refunded by DeviceDO) instead of piling up in memory. With the
// real fetcher, the bytes are reserved from the response's headers before its body is read, and
// the fetch's own deadline does not run while they wait.
import { afterEach, describe, expect, it } from 'vitest'
import { createMediaFetcher } from '../../session-node/media/fetch-media'
import { budgetedMedia, MEDIA_COPIES, MediaBudget } from '../../session-node/media/media-budget'
import { closeServers, PDF, send, serve } from './support/http-fixtures'

afterEach(closeServers)

const MB = 1024 * 1024

/** A send held open until `finish()`; `started` once the budget let it run. */
function heldSend(budget: MediaBudget, deviceId: number, fileBytes = 0) {
  let finish = () => {}
  let started = false
  const done = budget.run(deviceId, async (reserve) => {
    if (fileBytes > 0) await reserve(fileBytes)
    started = true
    await new Promise<void>((resolve) => (finish = resolve))
  })
  return { done, started: () => started, finish: () => finish() }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20))
const busy = expect.objectContaining({
  name: 'SendError',
  code: 'media_unavailable',
  message: expect.stringMatching(/busy with other media/),
})

describe('the media budget', () => {
  it('runs one media send per device at a time, and other devices meanwhile', async () => {
    const budget = new MediaBudget({ concurrent: 4, bytes: 100 * MB, waitMs: 5_000 })
    const first = heldSend(budget, 1)
    const second = heldSend(budget, 1)
    const otherDevice = heldSend(budget, 2)
    await tick()
    expect([first.started(), second.started(), otherDevice.started()]).toEqual([true, false, true])
    first.finish()
    await first.done
    await tick()
    expect(second.started()).toBe(true)
    second.finish()
    otherDevice.finish()
    await Promise.all([second.done, otherDevice.done])
    expect(budget.usage).toEqual({ sends: 0, bytes: 0, waiting: 0 })
  })

  it('runs at most MEDIA_CONCURRENCY media sends at once', async () => {
    const budget = new MediaBudget({ concurrent: 2, bytes: 100 * MB, waitMs: 5_000 })
    const sends = [1, 2, 3].map((device) => heldSend(budget, device))
    await tick()
    expect(sends.map((s) => s.started())).toEqual([true, true, false])
    sends[0]!.finish()
    await tick()
    expect(sends[2]!.started()).toBe(true)
    for (const s of sends) s.finish()
    await Promise.all(sends.map((s) => s.done))
  })

  it('holds at most its bytes: a file that does not fit waits for one that does to finish', async () => {
    const budget = new MediaBudget({ concurrent: 4, bytes: 100 * MB, waitMs: 5_000 })
    const big = heldSend(budget, 1, 40 * MB)
    const next = heldSend(budget, 2, 20 * MB)
    await tick()
    expect(budget.usage.bytes).toBe(40 * MB * MEDIA_COPIES)
    expect(next.started()).toBe(false)
    big.finish()
    await tick()
    expect(next.started()).toBe(true)
    expect(budget.usage.bytes).toBe(20 * MB * MEDIA_COPIES)
    next.finish()
    await next.done
    expect(budget.usage).toEqual({ sends: 0, bytes: 0, waiting: 0 })
  })

  it('fails a send that waited too long as media_unavailable, and frees what it waited in', async () => {
    const budget = new MediaBudget({ concurrent: 1, bytes: 100 * MB, waitMs: 100 })
    const holder = heldSend(budget, 1)
    await expect(budget.run(2, async () => 'never')).rejects.toEqual(busy)
    await expect(budget.run(1, async () => 'never')).rejects.toMatchObject({ message: /previous media send/ })
    holder.finish()
    await holder.done
    await expect(budget.run(2, async () => 'ran')).resolves.toBe('ran')
    expect(budget.usage).toEqual({ sends: 0, bytes: 0, waiting: 0 })
  })

  it('gives back the slot and the bytes of a send that failed', async () => {
    const budget = new MediaBudget({ concurrent: 1, bytes: 100 * MB, waitMs: 1_000 })
    await expect(
      budget.run(1, async (reserve) => {
        await reserve(10 * MB)
        throw new Error('the upload failed')
      }),
    ).rejects.toThrow('the upload failed')
    expect(budget.usage).toEqual({ sends: 0, bytes: 0, waiting: 0 })
  })
})

describe('the media fetcher within a budget', () => {
  it('reserves the declared length before reading the body, and the kind cap when the length is unknown', async () => {
    const { base } = await serve({
      '/known.pdf': send(PDF, { 'content-type': 'application/pdf', 'content-length': PDF.length }),
      '/chunked.pdf': (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/pdf' })
        res.write(PDF)
        res.end()
      },
    })
    const reserved: number[] = []
    const fetchMedia = createMediaFetcher({ allowPrivate: true, maxDocumentBytes: 5 * MB })
    const reserve = async (bytes: number) => void reserved.push(bytes)
    expect(await fetchMedia(`${base}/known.pdf`, { reserve })).toMatchObject({ kind: 'document', data: PDF })
    expect(await fetchMedia(`${base}/chunked.pdf`, { reserve })).toMatchObject({ kind: 'document', data: PDF })
    expect(reserved).toEqual([PDF.length, 5 * MB])
  })

  it('does not run the fetch deadline while the bytes wait for the budget', async () => {
    const { base } = await serve({ '/doc.pdf': send(PDF, { 'content-type': 'application/pdf', 'content-length': PDF.length }) })
    const fetchMedia = createMediaFetcher({ allowPrivate: true, timeoutMs: 150 })
    const slowReserve = () => new Promise<void>((resolve) => setTimeout(resolve, 400))
    expect(await fetchMedia(`${base}/doc.pdf`, { reserve: slowReserve })).toMatchObject({ data: PDF })
  })

  it('holds the file until the engine is done with it, then frees its bytes', async () => {
    const { base } = await serve({ '/doc.pdf': send(PDF, { 'content-type': 'application/pdf', 'content-length': PDF.length }) })
    const budget = new MediaBudget({ concurrent: 1, bytes: 100 * MB, waitMs: 1_000 })
    const media = budgetedMedia(createMediaFetcher({ allowPrivate: true }), budget, 7)
    const seen = await media(`${base}/doc.pdf`, async (file) => ({ size: file.data.length, held: budget.usage.bytes }))
    expect(seen).toEqual({ size: PDF.length, held: PDF.length * MEDIA_COPIES })
    expect(budget.usage.bytes).toBe(0)
  })
})
