// Media hosts are resolved without the libuv threadpool and with a timeout of their own: a DNS
// server that never answers costs only the fetches that need it, never another tenant's.
import { afterEach, describe, expect, it } from 'vitest'
import { createDnsResolver } from '../../session-node/media/dns-resolver'
import { createMediaFetcher } from '../../session-node/media/fetch-media'
import { startFakeDns, type FakeDns } from './support/fake-dns'
import { closeServers, JPEG, send, serve } from './support/http-fixtures'

let dns: FakeDns | undefined
afterEach(async () => {
  await dns?.close()
  await closeServers()
})

describe('media DNS', () => {
  it('serves a fetch on a healthy domain while many on a silent one wait, and fails those as media_unavailable', async () => {
    dns = await startFakeDns({ 'media.fast.test': '127.0.0.1' }, ['media.silent.test'])
    const { port } = await serve({ '/photo.jpg': send(JPEG, { 'content-type': 'image/jpeg' }) })
    const fetchMedia = createMediaFetcher({ allowPrivate: true, resolve: createDnsResolver({ servers: [dns.server], timeoutMs: 300 }) })

    const settled: string[] = []
    // More lookups stuck at once than the libuv threadpool has threads (4).
    const stuck = Array.from({ length: 8 }, (_, i) =>
      fetchMedia(`http://media.silent.test:${port}/${i}.jpg`).then(
        () => settled.push('silent: fetched'),
        (error: unknown) => {
          settled.push('silent: refused')
          throw error
        },
      ),
    )
    const healthy = await fetchMedia(`http://media.fast.test:${port}/photo.jpg`)
    settled.push('fast: fetched')
    expect(healthy).toMatchObject({ kind: 'image', mimetype: 'image/jpeg' })
    expect(settled[0]).toBe('fast: fetched')

    for (const fetch of stuck) {
      await expect(fetch).rejects.toMatchObject({
        name: 'SendError',
        code: 'media_unavailable',
        message: expect.stringContaining('media.silent.test'),
      })
    }
    expect(dns.queries).toContain('media.silent.test')
  })

  it('answers localhost itself (c-ares does not read /etc/hosts) and names a host that does not exist', async () => {
    dns = await startFakeDns({}, [])
    const resolve = createDnsResolver({ servers: [dns.server], timeoutMs: 300 })
    expect(await resolve('localhost')).toContainEqual({ address: '127.0.0.1', family: 4 })
    await expect(resolve('nowhere.test')).rejects.toMatchObject({
      code: 'media_unavailable',
      message: expect.stringContaining('nowhere.test'),
    })
  })
})
